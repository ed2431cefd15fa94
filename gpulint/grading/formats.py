"""Output formats of ``gpulint grade``: text, json (a public contract), markdown, gradescope.

``json`` is::

    {"score": float, "max_score": float, "rubric": str,
     "criteria": [{"id": str, "title": str, "passed": bool, "status": "passed"|"failed"|"skipped",
                   "points": float, "max_points": float, "feedback": str, "findings": [...],
                   "visibility": str}],
     "status": "graded"|"ungraded: REASON", "error": str|null, "gpulint_version": str,
     "rubric_hash": "sha256:...", "submission_hash": "sha256:..."|""}

Each finding is the object ``gpulint check --format json`` prints; for a notebook it also has
``"cell"`` (1-based cell number) and its ``line`` counts inside that cell. Every criterion is
listed, hidden ones too, with every finding: the JSON is for tools and instructors. The
student-facing formats (text, markdown, gradescope) follow ``visibility.StudentView``: criteria
not released yet are left out (Gradescope is told each criterion's visibility and hides it
itself), and with ``hide_findings`` so are the findings. Nothing here reads the clock: the same
submission, rubric and gpulint give the same bytes (Gradescope's ``execution_time`` only on request).

``gradescope`` is the ``results.json`` of Gradescope's autograder specification.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from gpulint.grading.provenance import GPULINT_VERSION, rubric_hash
from gpulint.grading.visibility import StudentReport, StudentView, student_report

if TYPE_CHECKING:
    from gpulint.grading.grader import GradeResult

FORMATS = ("text", "json", "gradescope", "markdown")
_MARK = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


def _finding_dict(finding, graded: GradeResult) -> dict:
    data = finding.to_dict()
    cell = graded.cell_of(finding)
    if cell is not None:
        data["cell"] = cell
    return data


def _float(value: float) -> float:
    return float(round(value, 4))


def as_dict(graded: GradeResult) -> dict:
    return {
        "score": _float(graded.score),
        "max_score": _float(graded.max_score),
        "rubric": graded.rubric.name,
        "criteria": [
            {
                "id": r.criterion.id,
                "title": r.criterion.title,
                "passed": r.status == "passed",
                "status": r.status,
                "points": _float(r.points),
                "max_points": _float(r.criterion.points),
                "feedback": r.feedback,
                "findings": [_finding_dict(f, graded) for f in r.findings + r.context],
                "visibility": r.criterion.visibility,
            }
            for r in graded.criteria
        ],
        "status": graded.status,
        "error": graded.error,
        **provenance(graded),
    }


def provenance(graded: GradeResult) -> dict:
    return {"gpulint_version": GPULINT_VERSION, "rubric_hash": rubric_hash(graded.rubric),
            "submission_hash": graded.submission_hash}


def _footer(graded: GradeResult) -> str:
    return f"Graded by gpulint {GPULINT_VERSION} with the '{graded.rubric.name}' rubric ({rubric_hash(graded.rubric)})."


def render_json(graded: GradeResult) -> str:
    return json.dumps(as_dict(graded), indent=2, ensure_ascii=False) + "\n"


def _pts(value: float) -> str:
    return f"{value:g}"


def _view(graded: GradeResult, view: StudentView | None, show_hidden: bool) -> StudentView:
    return view if view is not None else StudentView.for_rubric(graded.rubric, show_hidden=show_hidden)


def render_text(graded: GradeResult, show_hidden: bool = False, view: StudentView | None = None) -> str:
    report = student_report(graded, _view(graded, view, show_hidden))
    out = [f"gpulint grade: {graded.name} ({graded.form}), rubric '{graded.rubric.name}': {graded.rubric.title}",
           report.score_line()]
    if graded.error:
        out.append(f"Error: {graded.error}")
    if report.skipped_note:
        out.append(report.skipped_note)
    out.append("")
    for item in report.items:
        out.append(f"[{_MARK[item.status]}] {item.id}: {item.title} ({_pts(item.points)}/{_pts(item.max_points)})")
        if item.notes:
            out.extend("    " + line if line else "" for line in item.feedback.split("\n"))
    if report.withheld:
        out += ["", report.withheld_note()]
    out += ["", _footer(graded)]
    return "\n".join(out) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


_ICON = {"passed": "✅", "failed": "❌", "skipped": "⏭️"}


def render_markdown(graded: GradeResult, show_hidden: bool = False, view: StudentView | None = None) -> str:
    report = student_report(graded, _view(graded, view, show_hidden))
    out = [f"# Feedback: {graded.name}", "",
           f"Rubric: **{graded.rubric.title}** (`{graded.rubric.name}`)", "",
           f"**{report.score_line()}**", ""]
    if graded.error:
        out += [f"> **The submission {report.error_phrase}:** {graded.error}", ""]
    if report.skipped_note:
        out += [f"> {report.skipped_note}", ""]
    out += ["| | Criterion | Points |", "|---|---|---|"]
    for item in report.items:
        out.append(f"| {_ICON[item.status]} | {_md_escape(item.title)} (`{item.id}`) | "
                   f"{_pts(item.points)} / {_pts(item.max_points)} |")
    if report.withheld:
        out += ["", f"_{report.withheld_note()}_"]
    for item in report.items:
        out += ["", f"## {_ICON[item.status]} {item.title} (`{item.id}`)", "", item.feedback]
    out += ["", "---", "", f"_{_footer(graded)}_"]
    return "\n".join(out) + "\n"


def gradescope_dict(graded: GradeResult, execution_time: float | None = None, view: StudentView | None = None) -> dict:
    """Gradescope's results.json: score, output, tests[] with their visibility, extra_data.

    Every criterion is a test carrying its own visibility, and Gradescope hides it from students
    until then (and hides the total while any test is hidden); the top-level ``visibility`` is the
    rubric's default. ``stdout_visibility`` is hidden: the autograder's standard output is for
    the course staff. ``execution_time`` is left out unless given, so a regrade is byte-identical."""
    view = _view(graded, view, False)
    tests = []
    for number, r in enumerate(graded.criteria, 1):
        name = r.criterion.title
        if r.status == "skipped":
            name += " (not graded: needs live mode)"
        tests.append({
            "name": f"{r.criterion.id}: {name}",
            "number": str(number),
            "score": _float(r.points),
            "max_score": _float(r.criterion.points),
            "status": "passed" if r.status == "passed" else "failed",
            "output": view.feedback(r, graded),
            "output_format": "md",
            "tags": [r.criterion.id] + (["live"] if r.criterion.live else []) + (["skipped"] if r.status == "skipped"
                                                                              else []),
            "visibility": r.criterion.visibility,
        })
    report = student_report(graded, view)
    output = f"Graded by gpulint {GPULINT_VERSION} with the '{graded.rubric.name}' rubric: {graded.rubric.title}."
    if graded.error:
        output += f"\n\nThe submission {report.error_phrase}: {graded.error}"
    if report.skipped_note:
        output += "\n\n" + report.skipped_note
    data: dict = {"score": _float(graded.score)}
    if execution_time is not None:
        data["execution_time"] = max(0, int(round(execution_time)))
    data.update({
        "output": output,
        "output_format": "md",
        "visibility": graded.rubric.visibility,
        "stdout_visibility": "hidden",
        "extra_data": {"status": graded.status, **provenance(graded)},
        "tests": tests,
    })
    return data


def render_gradescope(graded: GradeResult, execution_time: float | None = None,
                      view: StudentView | None = None) -> str:
    return json.dumps(gradescope_dict(graded, execution_time, view), indent=2, ensure_ascii=False) + "\n"


def render(graded: GradeResult, fmt: str, *, show_hidden: bool = False, execution_time: float | None = None,
           view: StudentView | None = None) -> str:
    if fmt == "json":
        return render_json(graded)
    if fmt == "gradescope":
        return render_gradescope(graded, execution_time, view)
    if fmt == "markdown":
        return render_markdown(graded, show_hidden, view)
    return render_text(graded, show_hidden, view)


__all__ = ["FORMATS", "StudentReport", "as_dict", "gradescope_dict", "provenance", "render", "render_gradescope",
           "render_json", "render_markdown", "render_text"]
