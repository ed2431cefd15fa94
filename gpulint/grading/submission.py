"""Reading one submission: a repository folder, a lab answers file, or a Jupyter notebook.

Every form ends as an engine run over the submission with the rubric's required artifact kinds
and none of the submission's own configuration (a student's ``.gpulint.yaml`` could otherwise
turn rules off). A notebook's artifacts are the files its cells write (``%%writefile PATH``) or
cells tagged with an artifact's name; they are written to a scratch folder, linted there, and
each finding is mapped back to the notebook cell and the line inside that cell.
"""

from __future__ import annotations

import posixpath
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpulint.project.config import Config
from gpulint.engine.run import RunResult, run
from gpulint.core.findings import Finding
from gpulint.grading.rubric import Rubric
from gpulint.core.source import Source

GRADABLE_KINDS = frozenset({"dockerfile", "workflow", "kubernetes", "rollout", "smoketest", "answers", "gitlab",
                            "cloudbuild"})
NOTEBOOK_SUFFIX = ".ipynb"

# Cell tags naming an artifact, and the file the tagged cell's text stands for.
TAG_FILES = {
    "dockerfile": "Dockerfile", "containerfile": "Dockerfile",
    "workflow": ".github/workflows/ci.yml", "workflow_yaml": ".github/workflows/ci.yml",
    "github-actions": ".github/workflows/ci.yml", "ci": ".github/workflows/ci.yml",
    "deployment": "k8s/deployment.yaml", "deployment_yaml": "k8s/deployment.yaml",
    "kubernetes": "k8s/deployment.yaml", "k8s": "k8s/deployment.yaml", "manifest": "k8s/deployment.yaml",
    "smoke_test": "smoke_test.py", "smoke_test_py": "smoke_test.py", "smoketest": "smoke_test.py",
    "smoke-test": "smoke_test.py",
    "rollout": "rollout.yaml", "rollout_plan": "rollout.yaml", "rollout-plan": "rollout.yaml",
}
# Tags whose cell holds the value of one key of the rollout plan.
ROLLOUT_KEYS = {"rollback_commands": "rollback_commands", "rollback-commands": "rollback_commands",
                "image_promotion_flow": "image_promotion_flow", "promotion_flow": "image_promotion_flow",
                "image-promotion-flow": "image_promotion_flow", "promotion-flow": "image_promotion_flow"}


UNREADABLE, EMPTY, UNRECOGNISED = "unreadable", "empty", "unrecognised"


class SubmissionError(Exception):
    """A submission that cannot be read at all (exit status 2; an ungraded row in a batch).

    ``reason`` names the kind of failure for the gradebook's status column: ``unreadable``
    (missing, binary, broken), ``empty`` (no files, or only blank ones) or ``unrecognised``
    (files, but nothing gpulint grades)."""

    def __init__(self, message: str, reason: str = UNREADABLE):
        super().__init__(message)
        self.reason = reason


@dataclass
class Origin:
    cell: int  # 1-based cell number in the notebook
    line: int  # 1-based line inside that cell
    shift: int = 0  # columns added in front of the cell's text (an indented rollout value)


@dataclass
class Submission:
    name: str  # the file or folder name, as shown to people
    form: str  # repository | answers | notebook | file
    result: RunResult
    findings: list[Finding]
    cells: dict[int, int] = field(default_factory=dict)  # id(finding) -> notebook cell number

    def cell_of(self, finding: Finding) -> int | None:
        return self.cells.get(id(finding))


def config_for(rubric: Rubric) -> Config:
    """The rubric's own configuration: every rule on, the required kinds, nothing from the submission."""
    return Config(require=tuple(rubric.require), gpu_runner_labels=tuple(rubric.gpu_runner_labels))


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


@dataclass
class _Written:
    """A file a notebook writes, built line by line; each line remembers its cell and line."""

    lines: list[str] = field(default_factory=list)
    origins: list[Origin | None] = field(default_factory=list)

    def add(self, text: str, cell: int | None, first_line: int, shift: int = 0) -> None:
        for i, line in enumerate(text.split("\n")):
            self.lines.append(line)
            self.origins.append(Origin(cell, first_line + i, shift) if cell is not None else None)
        if text.endswith("\n"):  # split() made an empty last piece for the final newline
            self.lines.pop()
            self.origins.pop()

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def _read_notebook(path: Path) -> Any:
    try:
        import nbformat
    except ImportError:
        raise SubmissionError(f"{path.name}: grading a Jupyter notebook needs nbformat: "
                              "pip install 'gpulint[notebook]'") from None
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SubmissionError(f"{path.name}: cannot read: {error.strerror or error}") from None
    from gpulint.core.source import decode

    text, problem = decode(data)
    if text is None:
        raise SubmissionError(f"{path.name}: {problem}")
    import logging
    import warnings

    logging.getLogger("traitlets").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
    except (ValueError, KeyError, TypeError, AttributeError, nbformat.ValidationError) as error:
        # nbformat's reader fails with these on text that is not a notebook of a version it knows
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SubmissionError(f"{path.name}: not a readable Jupyter notebook: {message}") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise SubmissionError(f"{path.name}: not a readable Jupyter notebook: no cells")
    return notebook


