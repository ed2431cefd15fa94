"""Findings: what a rule reports, resolved to a file, line and column."""

from __future__ import annotations

from enum import Enum

from gpulint.core.fix import ResolvedFix
from gpulint.core.records import Record, compared_without, field
from gpulint.core.source import Source, Span


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(f"unknown severity {value!r}; use error, warning or info") from None


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

# How sure a rule is of a finding: "high" when the files decide it; "medium" when it rests on a
# documented heuristic (a runner label's name, a base image's known user); "low" when a value
# gpulint cannot see (a trigger configured outside the repository, a variable) decides it.
CONFIDENCES = ("high", "medium", "low")


@compared_without("source")
class Location(Record):
    """A place a finding points at besides its own, with what it is there for."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    source: Source | None = None

    @classmethod
    def at(cls, span: Span, message: str) -> Location:
        source, start, end = span.source.resolve(span.start, span.end)
        if (end.line, end.column) <= (start.line, start.column):
            end = type(start)(start.line, start.column + 1)
        return cls(source.rel_path, start.line, start.column, end.line, end.column, message, source)

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "message": self.message}


@compared_without("source", "cell", "autofix")
class Finding(Record):
    rule: str
    name: str
    severity: Severity
    criterion: str | None
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    fix: str
    suppressed: bool = False
    source: Source | None = None
    confidence: str = "high"
    related: list[Location] = field(default_factory=list)
    cell: int | None = None  # in a notebook: the cell, `line` counts inside it
    autofix: ResolvedFix | None = None  # the edits that fix it, if any

    @classmethod
    def at(cls, span: Span, *, rule: str, name: str, severity: Severity, criterion: str | None,
           message: str, fix: str, confidence: str = "high",
           related: list[tuple[Span, str]] | None = None, autofix: ResolvedFix | None = None) -> Finding:
        source, start, end = span.source.resolve(span.start, span.end)
        if (end.line, end.column) <= (start.line, start.column):
            end = type(start)(start.line, start.column + 1)
        return cls(rule=rule, name=name, severity=severity, criterion=criterion,
                   path=source.rel_path, line=start.line, column=start.column,
                   end_line=end.line, end_column=end.column, message=message, fix=fix,
                   source=source, confidence=confidence,
                   related=[Location.at(s, label) for s, label in related or ()], autofix=autofix)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.value,
            "criterion": self.criterion,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "fix": self.fix,
            "suppressed": self.suppressed,
            "confidence": self.confidence,
            "related": [location.to_dict() for location in self.related],
            "autofix": self.autofix.to_dict() if self.autofix is not None else None,
            **({"cell": self.cell} if self.cell is not None else {}),
        }
