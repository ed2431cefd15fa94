"""Grading: a submission's findings judged criterion by criterion.

A static criterion fails when a counted finding at or above its ``fail_on`` severity carries its
id as criterion, or comes from one of the rules it lists. Counted means unsuppressed, unless the
rubric ignores suppressions (the lab rubric does: a student cannot excuse their own error with a
comment). A live criterion is skipped, with 0 points, unless live results are given; a counted
finding that fails it (a smoke test that reads CUDA_VISIBLE_DEVICES to game the negative test)
fails it whatever the live run says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpulint.core.findings import Finding
from gpulint.core.records import Record, field
from gpulint.grading.provenance import submission_hash
from gpulint.grading.rubric import Criterion, Rubric, _round
from gpulint.grading.submission import Submission, SubmissionError, load_submission

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


class LiveResult(Record):
    passed: bool
    output: str = ""
    skipped: bool = False  # live mode ran but could not decide (no GPU, a timeout): not graded, with the reason


class CriterionResult(Record):
    criterion: Criterion
    status: str
    points: float
    findings: list[Finding] = field(default_factory=list)  # every counted finding about it
    failing: list[Finding] = field(default_factory=list)  # those that fail it
    context: list[Finding] = field(default_factory=list)  # e.g. the parse error behind a missing file
    live: LiveResult | None = None
    feedback: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED


class GradeResult(Record):
    rubric: Rubric
    name: str
    criteria: list[CriterionResult]
    submission: Submission | None = None
    error: str | None = None
    reason: str | None = None  # why it could not be graded: unreadable, empty, unrecognised, timed out, ...
    submission_hash: str = ""  # sha256 of the graded files (provenance.submission_hash)

    @property
    def status(self) -> str:
        """``graded``, or ``ungraded: REASON`` for a submission that could not be graded at all."""
        if self.error is None:
            return "graded"
        return f"ungraded: {self.reason or 'unreadable'}"

    @property
    def score(self) -> float:
        return _round(sum(c.points for c in self.criteria))

    @property
    def max_score(self) -> float:
        return _round(sum(c.criterion.points for c in self.criteria))

    @property
    def form(self) -> str:
        return self.submission.form if self.submission else "unreadable"

    def cell_of(self, finding: Finding) -> int | None:
        return self.submission.cell_of(finding) if self.submission else None


def parse_live_results(data: Any) -> dict[str, LiveResult]:
    """``{"smoketest.healthy": true}``, ``{"smoketest.healthy": {"passed": true, "output": "..."}}``, or a
    live report (``gpulint live --format json``)."""
    from gpulint.live.results import criteria_from_report, is_live_report

    if is_live_report(data):
        return {cid: LiveResult(status == PASSED, text, skipped=status == SKIPPED)
                for cid, (status, text) in criteria_from_report(data).items()}
    if not isinstance(data, dict):
        raise ValueError("live results must be a JSON object mapping criterion ids to results")
    results: dict[str, LiveResult] = {}
    for key, value in data.items():
        if isinstance(value, bool):
            results[str(key)] = LiveResult(value)
        elif isinstance(value, dict) and isinstance(value.get("passed"), bool):
            results[str(key)] = LiveResult(value["passed"], str(value.get("output", "") or ""))
        else:
            raise ValueError(f"live result for '{key}' must be true/false or an object with a boolean 'passed'")
    return results


def grade(submission: Submission, rubric: Rubric, live_results: dict[str, LiveResult] | None = None) -> GradeResult:
    from gpulint.grading.feedback import criterion_feedback

    live_results = live_results or {}
    counted = [f for f in submission.findings if not f.suppressed or not rubric.honor_suppressions]
    parse_errors = [f for f in counted if f.rule == "GL001"]
    results: list[CriterionResult] = []
    for criterion in rubric.criteria:
        about = [f for f in counted if f.criterion == criterion.id or criterion.selects(f.rule, f.name)]
        failing = [f for f in about if f.severity.rank >= criterion.fail_on.rank]
        if criterion.live:
            live = live_results.get(criterion.id)
            if failing:  # the static reading already shows the live check is gamed
                result = CriterionResult(criterion, FAILED, 0.0, about, failing, live=live)
            elif live is None or live.skipped:
                result = CriterionResult(criterion, SKIPPED, 0.0, about, live=live)
            else:
                result = CriterionResult(criterion, PASSED if live.passed else FAILED,
                                         criterion.points if live.passed else 0.0, about, live=live)
        else:
            context: list[Finding] = []
            if any(f.rule == "GL004" for f in failing):
                context = [f for f in parse_errors if f not in about]
            status = FAILED if failing else PASSED
            result = CriterionResult(criterion, status, 0.0 if failing else criterion.points, about, failing, context)
        results.append(result)
    graded = GradeResult(rubric, submission.name, results, submission)
    for result in results:
        result.feedback = criterion_feedback(result, graded)
    return graded


def grade_error(name: str, rubric: Rubric, message: str, reason: str = "unreadable") -> GradeResult:
    """The result of a submission that could not be graded: every criterion fails with 0 points,
    and ``status`` says it was not graded and why."""
    from gpulint.grading.feedback import unreadable_feedback

    results = [CriterionResult(c, FAILED, 0.0) for c in rubric.criteria]
    graded = GradeResult(rubric, name, results, None, message, reason)
    for result in results:
        result.feedback = unreadable_feedback(result, message, reason)
    return graded


def grade_path(path: Path, rubric: Rubric, live_results: dict[str, LiveResult] | None = None) -> GradeResult:
    """Read and grade one submission; raises ``SubmissionError`` when it cannot be read at all."""
    submission = load_submission(Path(path), rubric)
    graded = grade(submission, rubric, live_results)
    graded.submission_hash = submission_hash(Path(path), submission)
    return graded


def live_results(report) -> dict:
    """The lab's live criteria from a live run (see ``gpulint.live.results``): smoketest.healthy passes
    only when the project's smoke test and the reference both pass with a GPU; a criterion the runs
    could not decide is skipped with the reason."""
    from gpulint.live.results import criteria_from_report

    return {cid: LiveResult(status == "passed", text, skipped=status == "skipped")
            for cid, (status, text) in criteria_from_report(report.to_json()).items()}


__all__ = ["CriterionResult", "GradeResult", "LiveResult", "SubmissionError", "grade", "grade_error", "grade_path",
           "parse_live_results", "live_results"]
