"""Dockerfile variable syntax: ARG and ENV bodies, and ``$VAR`` expansion.

Expansion follows Docker's rules for ``$name``, ``${name}``, ``${name:-word}``, ``${name-word}``,
``${name:+word}`` and ``${name+word}``; a variable with no known value makes the result unknown
rather than guessed. Nothing here knows stages: ``variables`` applies it to a parsed Dockerfile.
"""

from __future__ import annotations


from gpulint.core.records import Record, field
from gpulint.syntax.shell import split_words

UNSET = None  # an ARG declared without a default: its value depends on --build-arg

# BuildKit's automatic platform arguments, with the values of a plain `docker build` on an x86-64
# host (no --platform). They are predefined in the global scope (usable in FROM without an ARG);
# inside a stage `ARG TARGETARCH` without a default takes the automatic value.
BUILDKIT_ARGS: dict[str, str] = {
    "TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64", "TARGETVARIANT": "",
    "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
}


class Expansion(Record):
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
    for word in split_words(body):
        name, sep, value = word.partition("=")
        if name:
            result.append((name, value if sep else UNSET))
    return result


def parse_env(body: str) -> list[tuple[str, str]]:
    """``ENV a=1 b="x y"`` or the legacy ``ENV a 1 2``."""
    words = split_words(body)
    if words and "=" not in words[0]:
        parts = body.strip().split(None, 1)
        return [(parts[0], parts[1] if len(parts) > 1 else "")]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words if "=" in w]

