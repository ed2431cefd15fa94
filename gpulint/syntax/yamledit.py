"""Text edits on YAML (and JSON) that keep the file the author wrote.

Fixes change a YAML file by editing the text at the positions PyYAML's node marks give, never by
dumping a loaded document again: comments, key order, quoting, flow style, indentation and
everything outside the edit stay as they were. A new key goes in as a line of its own at its
mapping's indentation (in a flow mapping or a JSON object: after the last entry, with a comma);
new values are written in the style of the place they go (block, flow, or JSON when the keys
around them are double-quoted), scalars quoted by PyYAML's own emitter where YAML needs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from gpulint.core.fix import Edit
from gpulint.core.source import Source, above_comments, line_start
from gpulint.syntax import yamlnode as Y

_PLAIN_FLOW = re.compile(r"[A-Za-z0-9_/.](?:[A-Za-z0-9_./@+= -]*[A-Za-z0-9_./@+=-])?")


# ----------------------------------------------------------------------------- writing values

class Flow(list):
    """A list written in flow style inside block YAML: ``command: [python3, /app/x.py]``."""


class Raw(str):
    """A scalar written exactly as given: text copied from another node of the same file."""


def scalar_text(value: Any, flow: bool = False, json_style: bool = False) -> str:
    """A scalar as YAML writes it in block or flow context (or as JSON)."""
    if isinstance(value, Raw):
        return str(value)
    if json_style:
        return json.dumps(value, ensure_ascii=False)
    if flow:
        if isinstance(value, str) and not (_PLAIN_FLOW.fullmatch(value) and " #" not in value
                                           and yaml.safe_load(value) == value):
            return json.dumps(value, ensure_ascii=False)
        dumped = yaml.safe_dump([value], default_flow_style=True, width=10**9, allow_unicode=True).strip()
        return dumped[1:-1]
    dumped = yaml.safe_dump(value, width=10**9, allow_unicode=True, default_flow_style=False)
    if dumped.endswith("\n...\n"):
        dumped = dumped[:-5]
    return dumped.rstrip("\n")


def flow_text(value: Any, json_style: bool = False) -> str:
    """A value on one line in flow style: ``{exec: {command: [python3, /app/x.py]}}``."""
    if isinstance(value, Raw):
        return str(value)
    if json_style:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{json.dumps(k)}: {flow_text(v, True)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(flow_text(v, True) for v in value) + "]"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar_text(k, flow=True)}: {flow_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow_text(v) for v in value) + "]"
    return scalar_text(value, flow=True)


def block_lines(value: Any, step: int = 2, seq_indent: int = 2) -> list[str]:
    """A mapping or list as block YAML lines, indented from column 0."""
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            head = scalar_text(key)
            if isinstance(item, (dict, list)) and item and not isinstance(item, Flow):
                lines.append(f"{head}:")
                inner = step if isinstance(item, dict) else seq_indent
                lines.extend(" " * inner + line for line in block_lines(item, step, seq_indent))
            else:
                lines.append(f"{head}: {flow_text(item) if isinstance(item, (dict, list)) else scalar_text(item)}")
        return lines
    if isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = block_lines(item, step, seq_indent)
                lines.append("- " + inner[0])
                lines.extend("  " + line for line in inner[1:])
            else:
                lines.append("- " + (flow_text(item) if isinstance(item, (dict, list)) else scalar_text(item)))
        return lines
    return [scalar_text(value)]


# ----------------------------------------------------------------------------- reading layout

class Layout:
    """How a document is indented: the step between nested mappings, where sequence dashes sit,
    and whether it is JSON."""

    def __init__(self, source: Source, document: Y.Node | None):
        self.source = source
        self.step = 2
        self.seq_indent = 2
        self.json = False
        if document is None:
            return
        self.json = bool(Y.is_map(document) and document.flow_style and document.value
                         and document.value[0][0].style == '"')
        steps: list[int] = []
        seq: list[int] = []
        for _, node in Y.walk(document):
            if not Y.is_map(node) or node.flow_style:
                continue
            for key, value in node.value:
                if Y.is_map(value) and not value.flow_style and value.value:
                    steps.append(Y.column(source.text, value.value[0][0]) - Y.column(source.text, key))
                elif Y.is_seq(value) and not value.flow_style and value.value:
                    seq.append(dash_column(source, value) - Y.column(source.text, key))
            if len(steps) > 3 and len(seq) > 1:
                break
        positive = [s for s in steps if s > 0]
        if positive:
            self.step = max(set(positive), key=positive.count)
        if seq:
            self.seq_indent = max(0, max(set(seq), key=seq.count))


def dash_column(source: Source, seq: Y.SequenceNode) -> int:
    """The column (0-based) of the ``-`` of a block sequence's first item."""
    first = seq.value[0].start_mark.index
    segment = source.text[line_start(source.text, first):first]
    dash = segment.rfind("-")
    return dash if dash != -1 else Y.column(source.text, seq)


