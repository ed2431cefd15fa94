"""Composing YAML once, safely, into node trees that keep positions.

libyaml's C composer is fast but recurses once per nesting level and crashes the interpreter on
very deep input, and a composed tree shares aliased nodes, so a naive walk of a "billion laughs"
document never ends. Both are bounded here before any rule sees a node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from gpulint.core.limits import Limits
from gpulint.syntax.yamlnode import MappingNode, Node, ScalarNode, SequenceNode, scalar
from gpulint.core.source import Source, Span

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class DuplicateKey:
    key: ScalarNode
    first: ScalarNode
    mapping: MappingNode


@dataclass
class YamlFile:
    kind = "yaml"
    source: Source
    documents: list[Node] = field(default_factory=list)
    problems: list[tuple[Span, str]] = field(default_factory=list)
    duplicates: list[DuplicateKey] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _error_span(source: Source, error: yaml.YAMLError) -> Span:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return Span(source, 0, 0)
    offset = source.offset(mark.line + 1, mark.column + 1)
    return Span(source, offset, offset + 1)


def _error_message(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        text = f"{problem} {context}" if context else problem
    else:
        text = str(error).splitlines()[0]
    return f"invalid YAML: {text}"


_BLOCK_PREFIX = re.compile(r"^[ \t?-]+", re.M)


def _block_prefix(text: str) -> int:
    return max((m.end() - m.start() for m in _BLOCK_PREFIX.finditer(text)), default=0)


def _nesting_problem(source: Source, limits: Limits) -> tuple[Span, str] | None:
    """Measure nesting with libyaml's event stream (iterative) before composing (recursive)."""
    depth = 0
    try:
        for event in yaml.parse(source.text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > limits.max_depth:
                    start = event.start_mark.index
                    return (Span(source, start, start + 1),
                            f"YAML nesting deeper than {limits.max_depth} levels; not linted")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # composing reports the syntax error with its position
    return None


def _expanded_size(root: Node, budget: int) -> int:
    """Nodes a loader would build once aliases are expanded, counting no further than budget.

    A node that contains itself (``a: &a [*a]``) expands without end: it counts as over budget.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes and not done:
            continue
        if isinstance(node, MappingNode):
            children = [n for kv in node.value for n in kv]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:
            sizes[key] = 1
            continue
        if done:
            open_nodes.discard(key)
            sizes[key] = min(budget + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
            continue
        if key in open_nodes:
            return budget + 1  # reached itself again before finishing: a recursive alias
        open_nodes.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                return budget + 1
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes.get(id(root), 1)


def _find_duplicates(root: Node) -> list[DuplicateKey]:
    found: list[DuplicateKey] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[object, ScalarNode] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    ident = (key.tag, scalar(key)) if key.tag != "tag:yaml.org,2002:str" else key.value
                    try:
                        prior = first.get(ident)
                    except TypeError:
                        prior = None
                        ident = key.value
                    if prior is not None:
                        found.append(DuplicateKey(key, prior, node))
                    else:
                        first[ident] = key
                stack.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    found.sort(key=lambda d: d.key.start_mark.index)
    return found


def load_yaml(source: Source, limits: Limits) -> YamlFile:
    result = YamlFile(source)
    text = source.text
    # Nesting is bounded by the flow brackets plus, for block collections, twice the longest run of
    # indentation and `- `/`? ` indicators starting a line (a mapping and a sequence can share one
    # indentation); only when that bound is over the limit are the events counted (libyaml's composer
    # would recurse once per level and can crash the interpreter: `- - - - …`).
    if text.count("[") + text.count("{") + 2 * _block_prefix(text) + 2 > limits.max_depth:
        problem = _nesting_problem(source, limits)
        if problem:
            result.problems.append(problem)
            return result
    has_anchor = "&" in text and "*" in text
    try:
        for index, document in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if index >= limits.max_documents:
                result.problems.append((Span(source, document.start_mark.index, document.start_mark.index + 1),
                                        f"more than {limits.max_documents} YAML documents; the rest are not linted"))
                break
            if document is None:
                continue
            # Only aliases (which need an anchor) can make a tree larger than its text.
            may_alias = has_anchor and _expanded_size(document, limits.max_alias_expansion) > limits.max_alias_expansion
            if may_alias:
                start = document.start_mark.index
                result.problems.append((Span(source, start, start + 1),
                                        f"YAML aliases expand to more than {limits.max_alias_expansion} nodes "
                                        "(an alias bomb, or an alias inside its own anchor); document not linted"))
                continue
            result.documents.append(document)
            result.duplicates.extend(_find_duplicates(document))
    except yaml.YAMLError as error:
        result.problems.append((_error_span(source, error), _error_message(error)))
    except RecursionError:
        result.problems.append((Span(source, 0, 1), "YAML nested too deeply to read; not linted"))
    return result
