"""Artifacts written as string values inside another file (a lab answers file).

The string's characters are mapped back to the characters of the YAML or JSON scalar that holds
them, so a finding in an embedded Dockerfile points at the right line and column of the
answers file. Each scalar style is decoded the way YAML decodes it (block scalars with their
indentation and chomping indicators, folding of `>` and of multi-line flow scalars, escapes,
CRLF line ends), recording where each character came from; the decoded text must equal the
parser's value, otherwise a line-by-line search is the fallback.
"""

from __future__ import annotations

from gpulint.syntax.yamlnode import ScalarNode
from gpulint.syntax.yamlnode import end as node_end
from gpulint.syntax.yamlnode import start as node_start
from gpulint.core.source import EmbeddedSource, Source, Span

_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_BREAKS = "\r\n"

Decoded = tuple[list[str], list[int]]  # characters and the offset each came from


def embed(parent: Source, node: ScalarNode, name: str, rel_suffix: str = "") -> EmbeddedSource:
    value = node.value
    text, end = parent.text, node_end(node)
    start = _skip_properties(text, node_start(node), end)
    offsets = None
    if node.style in ("|", ">"):
        offsets = _verified(_block(text, start, end, value, node.style == ">"), value, end)
    elif node.style in ('"', "'", None, ""):
        offsets = _verified(_flow(text, start, end, node.style or ""), value, end, exact=True)
    if offsets is None:
        offsets = _by_lines(text, start, end, value)
    label = f"{parent.rel_path} › {name}"
    source = EmbeddedSource(value, parent.rel_path, parent, offsets, label)
    source.edit_mapper = _edit_mapper(parent, node, offsets)
    return source


def _skip_properties(text: str, start: int, end: int) -> int:
    """The start of the scalar itself, after a tag (``!!str``) or anchor (``&a``) before it."""
    i = start
    while i < end and text[i] in "!&":
        while i < end and text[i] not in " \t\r\n":
            i += 1
        while i < end and text[i] in " \t\r\n":
            i += 1
    return i


def _verified(decoded: Decoded | None, value: str, end: int, exact: bool = False) -> list[int] | None:
    """Offsets when the decoding reproduces the value (a block's value may be a prefix: chomping)."""
    if decoded is None:
        return None
    chars, offsets = decoded
    if "".join(chars[: len(value)]) != value or (exact and len(chars) != len(value)):
        return None
    stop = offsets[len(value)] if len(offsets) > len(value) else end
    return offsets[: len(value)] + [stop]


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line in text[start:end], the end before its "\\r\\n" or "\\n"."""
    lines = []
    i = start
    while i < end:
        j = text.find("\n", i, end)
        stop = end if j == -1 else j
        content_end = stop - 1 if stop > i and text[stop - 1] == "\r" else stop
        lines.append((i, content_end))
        i = stop + 1
    return lines


def _block(text: str, start: int, end: int, value: str, folded: bool) -> Decoded | None:
    """A literal (``|``) or folded (``>``) block scalar, whatever its indicators."""
    header_end = text.find("\n", start, end)
    if header_end == -1:
        return [], []
    lines = _lines(text, header_end + 1, end)
    first_src = next(((s, e) for s, e in lines if text[s:e].strip()), None)
    first_val = next((line for line in value.split("\n") if line.strip()), None)
    if first_src is None or first_val is None:
        return _blank_block(lines)
    indent = _lead(text[first_src[0]:first_src[1]]) - _lead(first_val)
    if indent < 0:
        return None
    chars: list[str] = []
    offsets: list[int] = []
    previous: tuple[int, int] | None = None  # the last content line
    blanks: list[int] = []  # line-break offsets of blank lines since it
    for s, e in lines:
        body = s + indent
        if body >= e and not text[s:e].strip():
            blanks.append(e)
            continue
        if previous is not None:
            p_start, p_end = previous
            if folded and text[p_start:p_start + 1] not in " \t" and text[body:body + 1] not in " \t":
                if not blanks:
                    chars.append(" ")
                    offsets.append(p_end)
            else:
                chars.append("\n")
                offsets.append(p_end)
        for b in blanks:
            chars.append("\n")
            offsets.append(b)
        blanks = []
        chars.extend(text[body:e])
        offsets.extend(range(body, e))
        previous = (body, e)
    if previous is not None:  # the final line break and trailing blank lines (kept by "+")
        chars.append("\n")
        offsets.append(previous[1])
        for b in blanks:
            chars.append("\n")
            offsets.append(b)
    return chars, offsets


def _blank_block(lines: list[tuple[int, int]]) -> Decoded:
    return ["\n"] * len(lines), [e for _, e in lines]


def _lead(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _flow(text: str, start: int, end: int, style: str) -> Decoded | None:
    """A plain, single- or double-quoted scalar, with escapes and line folding."""
    quoted = style in ('"', "'")
    i, stop = (start + 1, end - 1) if quoted else (start, end)
    chars: list[str] = []
    offsets: list[int] = []
    while i < stop:
        ch = text[i]
        if style == '"' and ch == "\\" and i + 1 < stop:
            code = text[i + 1]
            if code in _BREAKS:  # escaped line break: joins lines, drops the next indentation
                i += 3 if text[i + 1:i + 3] == "\r\n" else 2
                while i < stop and text[i] in " \t":
                    i += 1
                continue
            if code in _SIMPLE_ESCAPES:
                chars.append(_SIMPLE_ESCAPES[code])
                offsets.append(i)
                i += 2
                continue
            width = _HEX_ESCAPES.get(code)
            if width is None:
                return None
            try:
                chars.append(chr(int(text[i + 2:i + 2 + width], 16)))
            except ValueError:
                return None
            offsets.append(i)
            i += 2 + width
            continue
        if style == "'" and ch == "'" and text[i + 1:i + 2] == "'":
            chars.append("'")
            offsets.append(i)
            i += 2
            continue
        if ch in " \t":
            j = i
            while j < stop and text[j] in " \t":
                j += 1
            if j < stop and text[j] in _BREAKS:  # trailing white space before a break is folded away
                i = j
                continue
            chars.extend(text[i:j])
            offsets.extend(range(i, j))
            i = j
            continue
        if ch in _BREAKS:
            j, breaks = i, 0
            while j < stop and text[j] in " \t\r\n":
                breaks += text[j] == "\n" or (text[j] == "\r" and text[j + 1:j + 2] != "\n")
                j += 1
            chars.extend(" " if breaks <= 1 else "\n" * (breaks - 1))
            offsets.extend([i] * (1 if breaks <= 1 else breaks - 1))
            i = j
            continue
        chars.append(ch)
        offsets.append(i)
        i += 1
    return chars, offsets + [stop]


def _by_lines(text: str, start: int, end: int, value: str) -> list[int]:
    """Fallback: find each line of the value in the scalar's source text, in order."""
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


