"""What a student may see of a grade: Gradescope's visibility, applied to every student-facing
report (text, markdown, the per-student sections of the HTML gradebook).

A criterion's ``visibility`` is ``visible`` (always shown), ``hidden`` (never shown to students),
``after_due_date`` or ``after_published`` (shown once the due date has passed, or once grades are
published). A report is written for one moment: ``release`` names the latest of these levels that
students may already see (``visible``: before the due date). As on Gradescope, a student who
cannot see every criterion does not see the total score either (it would give the withheld
results away); the points of the criteria shown are given instead. ``hide_findings`` keeps what
gpulint found, line by line, out of the student's report (students otherwise tune their
submission to the grader); the instructor formats (JSON, CSV, the HTML charts) keep everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpulint.core.records import Record, field
from gpulint.grading.feedback import summary_feedback, ungraded_phrase
from gpulint.grading.rubric import Criterion, Rubric, _round

if TYPE_CHECKING:
    from gpulint.grading.grader import CriterionResult, GradeResult

RELEASE_LEVELS = ("visible", "after_due_date", "after_published")
_RANK = {level: rank for rank, level in enumerate(RELEASE_LEVELS)}


class StudentView(Record, frozen=True):
    release: str = "visible"  # the latest visibility level students may already see
    show_hidden: bool = False  # the instructor's view: every criterion, the total
    hide_findings: bool = False

    @classmethod
    def for_rubric(cls, rubric: Rubric, release: str = "visible", show_hidden: bool = False,
                   hide_findings: bool = False) -> StudentView:
        return cls(release, show_hidden, hide_findings or rubric.hide_findings)

    def shows(self, criterion: Criterion) -> bool:
        if self.show_hidden or criterion.visibility == "visible":
            return True
        if criterion.visibility == "hidden":
            return False
        return _RANK[criterion.visibility] <= _RANK[self.release]

    def feedback(self, result: CriterionResult, graded: GradeResult) -> str:
        return summary_feedback(result, graded) if self.hide_findings else result.feedback


class StudentItem(Record):
    id: str
    title: str
    status: str  # passed | failed | skipped
    points: float
    max_points: float
    feedback: str
    notes: bool = True  # the feedback says more than "passed" (a failure, or warnings worth a look)


class StudentReport(Record):
    """One submission's grade as its student may see it; the renderers only lay it out."""

    name: str
    form: str
    rubric_name: str
    rubric_title: str
    status: str  # graded | ungraded: REASON
    score: float | None  # None: withheld because some criteria are not shown
    max_score: float
    shown_points: float
    shown_max: float
    withheld: int  # criteria graded but not shown
    items: list[StudentItem] = field(default_factory=list)
    error: str | None = None
    error_phrase: str = "could not be read"
    skipped_note: str = ""

    def score_line(self) -> str:
        if self.score is not None:
            return f"Score: {_pts(self.score)} / {_pts(self.max_score)}"
        return f"Score on the criteria shown: {_pts(self.shown_points)} / {_pts(self.shown_max)}"

    def withheld_note(self) -> str:
        if not self.withheld:
            return ""
        one = self.withheld == 1
        return (f"{self.withheld} more criteri{'on is' if one else 'a are'} graded but not shown yet; "
                f"{'it counts' if one else 'they count'} toward the score, so the total is not shown either.")


def student_report(graded: GradeResult, view: StudentView) -> StudentReport:
    shown = [r for r in graded.criteria if view.shows(r.criterion)]
    withheld = len(graded.criteria) - len(shown)
    items = [StudentItem(r.criterion.id, r.criterion.title, r.status, r.points, r.criterion.points,
                         view.feedback(r, graded),
                         notes=r.status != "passed" or (bool(r.findings) and not view.hide_findings))
             for r in shown]
    return StudentReport(
        name=graded.name, form=graded.form, rubric_name=graded.rubric.name, rubric_title=graded.rubric.title,
        status=graded.status, score=None if withheld else graded.score, max_score=graded.max_score,
        shown_points=_round(sum(r.points for r in shown)), shown_max=_round(sum(r.criterion.points for r in shown)),
        withheld=withheld, items=items, error=graded.error, error_phrase=ungraded_phrase(graded.reason),
        skipped_note=skipped_note(shown))


def skipped_note(results: list[CriterionResult]) -> str:
    skipped = [r for r in results if r.status == "skipped"]
    if not skipped:
        return ""
    points = sum(r.criterion.points for r in skipped)
    if any(r.live is not None for r in skipped):
        return (f"{len(skipped)} live criteri{'on' if len(skipped) == 1 else 'a'} ({_pts(points)} points) not "
                "graded: live mode ran but could not decide them (no GPU step ran, or a run timed out), so they "
                "score 0 here.")
    return (f"{len(skipped)} live criteri{'on' if len(skipped) == 1 else 'a'} "
            f"({_pts(points)} points) not graded: live mode (a real GPU run, `--live`) was not used, "
            "so they score 0 here.")


def _pts(value: float) -> str:
    return f"{value:g}"
