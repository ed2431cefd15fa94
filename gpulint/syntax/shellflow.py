"""Which simple commands of a shell text can run, and which never can.

The text is parsed with bashlex and its control flow evaluated the way the shell runs it: `&&`,
`||`, `;` and newlines, `!`, `if`/`elif`/`else`, loops, `{ }` and `( )`, functions (their body
runs where they are called) and `exit`. Only commands whose outcome is fixed decide anything:
`true`, `:`, `echo`, `printf` and bare assignments always succeed, `false` always fails and `exit`
ends the shell; every other command may succeed or fail. So `true || kubectl rollout undo ...`,
`false && ...`, `exit 0; ...` and `if false; then ...; fi` never run what follows, while
`kubectl rollout status ... || kubectl rollout undo ...` may. Nothing is executed.

Where bashlex cannot parse the text (it lacks `case`, for one), each line is split with shlex on
the control operators and the same `&&`/`||`/`;` evaluation is applied left to right.
"""

from __future__ import annotations

import os
import shlex

from gpulint.core.records import Record

OK, FAIL = 0, 1
ANY = frozenset({OK, FAIL})
_SUCCEED = frozenset({"true", ":", "echo", "printf"})
_WRAPPERS = {"sudo", "env", "time", "command", "nice", "nohup"}


class FlowCommand(Record):
    words: list[str]  # as the command receives them (quotes removed)
    start: int  # offsets in the text
    end: int
    runs: bool  # False: no path of the text reaches it
    why: str | None = None  # why it never runs


def flow(text: str) -> list[FlowCommand]:
    """Every simple command of ``text`` in order, each marked with whether it can run."""
    from gpulint.syntax.shell import bash_trees

    if not _has_code(text):
        return []
    trees, error = bash_trees(text)
    if error is None:
        walker = _Walker()
        status: frozenset = frozenset({OK})
        why = None
        for tree in trees:  # top-level lines: each runs if an earlier one did not end the shell
            reach = bool(status)
            status = walker.visit(tree, reach, why)
            if reach and not status:
                why = "an earlier `exit` ends the shell first"
        for name, body in walker.functions.items():
            if name not in walker.called:
                walker.visit(body, False, f"the function `{name}` is never called")
        best: dict[tuple[int, int], FlowCommand] = {}
        for command in walker.out:  # a function called twice records its body twice
            key = (command.start, command.end)
            if key not in best or command.runs and not best[key].runs:
                best[key] = command
        return sorted(best.values(), key=lambda c: c.start)
    return _fallback(text)


def _has_code(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in text.split("\n"))


def _describe(words: list[str]) -> str:
    text = " ".join(words)
    return text if len(text) <= 40 else text[:37] + "..."


def fixed_status(words: list[str]) -> frozenset | None:
    """The statuses a simple command can end with; None when it ends the shell (``exit``)."""
    i = 0
    while i < len(words) and os.path.basename(words[i]) in _WRAPPERS:
        i += 1
    argv = words[i:]
    if not argv:
        return frozenset({OK})
    name = os.path.basename(argv[0])
    if name in ("exit", "return", "exec") and (name != "exec" or len(argv) == 1):
        return None if name != "exec" else frozenset({OK})
    if name in _SUCCEED:
        return frozenset({OK})
    if name == "false":
        return frozenset({FAIL})
    return ANY


