"""``gpulint grade DIR --batch --compare OLD.csv``: who changed since an earlier gradebook, and why.

For each submission: the criteria whose points changed (with the rules that fail it now, or that
failed it before and no longer do), a change of status (graded, ungraded), and the cause as far
as the two gradebooks record it: the submission's graded files, the rubric or gpulint changed
(the ``submission_hash``, ``rubric_hash`` and ``gpulint_version`` columns). An older gradebook
without those columns still compares by points; the cause is then reported as unknown.
"""

from __future__ import annotations

import csv
from pathlib import Path

from gpulint.core.records import Record, field
from gpulint.grading.batch import PROVENANCE_COLUMNS, Row
from gpulint.grading.provenance import GPULINT_VERSION, rubric_hash
from gpulint.grading.rubric import Rubric
from gpulint.rules.base import find_rule

FIXED_COLUMNS = frozenset({"submission", "form", "total", "max_score", "error", *PROVENANCE_COLUMNS})
EPSILON = 1e-6


class CompareError(Exception):
    """An old gradebook that cannot be compared with (exit status 2)."""


class OldRow(Record):
    name: str
    points: dict[str, float | None]  # criterion id -> points (None: skipped)
    total: float
    status: str | None  # None: not recorded
    failing: dict[str, list[str]]
    submission_hash: str | None
    rubric_hash: str | None
    gpulint_version: str | None


class CriterionChange(Record):
    id: str
    old: float | None | str  # "absent": not in that rubric
    new: float | None | str
    why: str


class Change(Record):
    name: str
    kind: str  # changed | new | removed
    old_total: float | None = None
    new_total: float | None = None
    old_status: str | None = None
    new_status: str | None = None
    criteria: list[CriterionChange] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)

    def headline(self) -> str:
        if self.kind == "new":
            return f"{self.name}: new submission, {_score(self.new_total, self.new_status)}"
        if self.kind == "removed":
            return f"{self.name}: no longer in the batch (was {_score(self.old_total, self.old_status)})"
        line = f"{self.name}: {_score(self.old_total, self.old_status)} → {_score(self.new_total, self.new_status)}"
        return line + (f" ({'; '.join(self.causes)})" if self.causes else "")


class Comparison(Record):
    old_label: str
    changes: list[Change]
    unchanged: int

    def summary(self) -> str:
        counts = {kind: sum(1 for c in self.changes if c.kind == kind) for kind in ("changed", "new", "removed")}
        return (f"compared with {self.old_label}: {counts['changed']} changed, {counts['new']} new, "
                f"{counts['removed']} no longer present, {self.unchanged} unchanged")

    def lines(self) -> list[str]:
        out = []
        for change in self.changes:
            detail = "; ".join(f"{c.id}: {_points(c.old)} → {_points(c.new)}{', ' + c.why if c.why else ''}"
                               for c in change.criteria)
            out.append(change.headline() + (f". {detail}" if detail else ""))
        return out

    def text(self) -> str:
        out = [self.summary()]
        for change in self.changes:
            out.append(f"  {change.headline()}")
            for item in change.criteria:
                out.append(f"    {item.id}: {_points(item.old)} → {_points(item.new)}"
                           + (f", {item.why}" if item.why else ""))
        return "\n".join(out) + "\n"


def _points(value: float | None | str) -> str:
    if value == "absent":
        return "not in the rubric"
    if value is None:
        return "skipped"
    return f"{value:g}"


def _score(total: float | None, status: str | None) -> str:
    if status is not None and status != "graded":
        return status
    return "-" if total is None else f"{total:g}"


def _number(text: str, where: str) -> float | None:
    if text.strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise CompareError(f"{where}: not a number: {text!r}") from None


def parse_failed_rules(cell: str) -> dict[str, list[str]]:
    failing: dict[str, list[str]] = {}
    for part in filter(None, (cell or "").split(";")):
        cid, _, rules = part.partition(":")
        failing[cid.strip()] = [r for r in rules.split(",") if r]
    return failing


