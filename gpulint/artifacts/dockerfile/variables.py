"""Dockerfile variables: ARG and ENV parsing, ``$VAR`` expansion, and the user a stage runs as.

Expansion follows Docker's rules for ``$name``, ``${name}``, ``${name:-word}``, ``${name-word}``,
``${name:+word}`` and ``${name+word}``; a variable with no known value makes the result unknown
rather than guessed.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage

UNSET = None  # an ARG declared without a default: its value depends on --build-arg


@dataclass
class Expansion:
    value: str | None  # None when a variable has no known value
    unresolved: list[str] = field(default_factory=list)


def _name_end(text: str, i: int) -> int:
    while i < len(text) and (text[i].isalnum() or text[i] == "_"):
        i += 1
    return i


def expand(text: str, variables: dict[str, str | None], escape: str = "\\") -> Expansion:
    if "$" not in text:
        return Expansion(text)
    out: list[str] = []
    unresolved: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == escape and i + 1 < len(text) and text[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if ch != "$" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        if text[i + 1] == "{":
            close = text.find("}", i + 2)
            if close == -1:
                out.append(text[i:])
                break
            inner = text[i + 2:close]
            name_end = _name_end(inner, 0)
            name, rest = inner[:name_end], inner[name_end:]
            i = close + 1
        else:
            name_end = _name_end(text, i + 1)
            if name_end == i + 1:
                out.append("$")
                i += 1
                continue
            name, rest = text[i + 1:name_end], ""
            i = name_end
        declared = name in variables
        value = variables.get(name)  # None: undeclared, or an ARG with no default
        # With an operator, an ARG without default counts as unset: the plain ``docker build``.
        if rest.startswith(":-"):
            out.append(rest[2:] if not value else value)
            continue
        if rest.startswith("-"):
            out.append(rest[1:] if value is None else value)
            continue
        if rest.startswith(":+"):
            out.append(rest[2:] if value else "")
            continue
        if rest.startswith("+"):
            out.append(rest[1:] if value is not None else "")
            continue
        if value is None:
            if declared:
                unresolved.append(name)
            else:
                out.append("")  # Docker expands an undefined variable to nothing
            continue
        out.append(value or "")
    if unresolved:
        return Expansion(None, unresolved)
    return Expansion("".join(out))


def parse_arg(body: str) -> list[tuple[str, str | None]]:
    """``ARG a=1 b`` as [("a", "1"), ("b", None)]."""
    result = []
    for word in _split(body):
        name, sep, value = word.partition("=")
        if name:
            result.append((name, value if sep else UNSET))
    return result


def parse_env(body: str) -> list[tuple[str, str]]:
    """``ENV a=1 b="x y"`` or the legacy ``ENV a 1 2``."""
    words = _split(body)
    if words and "=" not in words[0]:
        parts = body.strip().split(None, 1)
        return [(parts[0], parts[1] if len(parts) > 1 else "")]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words if "=" in w]


def _split(body: str) -> list[str]:
    try:
        return shlex.split(body, posix=True)
    except ValueError:
        return body.split()


@dataclass
class UserSetting:
    """The user a stage runs as, and which instruction decided it (None: nobody set one)."""

    raw: str | None
    value: str | None  # expanded; None when it depends on a build argument
    instruction: Instruction | None
    unresolved: list[str] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        if self.value is None:
            return None
        return self.value.split(":", 1)[0].strip()

    @property
    def is_root(self) -> bool:
        """Docker's default user is root; ``0``, ``root`` and ``0:0`` are all root."""
        if self.raw is None:
            return True
        name = self.name
        if name is None:
            return False
        return name == "root" or (name.isdigit() and int(name) == 0) or name == ""


def stage_variables(dockerfile: Dockerfile, stage: Stage, upto: Instruction | None = None) -> dict[str, str | None]:
    """Variables visible in ``stage`` just before ``upto`` (ENV inherited from parent stages)."""
    variables: dict[str, str | None] = {}
    for ancestor in reversed(stage.ancestry()):
        own = ancestor is stage
        args: dict[str, str | None] = {}
        for instruction in ancestor.instructions:
            if own and instruction is upto:
                break
            if instruction.keyword == "ENV":
                for name, value in parse_env(instruction.body):
                    variables[name] = expand(value, {**variables, **args}, dockerfile.escape).value
            elif instruction.keyword == "ARG" and own:
                for name, value in parse_arg(instruction.body):
                    if value is None:
                        value = dockerfile.global_args.get(name, UNSET)
                    else:
                        value = expand(value, {**variables, **args}, dockerfile.escape).value
                    args[name] = value
        if own:
            merged = dict(args)
            merged.update({k: v for k, v in variables.items()})  # ENV wins over ARG of the same name
            return merged
    return variables


def effective_user(dockerfile: Dockerfile, stage: Stage) -> UserSetting:
    """The last USER in the stage or the stages it inherits from, expanded."""
    for ancestor in stage.ancestry():
        for instruction in reversed(ancestor.instructions):
            if instruction.keyword == "USER":
                raw = instruction.body.strip()
                variables = stage_variables(dockerfile, ancestor, instruction)
                expansion = expand(raw, variables, dockerfile.escape)
                return UserSetting(raw, expansion.value, instruction, expansion.unresolved)
    return UserSetting(None, None, None)
