"""Output formats of ``gpulint grade``: text, json (a public contract), markdown, gradescope.

``json`` is exactly::

    {"score": float, "max_score": float, "rubric": str,
     "criteria": [{"id": str, "title": str, "passed": bool, "status": "passed"|"failed"|"skipped",
                   "points": float, "max_points": float, "feedback": str, "findings": [...]}]}

Each finding is the object ``gpulint check --format json`` prints; for a notebook it also has
``"cell"`` (1-based cell number) and its ``line`` counts inside that cell. Every criterion is
listed, hidden ones too: the JSON is for tools and instructors. The student-facing formats
(text, markdown) leave hidden criteria out unless asked.

``gradescope`` is the ``results.json`` of Gradescope's autograder specification.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gpulint.grading.grader import CriterionResult, GradeResult

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
            }
            for r in graded.criteria
        ],
    }


def render_json(graded: GradeResult) -> str:
    return json.dumps(as_dict(graded), indent=2, ensure_ascii=False) + "\n"


def _pts(value: float) -> str:
    return f"{value:g}"


def _skipped_note(graded: GradeResult) -> str:
    skipped = [r for r in graded.criteria if r.status == "skipped"]
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


def _shown(graded: GradeResult, show_hidden: bool) -> tuple[list[CriterionResult], list[CriterionResult]]:
    shown = [r for r in graded.criteria if show_hidden or r.criterion.visibility != "hidden"]
    hidden = [r for r in graded.criteria if r not in shown]
    return shown, hidden


def render_text(graded: GradeResult, show_hidden: bool = False) -> str:
    out = [f"gpulint grade: {graded.name} ({graded.form}), rubric '{graded.rubric.name}': {graded.rubric.title}",
           f"Score: {_pts(graded.score)} / {_pts(graded.max_score)}"]
    if graded.error:
        out.append(f"Error: {graded.error}")
    note = _skipped_note(graded)
    if note:
        out.append(note)
    shown, hidden = _shown(graded, show_hidden)
    out.append("")
    for r in shown:
        out.append(f"[{_MARK[r.status]}] {r.criterion.id}: {r.criterion.title} "
                   f"({_pts(r.points)}/{_pts(r.criterion.points)})")
        if r.status != "passed" or r.findings:
            out.extend("    " + line if line else "" for line in r.feedback.split("\n"))
    if hidden:
        out.append("")
        out.append(f"{len(hidden)} hidden criteri{'on is' if len(hidden) == 1 else 'a are'} graded but not shown; "
                   "they count toward the score.")
    return "\n".join(out) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(graded: GradeResult, show_hidden: bool = False) -> str:
    shown, hidden = _shown(graded, show_hidden)
    out = [f"# Feedback: {graded.name}", "",
           f"Rubric: **{graded.rubric.title}** (`{graded.rubric.name}`)", "",
           f"**Score: {_pts(graded.score)} / {_pts(graded.max_score)}**", ""]
    if graded.error:
        out += [f"> **The submission could not be read:** {graded.error}", ""]
    note = _skipped_note(graded)
    if note:
        out += [f"> {note}", ""]
    out += ["| | Criterion | Points |", "|---|---|---|"]
    icon = {"passed": "✅", "failed": "❌", "skipped": "⏭️"}
    for r in shown:
        out.append(f"| {icon[r.status]} | {_md_escape(r.criterion.title)} (`{r.criterion.id}`) | "
                   f"{_pts(r.points)} / {_pts(r.criterion.points)} |")
    if hidden:
        out += ["", f"_{len(hidden)} hidden criteri{'on is' if len(hidden) == 1 else 'a are'} graded but not shown; "
                    "they count toward the score._"]
    for r in shown:
        out += ["", f"## {icon[r.status]} {r.criterion.title} (`{r.criterion.id}`)", "", r.feedback]
    return "\n".join(out) + "\n"


def gradescope_dict(graded: GradeResult, execution_time: float = 0.0) -> dict:
    """Gradescope's results.json: score, execution_time, output, tests[], visibility settings."""
    tests = []
    for number, r in enumerate(graded.criteria, 1):
        name = r.criterion.title
        if r.status == "skipped":
            name += " (not graded: needs live mode)"
        test = {
            "name": f"{r.criterion.id}: {name}",
            "number": str(number),
            "score": _float(r.points),
            "max_score": _float(r.criterion.points),
            "status": "passed" if r.status == "passed" else "failed",
            "output": r.feedback,
            "output_format": "md",
            "tags": [r.criterion.id] + (["live"] if r.criterion.live else []) + (["skipped"] if r.status == "skipped"
                                                                              else []),
            "visibility": r.criterion.visibility,
        }
        tests.append(test)
    output = f"Graded by gpulint with the '{graded.rubric.name}' rubric: {graded.rubric.title}."
    if graded.error:
        output += f"\n\nThe submission could not be read: {graded.error}"
    note = _skipped_note(graded)
    if note:
        output += "\n\n" + note
    return {
        "score": _float(graded.score),
        "execution_time": max(0, int(round(execution_time))),
        "output": output,
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render_gradescope(graded: GradeResult, execution_time: float = 0.0) -> str:
    return json.dumps(gradescope_dict(graded, execution_time), indent=2, ensure_ascii=False) + "\n"


def render(graded: GradeResult, fmt: str, *, show_hidden: bool = False, execution_time: float = 0.0) -> str:
    if fmt == "json":
        return render_json(graded)
    if fmt == "gradescope":
        return render_gradescope(graded, execution_time)
    if fmt == "markdown":
        return render_markdown(graded, show_hidden)
    return render_text(graded, show_hidden)
