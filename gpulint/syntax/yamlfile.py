"""Composing YAML once, safely, into node trees that keep positions.

libyaml's C composer is fast but recurses once per nesting level and crashes the interpreter on
very deep input, and a composed tree shares aliased nodes, so a naive walk of a "billion laughs"
document never ends. Both are bounded here before any rule sees a node.
"""

from __future__ import annotations

import re

import yaml
from yaml.composer import Composer

from gpulint.core.limits import Limits
from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span
from gpulint.syntax.yamlnode import MappingNode, Node, Offset, ScalarNode, SequenceNode, scalar

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class DuplicateKey(Record):
    key: ScalarNode
    first: ScalarNode
    mapping: MappingNode


class YamlFile(Record):
    kind = "yaml"
    source: Source
    documents: list[Node] = field(default_factory=list)
    problems: list[tuple[Span, str]] = field(default_factory=list)
    duplicates: list[DuplicateKey] = field(default_factory=list)
    composed: int = 0  # documents read so far, empty ones included

    @property
    def ok(self) -> bool:
        return not self.problems


def _error_span(source: Source, error: yaml.YAMLError) -> Span:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    context = getattr(error, "context_mark", None)
    if context is not None and mark is not None and mark is not context and _at_document_end(source, mark):
        mark = context  # an unclosed quote or bracket runs into the next document: point where it opens
    if mark is None:
        return Span(source, 0, 0)
    offset = source.offset(mark.line + 1, mark.column + 1)
    return Span(source, offset, offset + 1)


def _at_document_end(source: Source, mark) -> bool:  # type: ignore[no-untyped-def]
    rest = source.text[mark.index:mark.index + 4]
    return mark.index >= len(source.text) or (mark.column == 0 and rest.startswith(("---", "...")))


def _error_message(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        text = f"{problem} {context}" if context else problem
    else:
        text = str(error).splitlines()[0]
    return f"invalid YAML: {text}"


_BLOCK_PREFIX = re.compile(r"^[ \t?-]+", re.M)
_STR, _MERGE = "tag:yaml.org,2002:str", "tag:yaml.org,2002:merge"


def _block_prefix(text: str) -> int:
    return max(map(len, _BLOCK_PREFIX.findall(text)), default=0)


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


def _settle(root: Node, shared: bool) -> list[DuplicateKey]:
    """Walk a composed document once: keep each node's position as plain character offsets
    (``start_mark``/``end_mark`` become ints, read through ``yamlnode.start``/``end``: a marker
    object per position was about a third of a node's memory) and find duplicate keys. Only a
    document with anchors (``shared``) can reach a node twice."""
    found: list[DuplicateKey] = []
    seen: set[int] | None = set() if shared else None
    stack = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if seen is not None:
            if id(node) in seen:
                continue
            seen.add(id(node))
        node.start_mark = Offset(node.start_mark.index)
        node.end_mark = Offset(node.end_mark.index)
        if isinstance(node, MappingNode):
            first: dict[object, ScalarNode] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.tag != _MERGE:
                    ident = (key.tag, scalar(key)) if key.tag != _STR else key.value
                    try:
                        prior = first.get(ident)
                    except TypeError:
                        prior = None
                        ident = key.value
                    if prior is not None:
                        found.append(DuplicateKey(key, prior, node))
                    else:
                        first[ident] = key
                push(key)
                push(value)
        elif isinstance(node, SequenceNode):
            extend(node.value)
    found.sort(key=lambda d: d.key.start_mark)
    return found


def load_yaml(source: Source, limits: Limits) -> YamlFile:
    """Compose every document of a file. A document that does not parse is reported and the
    documents after it are still read (each document of a stream stands on its own)."""
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
    boundaries: list[int] | None = None
    blank: str | None = None
    start: int | None = 0
    broken_documents = 0
    while start is not None:
        documents, error = _compose(text if start == 0 else blank[:start] + text[start:])  # type: ignore[index]
        kept = _keep(result, documents, limits, has_anchor)
        if error is None or not kept:
            if error is not None:
                _report(result, source, error)
            break
        # The document that failed runs from the first document start after the last good one to
        # the next document start; it is parsed alone for its own error, and the rest after it.
        if boundaries is None:
            boundaries = _document_starts(text)
            blank = re.sub(r"[^\n]", " ", text)  # offsets, lines and columns stay those of the file
        broken_documents += 1
        if broken_documents > _MAX_BROKEN_DOCUMENTS:
            at = documents[-1].end_mark.index if documents else start
            result.problems.append((Span(source, at, at + 1), f"more than {_MAX_BROKEN_DOCUMENTS} YAML documents "
                                                              "do not parse; the rest are not linted"))
            break
        last_end = documents[-1].end_mark.index if documents else start
        broken = next((b for b in boundaries if b >= last_end), None) if documents else start
        if broken is None:
            _report(result, source, error)
            break
        after = next((b for b in boundaries if b > broken), None)
        chunk, chunk_error = _compose(blank[:broken] + text[broken:after])  # type: ignore[index]
        if not _keep(result, chunk, limits, has_anchor):
            break
        _report(result, source, chunk_error or error)
        start = after
    return result


# A line that starts a document (`---`) or ends one (`...`, the next document starts after it).
_DOCUMENT_MARK = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r]|$)", re.M)