class _Walker:
    def __init__(self) -> None:
        self.out: list[FlowCommand] = []
        self.functions: dict[str, object] = {}
        self.calling: list[str] = []
        self.called: set[str] = set()

    # Each visit returns the statuses the node can complete with (empty: it never completes,
    # because it is not reached or it always ends the shell).
    def visit(self, node, reach: bool, why: str | None) -> frozenset:
        kind = node.kind
        if kind == "command":
            return self._command(node, reach, why)
        if kind == "list":
            return self._list(node.parts, reach, why)
        if kind == "pipeline":
            return self._pipeline(node, reach, why)
        if kind == "compound":
            inner = [p for p in node.list if p.kind != "reservedword"]
            sub = any(p.kind == "reservedword" and p.word == "(" for p in node.list)
            status = self._list(inner, reach, why)
            if sub and reach and not status:
                return ANY  # `( exit 3 )` ends only the subshell
            return status
        if kind == "if":
            return self._if(node, reach, why)
        if kind in ("while", "until", "for"):
            return self._loop(node, reach, why)
        if kind == "function":
            name = next((p.word for p in node.parts if p.kind == "word"), None)
            body = next((p for p in node.parts if p.kind == "compound"), None)
            if reach and name and body is not None:
                self.functions[name] = body
            return frozenset({OK}) if reach else frozenset()
        if kind in ("operator", "reservedword", "pipe"):
            return frozenset({OK}) if reach else frozenset()
        return ANY if reach else frozenset()

    def _command(self, node, reach: bool, why: str | None) -> frozenset:
        words = []
        start, end = node.pos
        for part in node.parts:
            if part.kind in ("word", "assignment"):
                if part.kind == "word":
                    words.append(part.word)
                for sub in getattr(part, "parts", []) or []:
                    if sub.kind == "commandsubstitution" and getattr(sub, "command", None) is not None:
                        self.visit(sub.command, reach, why)
            elif part.kind == "compound":
                self.visit(part, reach, why)
        if not words:  # only assignments (and redirections): succeeds
            return frozenset({OK}) if reach else frozenset()
        self.out.append(FlowCommand(words, start, end, reach, None if reach else why))
        if not reach:
            return frozenset()
        name = os.path.basename(words[0])
        body = self.functions.get(name)
        if body is not None and name not in self.calling:
            self.called.add(name)
            self.calling.append(name)
            try:
                return self.visit(body, True, None) or ANY
            finally:
                self.calling.pop()
        status = fixed_status(words)
        return frozenset() if status is None else status

    def _list(self, parts, reach: bool, why: str | None) -> frozenset:
        current = frozenset({OK}) if reach else frozenset()
        previous = None
        op = None
        first = True
        for part in parts:
            if part.kind == "operator":
                op = part.op
                continue
            if first:
                current = self.visit(part, reach, why)
                first = False
            else:
                part_reach, part_why, keep = self._after(current, op, previous, reach, why)
                status = self.visit(part, part_reach, part_why)
                current = keep | status
            previous = part
            op = None
        return current

    def _after(self, current: frozenset, op: str | None, previous, reach: bool, why: str | None):
        """Whether the next part of a list runs, why not, and the statuses that skip it."""
        shown = f"`{_source_words(previous)}`"
        if op == "&&":
            runs = OK in current
            reason = f"{shown} never succeeds, so the command after `&&` never runs"
            return runs, (why if not reach else reason), current - {OK}
        if op == "||":
            runs = FAIL in current
            reason = f"{shown} always succeeds, so the command after `||` never runs"
            return runs, (why if not reach else reason), current - {FAIL}
        if op == "&":
            return reach, why, frozenset()
        reason = f"{shown} ends the shell before it" if previous is not None else why
        return bool(current), (why if not reach else reason), frozenset()

    def _pipeline(self, node, reach: bool, why: str | None) -> frozenset:
        negated = any(p.kind == "reservedword" and p.word == "!" for p in node.parts)
        parts = [p for p in node.parts if p.kind not in ("pipe", "reservedword")]
        status = frozenset()
        for part in parts:  # the pipeline's status is its last part's
            status = self.visit(part, reach, why)
            if reach and not status:
                status = ANY  # each part of a pipeline runs in a subshell: `exit` ends only it
        if negated:
            status = frozenset({OK if s == FAIL else FAIL for s in status})
        return status

    def _if(self, node, reach: bool, why: str | None) -> frozenset:
        parts = list(node.parts)
        result = frozenset()
        state = None
        branch_reach = reach
        branch_why = why
        condition_status = frozenset()
        had_else = False
        i = 0
        while i < len(parts):
            part = parts[i]
            if part.kind == "reservedword":
                word = part.word
                if word in ("if", "elif"):
                    state = "cond"
                elif word == "then":
                    state = "then"
                elif word == "else":
                    state = "else"
                    had_else = True
                i += 1
                continue
            if state == "cond":
                condition_status = self.visit(part, branch_reach, branch_why)
                shown = f"`{_source_words(part)}`"
                then_reach = OK in condition_status
                then_why = branch_why if not branch_reach else f"the condition {shown} never succeeds"
                else_reach = FAIL in condition_status
                else_why = branch_why if not branch_reach else f"the condition {shown} always succeeds"
            elif state == "then":
                result |= self.visit(part, then_reach, then_why)
                branch_reach, branch_why = else_reach, else_why
            elif state == "else":
                result |= self.visit(part, branch_reach, branch_why)
            i += 1
        if not had_else and branch_reach:
            result |= frozenset({OK})  # no branch taken: the if succeeds
        return result

    def _loop(self, node, reach: bool, why: str | None) -> frozenset:
        for part in node.parts:
            if part.kind in ("reservedword", "word", "operator"):
                continue
            self.visit(part, reach, why)
        return ANY if reach else frozenset()


def _source_words(node) -> str:
    words: list[str] = []

    def collect(n) -> None:
        if n.kind in ("word", "assignment"):
            words.append(n.word)
            return
        if n.kind == "reservedword":
            words.append(n.word)
            return
        if n.kind == "operator":
            words.append(n.op)
            return
        for child in getattr(n, "parts", None) or getattr(n, "list", None) or []:
            collect(child)

    collect(node)
    while words and words[-1] in (";", "&", "\n"):
        words.pop()
    return _describe(words)


# ----------------------------------------------------------------------------- fallback

_OPERATORS = ("&&", "||", ";", "&", "|")


def _fallback(text: str) -> list[FlowCommand]:
    """One line at a time (``\\`` continues a line): shlex words and operators, evaluated left to right."""
    out: list[FlowCommand] = []
    offset = 0
    pending, pending_start = "", 0
    alive = True
    for raw in text.split("\n"):
        line = pending + raw
        if not pending:
            pending_start = offset
        offset += len(raw) + 1
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
            lexer.whitespace_split = True
            lexer.commenters = "#"
            tokens = list(lexer)
        except ValueError:
            continue
        current = frozenset({OK}) if alive else frozenset()
        words: list[str] = []
        why = None if alive else "an earlier `exit` ends the shell first"
        reach = alive
        end = pending_start + len(line)
        chain: list[tuple[list[str], str | None]] = []
        for token in tokens + [";"]:
            if token and all(ch in ";&|()<>" for ch in token):
                if words:
                    chain.append((words, token))
                words = []
            else:
                words.append(token)
        keep = frozenset()
        for argv, following in chain:
            out.append(FlowCommand(argv, pending_start, end, reach, None if reach else why))
            status = (fixed_status(argv) or frozenset()) if reach else frozenset()
            current = keep | status
            shown = f"`{_describe(argv)}`"
            if following == "&&":
                reach, why, keep = (OK in current, why if not reach else
                                    f"{shown} never succeeds, so the command after `&&` never runs", current - {OK})
            elif following == "||":
                reach, why, keep = (FAIL in current, why if not reach else
                                    f"{shown} always succeeds, so the command after `||` never runs", current - {FAIL})
            else:
                reach, why, keep = (bool(current), why if not reach else f"{shown} ends the shell before it",
                                    frozenset())
        alive = bool(current) if chain else alive
    return out
