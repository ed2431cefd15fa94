"""Shell scripts (``RUN``, ``HEALTHCHECK CMD``, workflow ``run:``) as simple commands.

bashlex gives real command words, lists, pipelines and conditions with positions, so an
``echo docker push`` is an echo and ``cmd || true`` is known to hide the failure of ``cmd``.
Where bashlex cannot parse a script (it lacks some bash syntax) a shlex-based splitter on the
control operators is used instead and the commands are marked as approximate. ``set -e`` (or
``set -o errexit``) in the script turns errexit on for the commands after it, ``set +e`` off.
"""

from __future__ import annotations

import os
import re
import shlex
from functools import cached_property, lru_cache
from typing import NamedTuple, Sequence

from gpulint.core.errors import MissingDependency
from gpulint.core.records import Record, field

_WRAPPERS = {"sudo", "exec", "env", "time", "nice", "nohup", "timeout", "command", "xargs", "stdbuf"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


class Word(Record):
    text: str  # quotes removed, as the command receives it (expansions left as written)
    start: int
    end: int


class SimpleCommand(Record):
    words: list[Word]
    start: int
    end: int
    masked: bool = False  # its failure cannot fail the script (``|| true``, ``;`` without -e, ...)
    negated: bool = False  # ``! cmd``
    in_condition: bool = False  # the test of an if/while/until
    in_function: bool = False  # inside a function body (runs only if called)
    approximate: bool = False
    assignments: dict[str, str] = field(default_factory=dict)
    redirects: list[tuple[str, str]] = field(default_factory=list)  # (operator, target word): (">>", "$GITHUB_OUTPUT")

    def argv(self) -> list[str]:
        """The words after leading ``VAR=value`` assignments and wrappers such as ``sudo``."""
        return list(self._argv)

    @cached_property
    def _argv(self) -> tuple[str, ...]:  # read once: every CI, HEALTHCHECK and probe rule asks
        words = [w.text for w in self.words]
        i = 0
        while i < len(words):
            word = words[i]
            if _ASSIGNMENT.match(word):
                i += 1
            elif os.path.basename(word) in _WRAPPERS:
                i += 1
                while i < len(words) and (words[i].startswith("-") or _ASSIGNMENT.match(words[i])
                                          or (os.path.basename(words[i - 1]) == "timeout"
                                              and words[i][:1].isdigit())):
                    i += 1
            else:
                break
        return tuple(words[i:])

    @property
    def name(self) -> str:
        argv = self.argv()
        return os.path.basename(argv[0]) if argv else ""

    def word_at(self, index_in_argv: int) -> Word | None:
        argv_len = len(self.argv())
        offset = len(self.words) - argv_len
        index = offset + index_in_argv
        return self.words[index] if 0 <= index < len(self.words) else None


# Programs that run a command string given with -c.
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "fish"})
_LONG_WITH_VALUE = ("--rcfile", "--init-file")


class CommandString(NamedTuple):
    """The command string a shell runs (``sh -c TEXT``), where it sits in the argv, and the
    options given before it that change how a failure ends the script."""

    index: int
    text: str
    errexit: bool  # -e / -o errexit
    pipefail: bool  # -o pipefail


def split_words(text: str, comments: bool = False) -> list[str]:
    """``text`` split into words as a POSIX shell would (quotes removed; ``comments``: a ``#``
    word starts a comment); split on whitespace when its quoting does not close."""
    try:
        return shlex.split(text, comments=comments)
    except ValueError:
        return text.split()


def is_shell(word: str) -> bool:
    return os.path.basename(word) in SHELLS


def command_string(argv: Sequence[str]) -> CommandString | None:
    """The command string of ``sh -c TEXT``, ``bash -euo pipefail -c TEXT``, ``bash -lc TEXT``,
    ``/bin/sh -e -c TEXT``: as POSIX and bash read their options, the string is the first operand
    after the options when ``-c`` is among them (later operands are ``$0``, ``$1``...). None when
    ``argv`` is not a shell running a command string (``bash script.sh -c x`` runs a file)."""
    if len(argv) < 3 or not is_shell(argv[0]):
        return None
    has_c, index, errexit, pipefail = _shell_options(argv)
    if not has_c or index >= len(argv):
        return None
    return CommandString(index, argv[index], errexit, pipefail)