def content_end(text: str, node: Y.Node) -> int:
    """Where a node's own text ends (a block scalar without its trailing line breaks; a block
    collection at the end of its last entry)."""
    if Y.is_scalar(node):
        end = node.end_mark.index
        if node.style in ("|", ">"):
            while end > node.start_mark.index and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    if Y.is_map(node) and not node.flow_style and node.value:
        key, value = node.value[-1]
        return max(content_end(text, value), key.end_mark.index)
    if Y.is_seq(node) and not node.flow_style and node.value:
        return max(content_end(text, node.value[-1]), node.value[-1].start_mark.index)
    return node.end_mark.index


def _line_after(text: str, pos: int) -> int:
    """The start of the line after the one ``pos`` is on (the end of the text if none)."""
    newline = text.find("\n", pos)
    return len(text) if newline == -1 else newline + 1


def _starts_line(text: str, pos: int) -> bool:
    return not text[line_start(text, pos):pos].strip()


def _is_alias_value(key: Y.Node, value: Y.Node) -> bool:
    return value.start_mark.index < key.end_mark.index


# ----------------------------------------------------------------------------- edits

def insert_pair(source: Source, mapping: Y.MappingNode, key: str, value: Any, layout: Layout,
                before: Sequence[str] = ()) -> Edit | None:
    """Add ``key: value`` to a mapping (before the first of ``before`` that starts its own line,
    else after the last entry)."""
    return insert_pairs(source, mapping, {key: value}, layout, before)


def insert_pairs(source: Source, mapping: Y.MappingNode, items: dict[str, Any], layout: Layout,
                 before: Sequence[str] = ()) -> Edit | None:
    """Add several ``key: value`` entries to a mapping in one insertion."""
    text = source.text
    if not Y.is_map(mapping) or not items:
        return None
    if mapping.flow_style:
        return _insert_flow_pairs(source, mapping, items, layout)
    if not mapping.value:
        return None
    column = Y.column(source.text, mapping.value[0][0])
    lines = [line for key, value in items.items() for line in _pair_lines(key, value, layout)]
    body = "".join(" " * column + line + "\n" for line in lines)
    own = [k for k, _ in mapping.value]
    for name in before:
        pair = Y.get_pair(mapping, name)
        if pair is not None and pair[0] in own and _starts_line(text, pair[0].start_mark.index):
            at = above_comments(text, line_start(text, pair[0].start_mark.index))
            return Edit.insert(source, at, body)
    last_key, last_value = mapping.value[-1]
    end = max(content_end(text, last_value), last_key.end_mark.index)
    at = _line_after(text, end)
    if at == len(text) and not text.endswith("\n"):
        return Edit.insert(source, at, "\n" + body[:-1])
    return Edit.insert(source, at, body)


def _pair_lines(key: str, value: Any, layout: Layout) -> list[str]:
    if layout.json:
        return [f"{json.dumps(key)}: {flow_text(value, True)}"]
    if isinstance(value, (dict, list)) and value and not isinstance(value, Flow):
        inner = layout.step if isinstance(value, dict) else layout.seq_indent
        return [f"{scalar_text(key)}:"] + [" " * inner + line
                                           for line in block_lines(value, layout.step, layout.seq_indent)]
    return [f"{scalar_text(key)}: {flow_text(value) if isinstance(value, (dict, list)) else scalar_text(value)}"]


def _insert_flow_pairs(source: Source, mapping: Y.MappingNode, items: dict[str, Any],
                       layout: Layout) -> Edit | None:
    text = source.text
    json_style = layout.json or bool(mapping.value and mapping.value[0][0].style == '"')
    entries = [f"{scalar_text(key, flow=True, json_style=json_style)}: {flow_text(value, json_style)}"
               for key, value in items.items()]
    if not mapping.value:
        close = mapping.end_mark.index - 1
        if text[close:close + 1] != "}":
            return None
        return Edit.insert(source, close, ", ".join(entries))
    last_key, last_value = mapping.value[-1]
    if _is_alias_value(last_key, last_value):
        return None
    end = content_end(text, last_value)
    if Y.same_line(source.text, last_key, mapping):
        return Edit.insert(source, end, "".join(", " + entry for entry in entries))
    column = Y.column(source.text, last_key)
    if json_style:  # one entry per line, nested values spread as the file spreads them
        opening = text[line_start(text, mapping.start_mark.index):mapping.start_mark.index]
        step = column - (len(opening) - len(opening.lstrip(" "))) or 2
        entries = [json.dumps(key, ensure_ascii=False) + ": " +
                   json.dumps(value, indent=max(step, 1), ensure_ascii=False).replace("\n", "\n" + " " * column)
                   for key, value in items.items()]
    return Edit.insert(source, end, "".join(",\n" + " " * column + entry for entry in entries))


