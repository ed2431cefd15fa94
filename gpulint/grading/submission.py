"""Reading one submission: a repository folder, a lab answers file, or a Jupyter notebook.

Every form ends as an engine run over the submission with the rubric's required artifact kinds
and none of the submission's own configuration (a student's ``.gpulint.yaml`` could otherwise
turn rules off). A notebook is read as Jupyter would run it, without running it (see
``gpulint.artifacts.notebook.cells``): its ``%%writefile`` cells, the lab's answer variables and cells tagged
with an artifact's name; findings point at the notebook cell and the line inside that cell.
"""

from __future__ import annotations

from pathlib import Path

from gpulint.core.findings import Finding
from gpulint.core.records import Record, field
from gpulint.engine.run import RunResult, run
from gpulint.grading.rubric import Rubric
from gpulint.project.config import Config

GRADABLE_KINDS = frozenset({"dockerfile", "workflow", "kubernetes", "rollout", "smoketest", "answers", "gitlab",
                            "cloudbuild"})
NOTEBOOK_SUFFIX = ".ipynb"


UNREADABLE, EMPTY, UNRECOGNISED = "unreadable", "empty", "unrecognised"


class SubmissionError(Exception):
    """A submission that cannot be read at all (exit status 2; an ungraded row in a batch).

    ``reason`` names the kind of failure for the gradebook's status column: ``unreadable``
    (missing, binary, broken), ``empty`` (no files, or only blank ones) or ``unrecognised``
    (files, but nothing gpulint grades)."""

    def __init__(self, message: str, reason: str = UNREADABLE):
        super().__init__(message)
        self.reason = reason


class Submission(Record):
    name: str  # the file or folder name, as shown to people
    form: str  # repository | answers | notebook | file
    result: RunResult
    findings: list[Finding]
    cells: dict[int, int] = field(default_factory=dict)  # id(finding) -> notebook cell number

    def cell_of(self, finding: Finding) -> int | None:
        return self.cells.get(id(finding))


def config_for(rubric: Rubric) -> Config:
    """The rubric's own configuration: every rule on, the required kinds, nothing from the submission.

    The rules' profile is the one the grader asked for (``grade --profile``), else the rubric's own
    name when it names a profile (``lab``, ``production``), else ``lab``."""
    from gpulint.project.config import PROFILES

    default = rubric.name if rubric.name in PROFILES else "lab"
    return Config(require=tuple(rubric.require), gpu_runner_labels=tuple(rubric.gpu_runner_labels),
                  profile=rubric.profile, default_profile=default)


def load_submission(path: Path, rubric: Rubric) -> Submission:
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise SubmissionError(f"no such file or directory: {path}")
    name = path.name or str(path)
    if path.is_dir():
        result = _run(path, rubric)
        _require_something(result, name, "folder", path)
        return Submission(name, "repository", result, list(result.findings))
    if not path.is_file():
        raise SubmissionError(f"{name}: not a regular file or folder")
    if path.suffix.lower() == NOTEBOOK_SUFFIX:
        return _notebook(path, rubric)
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        raise SubmissionError(f"{name}: cannot read: {error.strerror or error}") from None
    result = _run(path, rubric)
    _require_something(result, name, "file", path)
    form = "answers" if any(a.kind == "answers" for a in result.artifacts) else "file"
    return Submission(name, form, result, list(result.findings))


def _run(path: Path, rubric: Rubric) -> RunResult:
    from gpulint.engine.run import UsageError

    try:
        return run([path], config=config_for(rubric))
    except UsageError as error:
        raise SubmissionError(str(error)) from None


def _require_something(result: RunResult, name: str, what: str, path: Path | None = None) -> None:
    """A submission in which nothing at all could be read is broken, not merely wrong."""
    if any(a.kind in GRADABLE_KINDS for a in result.artifacts):
        return
    problems = [f"{f.path}:{f.line}: {f.message}" for f in result.findings if f.rule == "GL001"]
    if problems:
        raise SubmissionError(f"{name}: nothing could be read: " + "; ".join(problems[:3]))
    if path is not None and path.is_file():
        problem = _not_text(path)
        if problem:
            raise SubmissionError(f"{name}: {problem.removesuffix('; not linted')}")
    if path is not None and _is_blank(path):
        raise SubmissionError(f"{name}: the {what} is empty" + (" (no files in it)" if what == "folder" else ""),
                              EMPTY)
    raise SubmissionError(
        f"{name}: no Dockerfile, GitHub Actions workflow, Kubernetes manifest, rollout plan or lab answers "
        f"were found in this {what}; gpulint grades a repository folder, a lab answers file (YAML or JSON) "
        "or a Jupyter notebook", UNRECOGNISED)


def _not_text(path: Path) -> str | None:
    """Why a submitted file is not text (binary, bad encoding), or None."""
    from gpulint.core.source import decode

    try:
        data = path.read_bytes()
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    return decode(data)[1]


def _is_blank(path: Path) -> bool:
    """A file of only whitespace, or a folder holding no file (symbolic links are not followed)."""
    import os

    if path.is_file():
        try:
            with path.open("rb") as handle:
                return not handle.read(1 << 16).strip() and path.stat().st_size <= 1 << 16
        except OSError:
            return False
    for _top, _dirs, files in os.walk(path):
        if files:
            return False
    return True


# ---------------------------------------------------------------------------- notebooks


def _notebook(path: Path, rubric: Rubric) -> Submission:
    from gpulint.artifacts.notebook.cells import NotebookError, answers_of
    from gpulint.core.errors import UsageError
    from gpulint.engine.notebook import lint_notebook

    try:
        answers = answers_of(path)
        if answers.empty:
            if answers.blank:
                raise SubmissionError(f"{path.name}: the notebook is empty (no cell has any text)", EMPTY)
            raise SubmissionError(
                f"{path.name}: no code cell gives an answer; write each file with a `%%writefile Dockerfile` "
                "(or .github/workflows/ci.yml, k8s/deployment.yaml, rollout.yaml, smoke_test.py) cell, assign "
                "the lab's answer variables (dockerfile, workflow_yaml, deployment_yaml, smoke_test_py, "
                "rollback_commands, image_promotion_flow), or tag a cell with the artifact's name "
                "(dockerfile, workflow, deployment, rollout, smoke_test)", UNRECOGNISED)
        linted = lint_notebook(path, answers, config=config_for(rubric))
    except NotebookError as error:
        raise SubmissionError(str(error)) from None
    except UsageError as error:
        raise SubmissionError(str(error)) from None
    if not linted.answers.unknown:
        _require_something(linted.result, path.name, "notebook")
    return Submission(path.name, "notebook", linted.result, linted.findings, linted.cells)