def script_file(argv: Sequence[str]) -> str | None:
    """The script file a shell runs (``bash -x run.sh arg`` → ``run.sh``); None for ``sh -c``, a
    shell reading standard input, or a command that is not a shell."""
    if len(argv) < 2 or not is_shell(argv[0]):
        return None
    has_c, index, _, _ = _shell_options(argv)
    return argv[index] if not has_c and index < len(argv) else None


def _shell_options(argv: Sequence[str]) -> tuple[bool, int, bool, bool]:
    """(-c given, index of the first operand, errexit, pipefail) of a shell's command line."""
    has_c = errexit = pipefail = False
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg in ("--", "-"):
            i += 1
            break
        if arg.startswith("--"):  # bash's long options (--login, --norc, --rcfile FILE)
            i += 2 if arg in _LONG_WITH_VALUE else 1
            continue
        if len(arg) < 2 or arg[0] not in "-+":
            break
        on = arg[0] == "-"
        i += 1
        for letter in arg[1:]:
            if letter in "oO":  # -o NAME / -O NAME take the next word, also inside a cluster (-euo pipefail)
                name = argv[i] if i < len(argv) else ""
                i += 1
                if letter == "o" and name == "pipefail":
                    pipefail = on
                elif letter == "o" and name == "errexit":
                    errexit = on
            elif letter == "c":
                has_c = has_c or on
            elif letter == "e":
                errexit = on
    return has_c, i, errexit, pipefail


class ShellScript(Record):
    text: str
    commands: list[SimpleCommand]
    error: str | None = None  # why bashlex could not parse it (commands are then approximate)


def parse_shell(text: str, errexit: bool = False) -> ShellScript:
    """Split a script into simple commands. ``errexit``: the shell runs with ``set -e``."""
    return _parse_cached(text, errexit)


_BASHLEX: tuple | None = None  # (module, the exceptions its parser raises on input it cannot read)


def _bashlex() -> tuple:
    """bashlex, loaded once; a missing or broken install stops the run (never a verdict)."""
    global _BASHLEX
    if _BASHLEX is None:
        try:
            from gpulint.syntax._bashlex import load

            module = load()
            errors = (module.errors.ParsingError,)
        except (ImportError, AttributeError) as error:
            raise MissingDependency("bashlex", f"{type(error).__name__}: {error}") from error
        # Besides its ParsingError, bashlex's parser fails with these on syntax it does not know
        # (unsupported constructs, and internal slips on malformed input).
        _BASHLEX = (module, errors + (NotImplementedError, AttributeError, TypeError, IndexError, ValueError,
                                      AssertionError, RecursionError))
    return _BASHLEX


@lru_cache(maxsize=4096)
def bash_trees(text: str) -> tuple[list, str | None]:
    """bashlex's syntax trees for a script, parsed once per distinct text (bashlex is slow)."""
    bashlex, parse_errors = _bashlex()
    try:
        return bashlex.parse(text), None
    except parse_errors as error:
        return [], f"{type(error).__name__}: {error}"


@lru_cache(maxsize=4096)
def _parse_cached(text: str, errexit: bool) -> ShellScript:
    if not text.strip():
        return ShellScript(text, [])
    trees, error = bash_trees(text)
    if error is not None:
        return ShellScript(text, _fallback(text, errexit), error)
    commands: list[SimpleCommand] = []
    walker = _Walker(text, commands, errexit)
    for index, tree in enumerate(trees):
        # A line is masked by the lines after it (no errexit), unless it ends in `|| exit 1` itself.
        masked = not walker.errexit and index < len(trees) - 1 and not _keeps_failure(tree)
        walker.visit(tree, _Context(masked=masked))
    return ShellScript(text, commands)


class _Context(Record, frozen=True):
    masked: bool = False
    negated: bool = False
    in_condition: bool = False
    in_function: bool = False


