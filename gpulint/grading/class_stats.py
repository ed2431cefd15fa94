"""How a class did: the numbers behind the HTML gradebook's charts and tables.

Only graded submissions count in the score distribution and the pass rates; a submission that
could not be graded is counted apart (it is not a zero), and a skipped live criterion is neither
passed nor failed.
"""

from __future__ import annotations

import math

from gpulint.core.records import Record
from gpulint.grading.batch import Row
from gpulint.grading.rubric import Criterion, Rubric

BINS = 10
LOW_SHARE = 0.5  # below half the points: "needs help"


class Bin(Record):
    low: float
    high: float
    count: int

    @property
    def label(self) -> str:
        return f"{self.low:g}–{self.high:g}"


class CriterionRate(Record):
    criterion: Criterion
    passed: int
    failed: int
    skipped: int

    @property
    def graded(self) -> int:
        return self.passed + self.failed

    @property
    def rate(self) -> float | None:
        return self.passed / self.graded if self.graded else None


class RuleCount(Record):
    rule: str
    findings: int  # findings that cost points, over the class
    students: int  # submissions with at least one
    criteria: tuple[str, ...]  # the criteria it failed


class ClassStats(Record):
    total: int
    graded: list[Row]
    ungraded: list[Row]
    bins: list[Bin]
    rates: list[CriterionRate]
    rules: list[RuleCount]
    mean: float | None
    median: float | None
    max_score: float
    low: int  # graded submissions below LOW_SHARE of the points

    def is_low(self, row: Row) -> bool:
        return row.graded and row.score < LOW_SHARE * self.max_score


def histogram(scores: list[float], max_score: float, bins: int = BINS) -> list[Bin]:
    """``bins`` equal ranges over 0..max_score, the last one closed (a full score lands in it)."""
    if max_score <= 0:
        return [Bin(0.0, 0.0, len(scores))]
    width = max_score / bins
    counts = [0] * bins
    for score in scores:
        index = math.floor(score / width + 1e-9)
        counts[min(bins - 1, max(0, index))] += 1
    return [Bin(round(i * width, 4), round((i + 1) * width, 4), counts[i]) for i in range(bins)]


def class_stats(rows: list[Row], rubric: Rubric) -> ClassStats:
    graded = [r for r in rows if r.graded]
    ungraded = [r for r in rows if not r.graded]
    scores = sorted(r.score for r in graded)
    rates = []
    for criterion in rubric.criteria:
        states = [r.statuses.get(criterion.id) for r in graded]
        rates.append(CriterionRate(criterion, states.count("passed"), states.count("failed"),
                                   states.count("skipped")))
    findings: dict[str, int] = {}
    students: dict[str, int] = {}
    criteria: dict[str, set[str]] = {}
    for row in graded:
        for rule, count in row.rule_counts.items():
            findings[rule] = findings.get(rule, 0) + count
            students[rule] = students.get(rule, 0) + 1
        for cid, rules in row.failing.items():
            for rule in rules:
                criteria.setdefault(rule, set()).add(cid)
    order = {c.id: i for i, c in enumerate(rubric.criteria)}
    rules = [RuleCount(rule, findings[rule], students[rule],
                       tuple(sorted(criteria.get(rule, ()), key=lambda c: order.get(c, len(order)))))
             for rule in findings]
    rules.sort(key=lambda r: (-r.students, -r.findings, r.rule))
    max_score = rubric.max_score
    return ClassStats(
        total=len(rows), graded=graded, ungraded=ungraded, bins=histogram(scores, max_score), rates=rates,
        rules=rules, mean=round(sum(scores) / len(scores), 2) if scores else None,
        median=_median(scores), max_score=max_score,
        low=sum(1 for s in scores if s < LOW_SHARE * max_score))


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return round((values[middle - 1] + values[middle]) / 2, 4)
