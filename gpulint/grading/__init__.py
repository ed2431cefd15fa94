"""Grading submissions against rubrics: ``gpulint grade``.

>>> from gpulint.grading import load_rubric, grade_path
>>> result = grade_path(Path("submission/"), load_rubric("lab"))
>>> result.score, [c.status for c in result.criteria]
"""

from gpulint.grading.grader import (CriterionResult, GradeResult, LiveResult, grade, grade_error, grade_path,
                                    parse_live_results)
from gpulint.grading.rubric import Criterion, Rubric, RubricError, load_rubric, parse_rubric
from gpulint.grading.submission import Submission, SubmissionError, load_submission

__all__ = ["Criterion", "CriterionResult", "GradeResult", "LiveResult", "Rubric", "RubricError", "Submission",
           "SubmissionError", "grade", "grade_error", "grade_path", "load_rubric", "load_submission",
           "parse_live_results", "parse_rubric"]