class _Walker:
    def __init__(self, text: str, out: list[SimpleCommand], errexit: bool):
        self.text = text
        self.out = out
        self.errexit = errexit

    def visit(self, node, ctx: _Context) -> None:
        kind = node.kind
        if kind == "command":
            self._command(node, ctx)
        elif kind == "list":
            self._list(node.parts, ctx)
        elif kind == "pipeline":
            parts = [p for p in node.parts if p.kind not in ("pipe",)]
            negated = any(p.kind == "reservedword" and p.word == "!" for p in parts)
            parts = [p for p in parts if p.kind != "reservedword"]
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                self.visit(part, _Context(ctx.masked or negated or not last, ctx.negated ^ negated,
                                          ctx.in_condition, ctx.in_function))
        elif kind == "compound":
            inner = [p for p in node.list if p.kind not in ("reservedword",)] if hasattr(node, "list") else []
            self._list(inner, ctx)
        elif kind in ("if", "while", "until"):
            self._conditional(node, ctx)
        elif kind == "for":
            body = [p for p in node.parts if p.kind not in ("reservedword", "word", "operator")]
            for part in body:
                self.visit(part, ctx)
        elif kind == "function":
            for part in node.parts:
                if part.kind == "compound":
                    self.visit(part, _Context(ctx.masked, ctx.negated, ctx.in_condition, True))
        elif kind == "operator":
            return

    def _list(self, parts, ctx: _Context) -> None:
        items = [p for p in parts if p.kind != "operator"]
        ops = [p for p in parts if p.kind == "operator"]
        # Operators follow their left operand: ops[i] sits between items[i] and items[i + 1].
        seq = []
        for part in parts:
            if part.kind == "operator":
                if seq:
                    seq[-1] = (seq[-1][0], part.op)
            else:
                seq.append((part, None))
        for i, (part, op) in enumerate(seq):
            rest_ops = [o for _, o in seq[i:] if o]
            hides = False
            for o in rest_ops:
                if o in (";", "\n", "&"):
                    hides = not self.errexit or o == "&"
                    break
                if o == "||":
                    hides = not _fails(seq, i, o)
                    break
            last = i == len(seq) - 1
            self.visit(part, _Context(ctx.masked or (hides and not last) or (op == "&"),
                                      ctx.negated, ctx.in_condition, ctx.in_function))
        del items, ops

    def _conditional(self, node, ctx: _Context) -> None:
        parts = list(node.parts)
        state = "cond"
        for part in parts:
            if part.kind == "reservedword":
                word = part.word
                if word in ("if", "elif", "while", "until"):
                    state = "cond"
                elif word in ("then", "else", "do"):
                    state = "body"
                continue
            if state == "cond":
                self.visit(part, _Context(True, ctx.negated, True, ctx.in_function))
            else:
                self.visit(part, ctx)

    def _command(self, node, ctx: _Context) -> None:
        words: list[Word] = []
        redirects: list[tuple[str, str]] = []
        for part in node.parts:
            if part.kind == "redirect":
                target = getattr(part, "output", None)
                if getattr(target, "kind", None) == "word":
                    redirects.append((str(part.type), target.word))
            elif part.kind in ("word", "assignment"):
                start, end = part.pos
                words.append(Word(part.word, start, end))
                for sub in getattr(part, "parts", []) or []:
                    if sub.kind == "commandsubstitution" and getattr(sub, "command", None) is not None:
                        self.visit(sub.command, _Context(True, ctx.negated, ctx.in_condition, ctx.in_function))
            elif part.kind == "compound":
                self.visit(part, ctx)
        if not words:
            return
        start, end = node.pos
        command = SimpleCommand(words, start, end, masked=ctx.masked, negated=ctx.negated,
                                in_condition=ctx.in_condition, in_function=ctx.in_function, redirects=redirects)
        self.out.append(command)
        if command.name == "set" and not ctx.in_function:
            self._set_options(command.argv()[1:])

    def _set_options(self, args: list[str]) -> None:
        """``set -e`` / ``set -o errexit`` turn errexit on for what follows, ``set +e`` off."""
        for i, arg in enumerate(args):
            if arg in ("-o", "+o") and i + 1 < len(args) and args[i + 1] == "errexit":
                self.errexit = arg == "-o"
            elif len(arg) > 1 and arg[0] in "-+" and arg[1] not in "-+o" and "e" in arg[1:]:
                self.errexit = arg[0] == "-"