def read_gradebook(path: Path) -> list[OldRow]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CompareError(f"cannot read {path}: {error}") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if "submission" not in header or "total" not in header:
        raise CompareError(f"{path}: not a gpulint gradebook (it needs the columns 'submission' and 'total')")
    criteria = [name for name in header if name not in FIXED_COLUMNS]
    rows = []
    for number, record in enumerate(reader, start=2):
        where = f"{path}:{number}"
        name = record.get("submission") or ""
        if not name:
            raise CompareError(f"{where}: a row without a submission name")
        total = _number(record.get("total") or "", where)
        rows.append(OldRow(
            name=name, points={cid: _number(record.get(cid) or "", where) for cid in criteria},
            total=total or 0.0, status=record.get("status") or _old_status(record),
            failing=parse_failed_rules(record.get("failed_rules", "")),
            submission_hash=record.get("submission_hash"), rubric_hash=record.get("rubric_hash"),
            gpulint_version=record.get("gpulint_version")))
    return rows


def _old_status(record: dict) -> str | None:
    """A gradebook from before the status column: an error meant it was not graded."""
    if "error" not in record:
        return None
    return "ungraded: unreadable" if record.get("error") else "graded"


def _rule_label(rule_id: str) -> str:
    rule = find_rule(rule_id)
    return f"{rule_id} {rule.name}" if rule is not None else rule_id


def _why(cid: str, old: OldRow, new: Row, old_points: float | None, new_points: float | None) -> str:
    if not new.graded:
        return ""
    if new.statuses.get(cid) == "skipped":
        return "not graded now (live mode was not run)"
    if old_points is None:
        return "graded now (live results given)"
    if new_points is not None and new_points < old_points:
        rules = new.failing.get(cid, [])
        return "now fails: " + ", ".join(_rule_label(r) for r in rules) if rules else "now fails"
    before = old.failing.get(cid, [])
    gone = [r for r in before if r not in new.failing.get(cid, [])]
    if gone:
        return "no longer reported: " + ", ".join(_rule_label(r) for r in gone)
    return "passes now"


def _causes(old: OldRow, new: Row, digest: str) -> list[str]:
    causes = []
    if old.submission_hash is None:
        causes.append("the old gradebook does not record the submission's hash")
    elif not old.submission_hash or not new.submission_hash:
        pass  # one side could not be read: the status change says so
    elif old.submission_hash != new.submission_hash:
        causes.append("the submission changed")
    else:
        causes.append("same submission")
    if old.rubric_hash is not None and old.rubric_hash != digest:
        causes.append("the rubric changed")
    if old.gpulint_version is not None and old.gpulint_version != GPULINT_VERSION:
        causes.append(f"gpulint {old.gpulint_version} → {GPULINT_VERSION}")
    return causes


def compare(old_rows: list[OldRow], rows: list[Row], rubric: Rubric, old_label: str) -> Comparison:
    digest = rubric_hash(rubric)
    old_by_name = {r.name: r for r in old_rows}
    new_by_name = {r.name: r for r in rows}
    ids = [c.id for c in rubric.criteria]
    changes: list[Change] = []
    unchanged = 0
    for name in sorted(set(old_by_name) | set(new_by_name)):
        old, new = old_by_name.get(name), new_by_name.get(name)
        if old is None:
            changes.append(Change(name, "new", new_total=new.score, new_status=new.status))
            continue
        if new is None:
            changes.append(Change(name, "removed", old_total=old.total, old_status=old.status))
            continue
        items = []
        # A submission graded on one side only: its status says it all, criterion by criterion is noise.
        both_graded = new.graded and old.status in (None, "graded")
        candidates = ids + [c for c in old.points if c not in ids] if both_graded else []
        for cid in candidates:
            before = old.points[cid] if cid in old.points else "absent"
            after = (new.points.get(cid) if cid in new.points else "absent") if cid in ids else "absent"
            if _same(before, after):
                continue
            why = _why(cid, old, new, before, after) if before != "absent" and after != "absent" else ""
            items.append(CriterionChange(cid, before, after, why))
        status_changed = old.status is not None and old.status != new.status
        if not items and not status_changed and abs(old.total - new.score) < EPSILON:
            unchanged += 1
            continue
        changes.append(Change(name, "changed", old.total, new.score, old.status, new.status, items,
                              _causes(old, new, digest)))
    return Comparison(old_label, changes, unchanged)


def _same(a: float | None | str, b: float | None | str) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < EPSILON
    return a == b
