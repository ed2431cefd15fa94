"""Automatic fixes: text edits a rule proposes with a finding, as ruff models them.

A rule declares whether it can fix what it finds (``FixAvailability``: always, sometimes,
never); each fix says whether applying it keeps the author's meaning (``Applicability``):

* ``safe``: the edit only adds or completes what the finding asks for, with values the files
  and the rule decide (no name, number, path or timing picked by gpulint), and keeps
  everything the author wrote;
* ``unsafe``: the edit replaces something the author wrote, or picks a value (a user id, a
  probe timing, a command) that a person should confirm.

Edits are made on the ``Source`` a model was parsed from, which may be an artifact embedded
as a string in a lab answers file; ``resolve`` maps them onto the file on disk (through the
string's own encoding) or reports that they cannot be.
"""

from __future__ import annotations

from enum import Enum

from gpulint.core.records import Record, compared_without
from gpulint.core.source import Source, Span


class FixAvailability(str, Enum):
    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NEVER = "never"


class Applicability(str, Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@compared_without("source")
class Edit(Record, frozen=True):
    """Replace ``source.text[start:end]`` with ``content`` (an insertion when start == end)."""

    source: Source
    start: int
    end: int
    content: str

    @classmethod
    def insert(cls, source: Source, at: int, content: str) -> Edit:
        return cls(source, at, at, content)

    @classmethod
    def replace(cls, span: Span, content: str) -> Edit:
        return cls(span.source, span.start, span.end, content)

    @classmethod
    def delete(cls, span: Span) -> Edit:
        return cls(span.source, span.start, span.end, "")


class Fix(Record):
    """What a rule proposes: a description and the edits that carry it out."""

    message: str
    edits: list[Edit]
    applicability: Applicability = Applicability.SAFE

    @classmethod
    def safe(cls, message: str, *edits: Edit) -> Fix:
        return cls(message, list(edits), Applicability.SAFE)

    @classmethod
    def unsafe(cls, message: str, *edits: Edit) -> Fix:
        return cls(message, list(edits), Applicability.UNSAFE)


@compared_without("source")
class FileEdit(Record, frozen=True):
    """An edit resolved onto a file: offsets into the file's decoded text (``source``)."""

    source: Source
    path: str  # relative to the scanned root, as findings are
    start: int
    end: int
    content: str

    def to_dict(self) -> dict:
        begin, stop = self.source.position(self.start), self.source.position(self.end)
        return {"path": self.path, "line": begin.line, "column": begin.column, "end_line": stop.line,
                "end_column": stop.column, "content": self.content}


class ResolvedFix(Record):
    """A fix whose edits all land in files on disk, sorted and not overlapping."""

    message: str
    applicability: Applicability
    edits: list[FileEdit]

    def to_dict(self) -> dict:
        return {"applicability": self.applicability.value, "message": self.message,
                "edits": [edit.to_dict() for edit in self.edits]}


def resolve(fix: Fix | None) -> ResolvedFix | None:
    """The fix on the files on disk; None when an edit cannot be written back there (an
    embedded artifact in an encoding whose escapes are not mapped) or edits overlap."""
    if fix is None or not fix.edits:
        return None
    resolved: list[FileEdit] = []
    for edit in fix.edits:
        mapped = edit.source.map_edit(edit.start, edit.end, edit.content)
        if mapped is None:
            return None
        source, start, end, content = mapped
        resolved.append(FileEdit(source, source.rel_path, start, end, content))
    resolved.sort(key=lambda e: (e.path, e.start, e.end))
    for before, after in zip(resolved, resolved[1:]):
        if before.path == after.path and (after.start < before.end or
                                          before.start == before.end == after.start == after.end):
            return None  # overlapping edits (or two insertions at one place): ambiguous
    return ResolvedFix(fix.message, fix.applicability, resolved)