def _keeps_failure(tree) -> bool:
    """A top-level ``cmd || exit 1`` (or ``|| false``): a failure ends the script with an error."""
    if tree.kind != "list":
        return False
    seq = []
    for part in tree.parts:
        if part.kind == "operator":
            if seq:
                seq[-1] = (seq[-1][0], part.op)
        else:
            seq.append((part, None))
    return any(op == "||" for _, op in seq) and _fails(seq, 0, "||")


def _fails(seq, i: int, op: str) -> bool:
    """``a || exit 1`` and ``a || false`` keep a's failure: the fallback fails too."""
    for j in range(i, len(seq)):
        if seq[j][1] == op:
            nxt = seq[j + 1][0] if j + 1 < len(seq) else None
            if nxt is None or nxt.kind != "command":
                return False
            words = [p.word for p in nxt.parts if p.kind == "word"]
            if not words:
                return False
            if words[0] == "false":
                return True
            return words[0] in ("exit", "return") and (len(words) == 1 or words[1] not in ("0", "$?"))
    return False


_OPERATORS = {";", "&&", "||", "|", "&", "\n", "(", ")", "{", "}"}


# Reserved words that open or close a compound command: what follows them on the line is a command.
_LEADING_RESERVED = {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"}
_CLOSING_RESERVED = {"fi", "done", "esac", "}"}
_HEADERS = {"for", "case", "select", "function"}  # `for x in ...`, `case $x in`: no command of their own


_HEREDOC = re.compile(r"(?<!<)<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def _without_heredocs(lines: list[str]) -> list[str]:
    """The lines with heredoc bodies blanked (``cat > push.sh <<'EOF'`` ... ``EOF``): data, not commands."""
    out: list[str] = []
    until: str | None = None
    for line in lines:
        if until is not None:
            out.append("")
            if line.strip() == until:
                until = None
            continue
        out.append(line)
        found = _HEREDOC.search(line)
        if found is not None and "<<<" not in line:
            until = found.group(2)
    return out


def _fallback(text: str, errexit: bool) -> list[SimpleCommand]:
    """Commands split on control operators and newlines by shlex, reserved words (`if`, `then`,
    `do`, `case ... in`, `pattern)`) dropped; positions found by searching forward."""
    lines = _without_heredocs([("" if line.lstrip().startswith("#") else line)
                               for line in text.replace("\\\n", "  ").split("\n")])
    lexer = shlex.shlex("\n".join(lines), posix=True, punctuation_chars=";&|()\n")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = "#"
    tokens: list[str] = []
    try:
        for token in lexer:
            tokens.append(token)
    except ValueError:
        tokens = text.split()
    commands: list[SimpleCommand] = []
    current: list[Word] = []
    pos = 0
    pending: list[tuple[list[Word], str | None]] = []
    for token in tokens:
        if token in _OPERATORS or set(token) <= set(";&|()\n"):
            pending.append((current, token.replace("\n", "") or "\n"))
            current = []
            continue
        found = text.find(token, pos)
        start = found if found != -1 else pos
        end = start + len(token) if found != -1 else pos
        pos = max(pos, end)
        current.append(Word(token, start, end))
    pending.append((current, None))
    for i, (words, op) in enumerate(pending):
        while words and words[0].text in _LEADING_RESERVED:
            words = words[1:]
        if words and (words[0].text in _HEADERS or words[0].text in _CLOSING_RESERVED
                      or op == ")" and len(words) == 1):  # a `case` pattern: `llm)`
            continue
        if not words:
            continue
        last = i == len(pending) - 1
        masked = op == "||" or op == "|" or (op in (";", "\n") and not errexit and not last)
        commands.append(SimpleCommand(words, words[0].start, words[-1].end, masked=masked and not last,
                                      approximate=True))
    return commands
