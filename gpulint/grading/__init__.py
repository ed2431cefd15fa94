"""Grading submissions against rubrics: ``gpulint grade``.

>>> from gpulint.grading import load_rubric, grade_path
>>> result = grade_path(Path("submission/"), load_rubric("lab"))
>>> result.score, [c.status for c in result.criteria]

Names are loaded on first use so that building the command line stays fast.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "CriterionResult": "grader", "GradeResult": "grader", "LiveResult": "grader", "grade": "grader",
    "grade_error": "grader", "grade_path": "grader", "parse_live_results": "grader",
    "Criterion": "rubric", "Rubric": "rubric", "RubricError": "rubric", "load_rubric": "rubric",
    "parse_rubric": "rubric", "Submission": "submission", "SubmissionError": "submission",
    "load_submission": "submission",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"gpulint.grading.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'gpulint.grading' has no attribute {name!r}")
