"""Feedback written for a student: what was expected, what was found (with the line), how to fix.

Plain text, the same bytes for the same submission on every run: nothing here reads the clock,
the machine, or an absolute path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpulint.core.findings import Finding, Severity

if TYPE_CHECKING:
    from gpulint.grading.grader import CriterionResult, GradeResult

MAX_SHOWN = 5
QUOTE_WIDTH = 100

_NOTEBOOK_FILES = {
    "dockerfile": "%%writefile Dockerfile",
    "workflow": "%%writefile .github/workflows/ci.yml",
    "deployment": "%%writefile k8s/deployment.yaml",
    "rollback": "%%writefile rollout.yaml",
    "promotion": "%%writefile rollout.yaml",
}


def location(finding: Finding, cell: int | None) -> str:
    """``Dockerfile, line 12`` or ``lab.ipynb, cell 3, line 4``; empty for a whole-submission finding."""
    if finding.path in (".", "") or (finding.source is not None and not finding.source.text and finding.line <= 1):
        return ""
    if cell is not None:
        return f"{finding.path}, cell {cell}, line {finding.line}"
    return f"{finding.path}, line {finding.line}"


def quote(finding: Finding) -> str:
    if finding.source is None:
        return ""
    text = finding.source.line_text(finding.line).strip()
    if len(text) > QUOTE_WIDTH:
        text = text[: QUOTE_WIDTH - 3].rstrip() + "..."
    return text


def describe(finding: Finding, graded: GradeResult, *, with_fix: bool = True) -> list[str]:
    """A finding as a few lines of plain text."""
    where = location(finding, graded.cell_of(finding))
    text = quote(finding) if where else ""
    if where and text:
        head = f"- {where}: `{text}`"
    elif where:
        head = f"- {where}:"
    else:
        head = "- Not found:"
    lines = [head, f"  {_sentence(finding.message)}"]
    if finding.suppressed:
        lines.append("  (A `gpulint: ignore` comment does not excuse this when grading.)")
    if with_fix and finding.fix:
        fix = _sentence(finding.fix)
        if finding.rule == "GL004" and graded.form == "notebook":
            magic = _NOTEBOOK_FILES.get((finding.criterion or "").split(".")[0])
            if magic:
                fix += f" In a notebook, write it in a cell that starts with `{magic}`, or tag the cell with its name."
        lines.append(f"  How to fix: {fix}")
    return lines


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if not text or text[-1] in ".!?)`'\"" else text + "."


def _points(value: float) -> str:
    return f"{value:g}"


def criterion_feedback(result: CriterionResult, graded: GradeResult) -> str:
    criterion = result.criterion
    if result.status == "skipped" and result.live is not None:
        return (f"Not graded (0 of {_points(criterion.points)} points here): live mode ran, but could not decide "
                f"this criterion.\n{result.live.output.rstrip()}")
    if result.status == "skipped":
        return (f"Not graded: this criterion needs live mode (running the smoke test on a real GPU), which "
                f"was not run, so it scores 0 of {_points(criterion.points)} points here. "
                "It is graded with `gpulint grade --live` on a GPU machine.")
    if result.live is not None and not result.failing:
        lines = [criterion.pass_feedback if result.passed else criterion.fail_feedback]
        if result.live.output.strip():
            lines += ["Output of the live run:", result.live.output.rstrip()]
        return "\n".join(lines)
    if result.passed:
        lines = [f"Passed. {criterion.pass_feedback}"]
        notes = [f for f in result.findings if f.severity is not Severity.INFO]
        if notes:
            lines.append("Worth a look (this does not cost points):")
            for finding in notes[:3]:
                lines += describe(finding, graded)
            if len(notes) > 3:
                lines.append(f"- ...and {len(notes) - 3} more.")
        return "\n".join(lines)
    lines = [criterion.fail_feedback]
    if criterion.description:
        lines.append(f"Expected: {' '.join(criterion.description.split())}")
    lines.append("What gpulint found:")
    for finding in result.failing[:MAX_SHOWN]:
        lines += describe(finding, graded)
    if len(result.failing) > MAX_SHOWN:
        lines.append(f"- ...and {len(result.failing) - MAX_SHOWN} more like these.")
    if result.context:
        lines.append("This may be why it was not found:")
        for finding in result.context[:3]:
            lines += describe(finding, graded)
    return "\n".join(lines)


def summary_feedback(result: CriterionResult, graded: GradeResult) -> str:
    """The feedback without what gpulint found line by line (a rubric's or instructor's
    ``hide_findings``): whether the criterion passed, what it expects, and how many problems."""
    criterion = result.criterion
    if graded.error is not None or result.status == "skipped" or result.live is not None:
        return result.feedback  # nothing about the submission's lines in these
    if result.passed:
        return f"Passed. {criterion.pass_feedback}"
    lines = [criterion.fail_feedback]
    if criterion.description:
        lines.append(f"Expected: {' '.join(criterion.description.split())}")
    count = len(result.failing)
    lines.append(f"gpulint found {count} problem{'s' if count != 1 else ''} here; the details are not shown "
                 "for this assignment.")
    return "\n".join(lines)


def ungraded_phrase(reason: str | None) -> str:
    """"could not be read" for a broken or empty submission, "could not be graded" otherwise."""
    return "could not be read" if reason in (None, "unreadable", "empty", "unrecognised") else "could not be graded"


def unreadable_feedback(result: CriterionResult, message: str, reason: str | None = None) -> str:
    return f"The submission {ungraded_phrase(reason)}, so this criterion could not be graded: {message}"
