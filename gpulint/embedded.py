"""Artifacts written as string values inside another file (a lab answers file).

The string's characters are mapped back to the characters of the YAML or JSON scalar that holds
them, so a finding in an embedded Dockerfile points at the right line and column of the
answers file. Double-quoted scalars (all JSON strings) are decoded escape by escape; other
styles are matched line by line against the scalar's text.
"""

from __future__ import annotations

from gpulint.models.yamlnode import ScalarNode
from gpulint.source import EmbeddedSource, Source

_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def embed(parent: Source, node: ScalarNode, name: str, rel_suffix: str = "") -> EmbeddedSource:
    value = node.value
    offsets = None
    if node.style == '"':
        offsets = _double_quoted(parent.text, node.start_mark.index, node.end_mark.index, value)
    if offsets is None:
        offsets = _by_lines(parent.text, node.start_mark.index, node.end_mark.index, value)
    label = f"{parent.rel_path} › {name}"
    return EmbeddedSource(value, parent.rel_path, parent, offsets, label)


def _double_quoted(text: str, start: int, end: int, value: str) -> list[int] | None:
    out: list[str] = []
    offsets: list[int] = []
    i = start + 1
    stop = end - 1
    while i < stop:
        ch = text[i]
        if ch == "\\" and i + 1 < stop:
            code = text[i + 1]
            if code in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[code])
                offsets.append(i)
                i += 2
                continue
            if code in _HEX_ESCAPES:
                width = _HEX_ESCAPES[code]
                try:
                    out.append(chr(int(text[i + 2:i + 2 + width], 16)))
                except ValueError:
                    return None
                offsets.append(i)
                i += 2 + width
                continue
            if code in "\r\n":  # escaped line break: joins lines
                i += 2
                while i < stop and text[i] in " \t\r\n":
                    i += 1
                continue
            return None
        if ch in "\r\n":  # folded line break inside a quoted scalar
            j = i
            breaks = 0
            while j < stop and text[j] in " \t\r\n":
                breaks += text[j] == "\n"
                j += 1
            if breaks <= 1:
                out.append(" ")
                offsets.append(i)
            else:
                for _ in range(breaks - 1):
                    out.append("\n")
                    offsets.append(i)
            i = j
            continue
        out.append(ch)
        offsets.append(i)
        i += 1
    if "".join(out) != value:
        return None
    offsets.append(stop)
    return offsets


def _by_lines(text: str, start: int, end: int, value: str) -> list[int]:
    """Find each line of the value in the scalar's source text, in order."""
    offsets: list[int] = []
    pointer = start
    for line in value.split("\n"):
        found = text.find(line, pointer, end) if line else -1
        if line and found == -1:
            found = pointer
        base = found if found != -1 else pointer
        offsets.extend(min(base + k, end) for k in range(len(line)))
        after = base + len(line)
        newline = text.find("\n", after, end)
        offsets.append(newline if newline != -1 else min(after, end))  # the "\n" of this line
        pointer = newline + 1 if newline != -1 else min(after, end)
    # ``split`` produced one separator too many; the last entry stands for the end.
    return offsets[: len(value)] + [offsets[len(value)] if len(offsets) > len(value) else end]
