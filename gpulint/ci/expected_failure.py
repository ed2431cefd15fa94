"""How a CI script treats a command's exit status: is its failure required (the negative GPU
test: success must fail the step), fatal, ignored, or unknowable? Read from bashlex's trees of
the script: `if cmd; then exit 1; fi`, `! cmd`, `cmd && exit 1`, `cmd || true`, `set -e`,
captured `$?` checked later."""

from __future__ import annotations

from typing import Any

from gpulint.syntax.shell import bash_trees

REQUIRED, FAILS, IGNORED, UNKNOWN = "required", "fails", "ignored", "unknown"


def _words(node: Any) -> list[str]:
    return [p.word for p in getattr(node, "parts", []) if p.kind in ("word", "assignment")]


def _exits_nonzero(node: Any) -> bool:
    """A command (or any command inside a list/compound) that certainly fails the script."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.kind == "command":
            words = _words(current)
            if words[:1] == ["false"]:
                return True
            if words[:1] in (["exit"], ["return"]) and (len(words) == 1 or words[1] not in ("0", "$?")):
                return True
            continue
        if current.kind in ("if", "while", "until", "for", "function"):
            continue
        for attr in ("parts", "list"):
            stack.extend(c for c in getattr(current, attr, []) or [] if hasattr(c, "kind"))
    return False


def _path_to(trees: list, start: int) -> tuple[list, int] | None:
    """The chain of bashlex nodes from a top-level tree down to the command starting at ``start``."""
    for index, tree in enumerate(trees):
        chain = [tree]
        node = tree
        while node is not None:
            if node.kind == "command" and node.pos[0] == start:
                return chain, index
            nxt = None
            for attr in ("parts", "list"):
                for child in getattr(node, attr, []) or []:
                    if hasattr(child, "pos") and child.pos[0] <= start < child.pos[1] + (child.kind == "command"):
                        nxt = child
                        break
                if nxt is not None:
                    break
            if nxt is None or nxt.kind == "commandsubstitution":
                break
            chain.append(nxt)
            node = nxt
    return None


def failure_expected(text: str, start: int, end: int, errexit: bool, pipefail: bool = False) -> tuple[str, str]:
    """How a script treats the exit status of the command at ``start``: REQUIRED (its failure is
    required: success fails the step), FAILS (its failure fails the step), IGNORED, or UNKNOWN."""
    trees, error = bash_trees(text)
    if error is not None:
        return UNKNOWN, "the script could not be parsed"
    found = _path_to(trees, start)
    if found is None:
        return UNKNOWN, "the command was not found in the script"
    chain, top_index = found
    element = chain[-1]
    negated = False
    i = len(chain) - 2
    if i >= 0 and chain[i].kind == "pipeline":
        pipe = chain[i]
        members = [p for p in pipe.parts if p.kind not in ("pipe", "reservedword")]
        negated = any(p.kind == "reservedword" and p.word == "!" for p in pipe.parts)
        if members and members[-1] is not element and not pipefail:
            return IGNORED, "its status is lost in a pipe"
        element = pipe
        i -= 1
    captured = _captured_and_checked(trees, end)
    while i >= 0:
        parent = chain[i]
        if parent.kind == "if":
            parts = parent.parts
            index = next((k for k, p in enumerate(parts) if p is element), None)
            if index is None or index == 0 or parts[index - 1].kind != "reservedword" \
                    or parts[index - 1].word not in ("if", "elif"):
                return UNKNOWN, "inside an if body"
            then_part = [p for p in parts[index + 1:] if p.kind != "reservedword"]
            branches = _branches(parts, index)
            success, failure = (branches[1], branches[0]) if negated else (branches[0], branches[1])
            if any(_exits_nonzero(p) for p in success):
                return REQUIRED, "success leads to exit 1"
            if any(_exits_nonzero(p) for p in failure):
                return FAILS, "its failure leads to exit 1"
            del then_part
            return (REQUIRED, "its exit code is checked") if captured else (
                IGNORED, "the if lets both outcomes pass")
        if parent.kind == "list":
            items = list(parent.parts)
            index = next((k for k, p in enumerate(items) if p is element), None)
            if index is None:
                return UNKNOWN, ""
            op = items[index + 1] if index + 1 < len(items) and items[index + 1].kind == "operator" else None
            nxt = items[index + 2] if op is not None and index + 2 < len(items) else None
            if op is not None and op.op == "&&" and nxt is not None:
                if _exits_nonzero(nxt):
                    return (FAILS if negated else REQUIRED), "`&& exit 1` follows it"
                return IGNORED if not captured else REQUIRED, "`&&` hides its failure"
            if op is not None and op.op == "||" and nxt is not None:
                if _exits_nonzero(nxt):
                    return (REQUIRED if negated else FAILS), "`|| exit 1` follows it"
                return (REQUIRED, "its exit code is checked") if captured else (
                    IGNORED, "`||` hides its failure")
            if parent is chain[0] or i == 0 or chain[i - 1].kind in ("compound",):
                pass
            element = parent
            i -= 1
            continue
        if parent.kind == "compound":
            element = parent
            i -= 1
            continue
        return UNKNOWN, f"inside a {parent.kind}"
    if captured:
        return REQUIRED, "its exit code is checked"
    last = top_index == len(trees) - 1 and _is_last(trees[-1], start)
    if negated:
        if last:
            return REQUIRED, "`!` on the script's last command"
        return IGNORED, "bash -e ignores the status of a command negated with `!` unless it is the last one"
    if errexit or last:
        return FAILS, "its failure fails the step"
    return IGNORED, "the script goes on without `set -e`"


def _branches(parts: list, index: int) -> tuple[list, list]:
    """(then-branch nodes, else-branch nodes) of the `if` whose condition is parts[index]."""
    then_nodes: list = []
    else_nodes: list = []
    state = "cond"
    for part in parts[index + 1:]:
        if part.kind == "reservedword":
            if part.word == "then" and state == "cond":
                state = "then"
            elif part.word in ("elif", "else"):
                state = "else"
            continue
        if state == "then":
            then_nodes.append(part)
        elif state == "else":
            else_nodes.append(part)
    return then_nodes, else_nodes


def _is_last(tree: Any, start: int) -> bool:
    commands = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.kind == "command":
            commands.append(node.pos[0])
            continue
        for attr in ("parts", "list"):
            stack.extend(c for c in getattr(node, attr, []) or [] if hasattr(c, "kind"))
    return bool(commands) and max(commands) == start


def _captured_and_checked(trees: list, end: int) -> bool:
    """`cmd; rc=$?` / `cmd || rc=$?` then a test of `$rc` (or `$?` tested right away)."""
    commands = []
    stack = list(trees)
    while stack:
        node = stack.pop()
        if node.kind == "command":
            commands.append(node)
        for attr in ("parts", "list"):
            stack.extend(c for c in getattr(node, attr, []) or [] if hasattr(c, "kind"))
    later = sorted((c for c in commands if c.pos[0] >= end), key=lambda c: c.pos[0])
    if not later:
        return False
    first = later[0]
    words = _words(first)
    tests = ("[", "[[", "test")
    if any("$?" in w for w in words) and words[:1] and words[0] in tests:
        return True
    names = [w.split("=", 1)[0] for w in words if w.endswith("=$?") or w.endswith('="$?"')]
    if not names:
        return False
    for command in later[1:]:
        cwords = _words(command)
        if cwords and cwords[0] in tests + ("exit",) and any(
                f"${n}" in w or f"${{{n}}}" in w for n in names for w in cwords[1:]):
            return True
    return False
