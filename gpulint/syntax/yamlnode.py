"""Reading PyYAML's composed node trees: keys, values, spans and plain values.

Rules read YAML through these helpers so that they see what a YAML loader sees (merge keys,
anchors, typed scalars) while keeping every node's position. Comments never reach a node, so a
comment that mentions a key can never satisfy a rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from gpulint.core.source import Source, Span

MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"

Node = yaml.Node
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode
ScalarNode = yaml.ScalarNode

_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class Offset(int):
    """A node's position kept as a character offset into its source (a PyYAML mark object per
    position was about a third of a node's memory). It is an ``int`` that also answers ``index``,
    as a mark does; lines and columns come from ``line`` and ``column``."""

    __slots__ = ()

    @property
    def index(self) -> int:
        return int(self)


def start(node: Node) -> int:
    """Where a node starts: a character offset into its source. Nodes of ``yamlfile.load_yaml``
    keep ``Offset``s; nodes composed elsewhere keep PyYAML's marks."""
    return node.start_mark.index


def end(node: Node) -> int:
    return node.end_mark.index


def line(source: Source, node: Node) -> int:
    """The 1-based line a node starts on, counted as YAML counts line breaks (CR LF, CR, LF, NEL,
    LS and PS)."""
    mark = node.start_mark
    if not isinstance(mark, int):
        return mark.line + 1
    return line_at(source.text, mark)


def line_at(text: str, offset: int) -> int:
    """The 1-based line of an offset, counted as YAML counts line breaks."""
    text = text[:offset]
    return (1 + text.count("\n") + text.count("\r") - text.count("\r\n") + text.count("\x85")
            + text.count("\u2028") + text.count("\u2029"))


def column(text: str, node: Node) -> int:
    """The 0-based column a node starts at (what a PyYAML mark's ``column`` is)."""
    mark = node.start_mark
    if not isinstance(mark, int):
        return mark.column
    return mark - _line_start(text, mark)


def same_line(text: str, a: Node, b: Node) -> bool:
    """Whether two nodes start on the same line."""
    lo, hi = sorted((start(a), start(b)))
    return _line_start(text, hi) <= lo


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind(c, 0, offset) for c in "\n\r\x85\u2028\u2029") + 1


def span(source: Source, node: Node) -> Span:
    return Span(source, start(node), end(node))


def is_map(node: Node | None) -> bool:
    return isinstance(node, MappingNode)


def is_seq(node: Node | None) -> bool:
    return isinstance(node, SequenceNode)


def is_scalar(node: Node | None) -> bool:
    return isinstance(node, ScalarNode)


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG)


def pairs(node: Node | None) -> list[tuple[ScalarNode, Node]]:
    """Key/value pairs of a mapping as a loader sees them, merge keys (``<<``) resolved.

    Explicit keys come after merged ones so a lookup that keeps the last match honours YAML's
    rule that explicit keys override merged ones.
    """
    if not isinstance(node, MappingNode):
        return []
    merged: list[tuple[ScalarNode, Node]] = []
    own: list[tuple[ScalarNode, Node]] = []
    for key, value in node.value:
        if key.tag == MERGE_TAG:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for src in sources:
                merged.extend(pairs(src))
        else:
            own.append((key, value))
    return merged + own if merged else own


def key_text(key: Node) -> str | None:
    return key.value if isinstance(key, ScalarNode) else None


def get_pair(node: Node | None, key: str) -> tuple[ScalarNode, Node] | None:
    """The last pair with this key (what PyYAML and most loaders keep); explicit keys win over merged."""
    if not isinstance(node, MappingNode):
        return None
    found = None
    merges = False
    for k, v in node.value:
        if k.tag == MERGE_TAG:
            merges = True
        elif k.value == key and isinstance(k, ScalarNode):
            found = (k, v)
    if found is None and merges:
        for k, v in pairs(node):
            if isinstance(k, ScalarNode) and k.value == key:
                found = (k, v)
    return found


def get(node: Node | None, key: str) -> Node | None:
    pair = get_pair(node, key)
    return pair[1] if pair else None


def get_path(node: Node | None, *keys: str | int) -> Node | None:
    for key in keys:
        if node is None:
            return None
        if isinstance(key, int):
            node = node.value[key] if isinstance(node, SequenceNode) and key < len(node.value) else None
        else:
            node = get(node, key)
    return node


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def scalar(node: Node | None) -> Any:
    """The Python value of a scalar node as a safe loader types it; None for non-scalars."""
    if not isinstance(node, ScalarNode):
        return None
    build = _SCALAR_CONSTRUCTOR.yaml_constructors.get(node.tag)
    if build is None:
        return node.value
    try:
        return build(_SCALAR_CONSTRUCTOR, node)
    except (ValueError, TypeError, yaml.YAMLError):
        return node.value


def text(node: Node | None) -> str | None:
    """A scalar's text as written (quotes removed), whatever its type; None otherwise."""
    if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
        return node.value
    return None


def to_python(node: Node | None) -> Any:
    """A whole subtree as plain Python (the tree is already bounded against alias bombs)."""
    if node is None:
        return None
    constructor = yaml.constructor.SafeConstructor()
    try:
        return constructor.construct_document(node)
    except (yaml.YAMLError, TypeError, ValueError, RecursionError):
        return None


def walk(node: Node, path: tuple = ()) -> Iterator[tuple[tuple, Node]]:
    """Every node under ``node`` with its key path; shared (aliased) nodes are visited once."""
    seen: set[int] = set()
    stack: list[tuple[tuple, Node]] = [(path, node)]
    while stack:
        p, n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield p, n
        if isinstance(n, MappingNode):
            for k, v in reversed(n.value):
                stack.append((p + (k.value if isinstance(k, ScalarNode) else "?",), v))
        elif isinstance(n, SequenceNode):
            for i in range(len(n.value) - 1, -1, -1):
                stack.append((p + (i,), n.value[i]))