def _safe_rel(raw: str) -> str | None:
    """A path a cell writes, as a relative path that stays inside the scratch folder."""
    raw = raw.strip().strip("'\"")
    if not raw:
        return None
    norm = posixpath.normpath(raw.replace("\\", "/")).lstrip("/")
    if norm.startswith("~"):
        norm = norm.lstrip("~").lstrip("/")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        name = posixpath.basename(norm)
        return name if name and name not in (".", "..") else None
    return "/".join(parts)


def _writefile(first_line: str) -> tuple[str, bool] | None:
    """``%%writefile [-a] PATH`` -> (path, append)."""
    import shlex

    stripped = first_line.strip()
    if not stripped.startswith("%%writefile"):
        return None
    try:
        words = shlex.split(stripped[len("%%writefile"):])
    except ValueError:
        words = stripped[len("%%writefile"):].split()
    append = False
    target = None
    for word in words:
        if word in ("-a", "--append"):
            append = True
        elif target is None:
            target = word
    rel = _safe_rel(target) if target else None
    return (rel, append) if rel else None


def _cell_text(cell: Any) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(s) for s in source)
    return str(source).replace("\r\n", "\n")


def _tags(cell: Any) -> list[str]:
    metadata = cell.get("metadata") or {}
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [str(t).strip().lower() for t in tags] if isinstance(tags, list) else []


def _notebook(path: Path, rubric: Rubric) -> Submission:
    notebook = _read_notebook(path)
    files: dict[str, _Written] = {}
    rollout_parts: list[tuple[str, str, int]] = []  # (key, text, cell)
    cell_sources: dict[int, Source] = {}
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "raw"):
            continue
        number = index + 1
        text = _cell_text(cell)
        cell_sources[number] = Source(text, path.name)
        first, _, body = text.partition("\n")
        magic = _writefile(first)
        if magic is not None:
            rel, append = magic
            if not append or rel not in files:
                files[rel] = _Written()
            files[rel].add(body, number, 2)
            continue
        for tag in _tags(cell):
            if tag in TAG_FILES:
                files[TAG_FILES[tag]] = _Written()
                files[TAG_FILES[tag]].add(text, number, 1)
                break
            if tag in ROLLOUT_KEYS:
                rollout_parts.append((ROLLOUT_KEYS[tag], text, number))
                break
    if rollout_parts and "rollout.yaml" not in files:
        files["rollout.yaml"] = _rollout_from_parts(rollout_parts)
    if not files:
        if not any(_cell_text(c).strip() for c in notebook["cells"] if isinstance(c, dict)):
            raise SubmissionError(f"{path.name}: the notebook is empty (no cell has any text)", EMPTY)
        raise SubmissionError(
            f"{path.name}: no cell writes an artifact; write each file with a `%%writefile Dockerfile` "
            "(or .github/workflows/ci.yml, k8s/deployment.yaml, rollout.yaml, smoke_test.py) cell, or tag "
            "the cell with the artifact's name (dockerfile, workflow, deployment, rollout, smoke_test)", UNRECOGNISED)
    with tempfile.TemporaryDirectory(prefix="gpulint-nb-") as scratch:
        root = Path(scratch)
        for rel, written in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(written.text(), encoding="utf-8")
        result = _run(root, rubric)
    _require_something(result, path.name, "notebook")
    cells: dict[int, int] = {}
    findings: list[Finding] = []
    for finding in result.findings:
        written = files.get(finding.path)
        if written is not None:
            start = _origin(written, finding.line)
            end = _origin(written, finding.end_line) or start
            if start is not None:
                source = cell_sources.get(start.cell)
                same_cell = end is not None and end.cell == start.cell
                finding.end_line = end.line if same_cell else start.line
                finding.column = max(1, finding.column - start.shift)
                finding.end_column = max(1, finding.end_column - end.shift) if same_cell else finding.column + 1
                finding.line = start.line
                finding.source = source
                cells[id(finding)] = start.cell
            else:
                finding.line, finding.end_line, finding.source = 1, 1, None
        elif finding.path == ".":
            finding.source = None
        finding.path = path.name
        findings.append(finding)
    findings.sort(key=lambda f: (cells.get(id(f), 0),) + f.sort_key())
    return Submission(path.name, "notebook", result, findings, cells)


def _origin(written: _Written, line: int) -> Origin | None:
    if 1 <= line <= len(written.origins):
        return written.origins[line - 1]
    return written.origins[-1] if written.origins else None


def _rollout_from_parts(parts: list[tuple[str, str, int]]) -> _Written:
    """A rollout plan assembled from cells tagged ``rollback_commands`` / ``image_promotion_flow``."""
    import yaml

    written = _Written()
    for key, text, cell in parts:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = None
        if isinstance(value, dict) and key in value:
            written.add(text if text.endswith("\n") else text + "\n", cell, 1)
            continue
        written.add(f"{key}:\n", None, 0)
        indented = "".join("  " + line + "\n" for line in text.rstrip("\n").split("\n"))
        written.add(indented, cell, 1, shift=2)
    return written