def set_value(source: Source, mapping: Y.MappingNode, key: str, value: Any, layout: Layout,
              before: Sequence[str] = ()) -> Edit | None:
    """``key: value`` in the mapping: added when absent, written in place of a null value or of
    the value there."""
    pair = Y.get_pair(mapping, key)
    if pair is None:
        return insert_pair(source, mapping, key, value, layout, before)
    key_node, old = pair
    if key_node not in [k for k, _ in mapping.value]:
        return None  # merged in from an anchor: the place to write is elsewhere
    if _is_alias_value(key_node, old):
        return None
    return replace_value(source, mapping, key_node, old, value, layout)


def replace_value(source: Source, mapping: Y.MappingNode, key: Y.Node, old: Y.Node, value: Any,
                  layout: Layout) -> Edit | None:
    """Write ``value`` where ``old`` (the value of ``key`` in ``mapping``) is."""
    text = source.text
    flow = bool(mapping.flow_style)
    json_style = layout.json or key.style == '"'
    colon = text.find(":", key.end_mark.index)
    if colon == -1:
        return None
    start, end = old.start_mark.index, old.end_mark.index
    if Y.is_null(old) and end <= start:  # `key:` with nothing after it
        start = end = colon + 1
    if flow or json_style or not isinstance(value, (dict, list)) or not value or isinstance(value, Flow):
        written = flow_text(value, json_style) if isinstance(value, (dict, list)) else \
            scalar_text(value, flow=flow, json_style=json_style)
        if start == colon + 1:
            written = " " + written
        return Edit(source, start, end, written)
    column = Y.column(source.text, key)
    inner = layout.step if isinstance(value, dict) else layout.seq_indent
    lines = block_lines(value, layout.step, layout.seq_indent)
    if Y.is_null(old):  # the block goes on the lines below the key; a comment stays on its line
        body = "".join(" " * (column + inner) + line + "\n" for line in lines)
        eol = _line_after(text, end)
        if eol == len(text) and not text.endswith("\n"):
            return Edit(source, colon + 1, eol, text[end:eol] + "\n" + body[:-1])
        if end == start:
            return Edit.insert(source, eol, body)
        return Edit(source, colon + 1, eol, text[end:eol] + body)
    written = "".join("\n" + " " * (column + inner) + line for line in lines)
    return Edit(source, colon + 1, max(end, colon + 1), written)


def replace_scalar(source: Source, node: Y.Node, value: Any, flow: bool = False,
                   json_style: bool = False) -> Edit | None:
    if not Y.is_scalar(node):
        return None
    json_style = json_style or node.style == '"' and source.rel_path.lower().endswith(".json")
    written = flow_text(value, json_style) if isinstance(value, (dict, list)) else \
        scalar_text(value, flow=flow, json_style=json_style)
    return Edit(source, node.start_mark.index, node.end_mark.index, written)


def append_item(source: Source, seq: Y.SequenceNode, value: Any, layout: Layout) -> Edit | None:
    """Add an item at the end of a sequence."""
    return append_items(source, seq, [value], layout)


def append_items(source: Source, seq: Y.SequenceNode, values: list[Any], layout: Layout) -> Edit | None:
    """Add items at the end of a sequence, in one insertion."""
    text = source.text
    if not Y.is_seq(seq) or not values:
        return None
    if seq.flow_style:
        json_style = layout.json or any(Y.is_scalar(i) and i.style == '"' for i in seq.value)
        entries = [flow_text(value, json_style) for value in values]
        if not seq.value:
            close = seq.end_mark.index - 1
            return Edit.insert(source, close, ", ".join(entries)) if text[close:close + 1] == "]" else None
        last = seq.value[-1]
        end = content_end(text, last)
        if Y.same_line(source.text, last, seq):
            return Edit.insert(source, end, "".join(", " + entry for entry in entries))
        return Edit.insert(source, end, "".join(",\n" + " " * Y.column(source.text, last) + entry for entry in entries))
    if not seq.value:
        return None
    column = dash_column(source, seq)
    lines = block_lines(list(values), layout.step, layout.seq_indent)
    body = "".join(" " * column + line + "\n" for line in lines)
    last = seq.value[-1]
    end = max(content_end(text, last), last.start_mark.index)
    at = _line_after(text, end)
    if at == len(text) and not text.endswith("\n"):
        return Edit.insert(source, at, "\n" + body[:-1])
    return Edit.insert(source, at, body)


def layout_of(source: Source, documents: Sequence[Y.Node], node: Y.Node) -> Layout:
    """The layout of the document that holds ``node`` (computed once per document)."""
    index = node.start_mark.index
    for document in documents:
        if document.start_mark.index <= index <= document.end_mark.index:
            cached = getattr(document, "_gpulint_layout", None)
            if cached is None or cached.source is not source:
                cached = Layout(source, document)
                document._gpulint_layout = cached  # type: ignore[attr-defined]
            return cached
    return Layout(source, None)