def _document_starts(text: str) -> list[int]:
    starts = []
    for match in _DOCUMENT_MARK.finditer(text):
        if match.group(0) == "---":
            starts.append(match.start())
        else:
            end = text.find("\n", match.end())
            if end != -1:
                starts.append(end + 1)
    return starts


# Each broken document costs a parse of the rest of the file: bounded, so that a file of thousands
# of broken documents stays linear.
_MAX_BROKEN_DOCUMENTS = 20


class _RedefiningComposer(Composer):
    """YAML 1.2 lets an anchor be defined again (an alias refers to the latest definition), and
    go-yaml, which kubectl and actionlint use, accepts it; PyYAML's composer refuses."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if not self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            if anchor is not None:
                self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)


class _RedefiningLoader(_RedefiningComposer, _Loader):  # type: ignore[misc, valid-type]
    """libyaml's scanner and parser with the composer above (used only for files that redefine an
    anchor: the plain C loader stays the fast path)."""

    def __init__(self, stream: str) -> None:
        _Loader.__init__(self, stream)
        Composer.__init__(self)


def _compose(text: str) -> tuple[list[Node], Exception | None]:
    """The documents composed before the first error, and that error (None: all composed)."""
    documents: list[Node] = []
    loader = _Loader
    while True:
        try:
            for document in yaml.compose_all(text, Loader=loader):
                documents.append(document)
            return documents, None
        except yaml.composer.ComposerError as error:
            if loader is _Loader and "found duplicate anchor" in str(error):
                documents, loader = [], _RedefiningLoader
                continue
            return documents, error
        except (yaml.YAMLError, RecursionError) as error:
            return documents, error


def _report(result: YamlFile, source: Source, error: Exception) -> None:
    if isinstance(error, RecursionError):
        problem = (Span(source, 0, 1), "YAML nested too deeply to read; not linted")
    else:
        problem = (_error_span(source, error), _error_message(error))  # type: ignore[arg-type]
    if all(p[0].start != problem[0].start for p in result.problems):
        result.problems.append(problem)


def _keep(result: YamlFile, documents: list[Node], limits: Limits, has_anchor: bool) -> bool:
    """Add documents to the file; False once the document limit is reached."""
    for document in documents:
        result.composed += 1
        if result.composed > limits.max_documents:
            if document is None:
                continue
            start = document.start_mark.index
            result.problems.append((Span(result.source, start, start + 1),
                                    f"more than {limits.max_documents} YAML documents; the rest are not linted"))
            return False
        if document is None:
            continue
        # Only aliases (which need an anchor) can make a tree larger than its text.
        if has_anchor and _expanded_size(document, limits.max_alias_expansion) > limits.max_alias_expansion:
            start = document.start_mark.index
            result.problems.append((Span(result.source, start, start + 1),
                                    f"YAML aliases expand to more than {limits.max_alias_expansion} nodes "
                                    "(an alias bomb, or an alias inside its own anchor); document not linted"))
            continue
        result.documents.append(document)
        result.duplicates.extend(_settle(document, has_anchor))
    return True
