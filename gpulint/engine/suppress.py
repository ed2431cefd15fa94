"""Inline suppressions: ``# gpulint: ignore=GL103,GL104`` and ``# gpulint: ignore-file``.

Only real comments count: Dockerfile comment lines, Python ``COMMENT`` tokens, and YAML comments
(a ``#`` outside every scalar token of libyaml's scanner). A suppression applies to its own line
and the line after it; one that suppresses nothing is reported.
"""

from __future__ import annotations

import io
import re
import tokenize

from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span

_DIRECTIVE = re.compile(r"gpulint:\s*(ignore-file|ignore)\b(?:\s*=\s*([A-Za-z0-9_,\- ]+))?")


class Suppression(Record):
    span: Span  # the directive inside the comment
    line: int
    rules: tuple[str, ...]  # upper-case ids or lower-case names; empty = every rule
    whole_file: bool
    used: bool = False

    def covers(self, rule_id: str, rule_name: str, line: int, aliases: tuple[str, ...] = ()) -> bool:
        if not self.whole_file and line not in (self.line, self.line + 1):
            return False
        return not self.rules or any(r in (rule_id, rule_name) or r in aliases or r.lower() in aliases
                                     for r in self.rules)


class SuppressionIndex(Record):
    by_source: dict[int, list[Suppression]] = field(default_factory=dict)

    def collect(self, source: Source, syntax: str) -> None:
        if id(source) in self.by_source:
            return
        found: list[Suppression] = []
        if "gpulint:" in source.text:
            for start, comment in _comments(source.text, syntax):
                match = _DIRECTIVE.search(comment)
                if not match:
                    continue
                rules = tuple(_normal(r) for r in (match.group(2) or "").replace(" ", ",").split(",") if r.strip())
                span = Span(source, start + match.start(), start + match.end())
                found.append(Suppression(span, source.position(start).line, rules,
                                         match.group(1) == "ignore-file"))
        self.by_source[id(source)] = found

    def suppresses(self, source: Source, rule_id: str, rule_name: str, line: int,
                   aliases: tuple[str, ...] = ()) -> bool:
        hit = False
        for suppression in self.by_source.get(id(source), ()):
            if suppression.covers(rule_id, rule_name, line, aliases):
                suppression.used = True
                hit = True
        return hit

    def unused(self) -> list[Suppression]:
        return [s for items in self.by_source.values() for s in items if not s.used]


def _normal(ref: str) -> str:
    ref = ref.strip()
    return ref.upper() if ref[:2].lower() == "gl" and ref[2:].isdigit() else ref.lower()


def _comments(text: str, syntax: str) -> list[tuple[int, str]]:
    """(offset of the comment's text, text) for each comment that mentions gpulint."""
    if syntax == "python":
        return _python_comments(text)
    if syntax == "yaml":
        return _yaml_comments(text)
    found = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("#") and "gpulint:" in stripped:
            found.append((offset + len(line) - len(stripped), stripped))
        offset += len(line) + 1
    return found


def _python_comments(text: str) -> list[tuple[int, str]]:
    source = Source(text, "")
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and "gpulint:" in token.string:
                found.append((source.offset(token.start[0], token.start[1] + 1), token.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return found


def _yaml_comments(text: str) -> list[tuple[int, str]]:
    import yaml

    scalars: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(token, yaml.ScalarToken):
                scalars.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        pass
    found = []
    start = text.find("#")
    while start != -1:
        inside = any(a <= start < b for a, b in scalars)
        at_boundary = start == 0 or text[start - 1] in " \t\r\n"
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        if not inside and at_boundary:
            comment = text[start:end]
            if "gpulint:" in comment:
                found.append((start, comment))
            start = text.find("#", end)
        else:
            start = text.find("#", start + 1)
    return found