def scalar_locator(source: Source, node: ScalarNode):
    """A function turning offsets in a YAML scalar's value into spans of ``source``: a script in a
    CI file, wherever quoting, folding or an answers file put its characters."""
    inner = embed(source, node, "value")
    last = len(inner.offsets) - 1

    def locate(start: int, end: int) -> Span:
        return Span(source, inner.offsets[max(0, min(start, last))], inner.offsets[max(0, min(end, last))])

    return locate


# --------------------------------------------------------------------------- edits

def _edit_mapper(parent: Source, node: ScalarNode, offsets: list[int]):
    """Writes an edit of the decoded string back into the scalar as written: a literal block
    (``|``) gets the block's indentation after each inserted line break, a double-quoted (JSON)
    string gets JSON escapes. Other styles (plain, single-quoted, folded) fold line breaks and
    are not mapped. Every mapped edit is checked by parsing the edited parent again."""
    style = node.style
    value = node.value
    if style == "|":
        text = parent.text
        first = next((i for i, ch in enumerate(value) if ch not in "\n"), None)
        if first is None:
            return None
        line_start = text.rfind("\n", 0, offsets[first]) + 1
        indent = text[line_start:offsets[first]]
        if indent.strip(" "):
            return None

        def encode(content: str) -> str:
            lines = content.split("\n")
            return "\n".join([lines[0]] + [(indent + line) if line or i == len(lines) - 2 else line
                                           for i, line in enumerate(lines[1:])])
    elif style == '"':
        import json

        def encode(content: str) -> str:
            return json.dumps(content, ensure_ascii=False)[1:-1]
    else:
        return None

    def mapper(begin: int, end: int, content: str) -> tuple[int, int, str] | None:
        n = len(value)
        if not 0 <= begin <= end <= n:
            return None
        expected = value[:begin] + content + value[end:]
        if style == "|" and begin == end and content.endswith("\n") and (begin == 0 or value[begin - 1] == "\n"):
            # Whole lines inserted at a line start: indented lines before the parent's line that
            # holds that character (a blank line of the block included), or after the last line.
            text = parent.text
            if begin < n:
                lo = text.rfind("\n", 0, offsets[begin]) + 1
            else:
                lo = text.find("\n", offsets[n - 1]) + 1 if n and value.endswith("\n") else 0
            if lo <= 0:
                return None
            written = "".join((indent + line if line else "") + "\n" for line in content[:-1].split("\n"))
            edited = text[:lo] + written + text[lo:]
            return (lo, lo, written) if _scalar_at(edited, node.start_mark.index) == expected else None
        lo, hi = offsets[begin], offsets[end]
        written = encode(content)
        edited = parent.text[:lo] + written + parent.text[hi:]
        return (lo, hi, written) if _scalar_at(edited, node.start_mark.index) == expected else None

    return mapper


def _scalar_at(text: str, index: int) -> str | None:
    """The value of the scalar that starts at ``index`` once ``text`` is parsed again."""
    import yaml

    try:
        loader = yaml.CSafeLoader
    except AttributeError:  # PyYAML built without libyaml
        loader = yaml.SafeLoader
    try:
        documents = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError:
        return None
    stack = [d for d in documents if d is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.start_mark.index == index:
                return node.value
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None
