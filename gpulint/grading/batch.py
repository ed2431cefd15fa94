"""Batch grading: every submission directly under a folder, in parallel on all cores.

Writes ``gradebook.csv`` (one row per submission, sorted by name: a column per criterion with
the points earned, empty for a skipped live criterion, then the total, an error column, the
status, the rules that failed each criterion and the provenance of the grade) and one feedback
file per submission. A submission that cannot be graded (unreadable, empty, nothing gpulint
recognises, over the time limit, or a gpulint bug) gets 0 points, ``ungraded: REASON`` as its
status and its error in its row; the batch goes on.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from gpulint.core.records import Record, field
from gpulint.grading.provenance import GPULINT_VERSION, rubric_hash
from gpulint.grading.rubric import Rubric
from gpulint.grading.timelimit import DEFAULT_SECONDS
from gpulint.grading.visibility import StudentReport, StudentView

SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json", ".ipynb")
FEEDBACK_SUFFIX = {"markdown": ".md", "text": ".txt", "json": ".json"}


class Row(Record):
    name: str
    form: str
    score: float
    max_score: float
    points: dict[str, float | None]  # criterion id -> points (None: skipped)
    error: str
    feedback: str  # the feedback file's content
    status: str = "graded"  # or "ungraded: REASON"
    statuses: dict[str, str] = field(default_factory=dict)  # criterion id -> passed | failed | skipped
    failing: dict[str, list[str]] = field(default_factory=dict)  # criterion id -> rule ids that failed it
    rule_counts: dict[str, int] = field(default_factory=dict)  # rule id -> findings that cost points
    submission_hash: str = ""
    student: StudentReport | None = None  # what the student may see (the HTML gradebook's sections)

    @property
    def graded(self) -> bool:
        return self.status == "graded"


def submissions_in(folder: Path, exclude: Path | None = None) -> list[Path]:
    """Folders, answers files and notebooks directly under ``folder`` (hidden names skipped)."""
    found = []
    exclude_resolved = exclude.resolve() if exclude is not None else None
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name.startswith("__"):
            continue
        if exclude_resolved is not None and entry.resolve() == exclude_resolved:
            continue
        if entry.is_dir() or entry.suffix.lower() in SUBMISSION_SUFFIXES:
            found.append(entry)
    return found


class _Settings(Record, frozen=True):
    rubric: Rubric
    fmt: str = "markdown"
    view: StudentView | None = None
    timeout: float | None = DEFAULT_SECONDS
    live: dict | None = None  # submission name -> live criteria (LiveResult by criterion id)


_SETTINGS: _Settings | None = None


def _init(settings: _Settings) -> None:
    global _SETTINGS
    _SETTINGS = settings


def grade_one(path: Path, rubric: Rubric | None = None, fmt: str | None = None, view: StudentView | None = None,
              timeout: float | None = DEFAULT_SECONDS, live: dict | None = None) -> Row:
    """Grade one submission into a gradebook row; never raises."""
    from gpulint.core.errors import MissingDependency
    from gpulint.grading.formats import render
    from gpulint.grading.grader import grade_error, grade_path
    from gpulint.grading.submission import SubmissionError
    from gpulint.grading.timelimit import GradingTimeout, time_limit
    from gpulint.grading.visibility import student_report

    if rubric is None:
        assert _SETTINGS is not None
        rubric, fmt, view, timeout = _SETTINGS.rubric, _SETTINGS.fmt, _SETTINGS.view, _SETTINGS.timeout
        live = _SETTINGS.live
    fmt = fmt or "markdown"
    view = view or StudentView.for_rubric(rubric)
    try:
        with time_limit(timeout):
            graded = grade_path(path, rubric, (live or {}).get(path.name))
    except GradingTimeout as failure:
        graded = grade_error(path.name, rubric, f"{path.name}: {failure}", "timed out")
    except SubmissionError as failure:
        graded = grade_error(path.name, rubric, str(failure), failure.reason)
    except MissingDependency:
        raise  # every submission would fail the same way: stop the batch and say why
    except Exception as failure:  # a bug in one submission's grading must not stop the batch; its row says so
        message = f"internal error while grading: {type(failure).__name__}: {failure}"
        graded = grade_error(path.name, rubric, message, "internal error")
    points = {r.criterion.id: (None if r.status == "skipped" else r.points) for r in graded.criteria}
    failing: dict[str, list[str]] = {}
    counted: dict[int, str] = {}  # id(finding) -> rule id: a finding failing two criteria counts once
    for result in graded.criteria:
        if result.failing:
            failing[result.criterion.id] = sorted({f.rule for f in result.failing})
            counted.update((id(f), f.rule) for f in result.failing)
    rule_counts: dict[str, int] = {}
    for rule in counted.values():
        rule_counts[rule] = rule_counts.get(rule, 0) + 1
    feedback = "" if fmt == "html" else render(graded, fmt, view=view)
    return Row(path.name, graded.form, graded.score, graded.max_score, points, graded.error or "", feedback,
               status=graded.status, statuses={r.criterion.id: r.status for r in graded.criteria}, failing=failing,
               rule_counts=dict(sorted(rule_counts.items())), submission_hash=graded.submission_hash,
               student=student_report(graded, view))


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return cleaned.lstrip(".") or "submission"


PROVENANCE_COLUMNS = ("status", "failed_rules", "submission_hash", "gpulint_version", "rubric_hash")


def failed_rules_cell(failing: dict[str, list[str]]) -> str:
    """``dockerfile.nonroot:GL102;workflow.gpu-runner:GL203,GL204`` (criteria in rubric order)."""
    return ";".join(f"{cid}:{','.join(rules)}" for cid, rules in failing.items())


def gradebook_csv(rows: list[Row], rubric: Rubric) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    ids = [c.id for c in rubric.criteria]
    writer.writerow(["submission", "form", *ids, "total", "max_score", "error", *PROVENANCE_COLUMNS])
    digest = rubric_hash(rubric)
    for row in sorted(rows, key=lambda r: r.name):
        cells = ["" if row.points.get(i) is None else f"{row.points[i]:g}" for i in ids]
        writer.writerow([row.name, row.form, *cells, f"{row.score:g}", f"{row.max_score:g}", row.error, row.status,
                         failed_rules_cell(row.failing), row.submission_hash, GPULINT_VERSION, digest])
    return buffer.getvalue()


def grade_all(folder: Path, rubric: Rubric, fmt: str = "markdown", jobs: int | None = None,
              progress: bool | None = None, view: StudentView | None = None,
              timeout: float | None = DEFAULT_SECONDS, exclude: Path | None = None,
              live: dict | None = None) -> tuple[list[Row], float]:
    """Grade every submission under ``folder`` (rows sorted by name) and the seconds it took; ``live``:
    each submission's live criteria by name (from live reports or a Kubernetes batch)."""
    started = time.perf_counter()
    paths = submissions_in(folder, exclude=exclude)
    jobs = max(1, jobs or os.cpu_count() or 1)
    if progress is None:
        progress = sys.stderr.isatty()
    settings = _Settings(rubric, fmt, view or StudentView.for_rubric(rubric), timeout, live)
    rows: list[Row] = []
    if paths:
        _warm_up()
        if jobs == 1 or len(paths) == 1:
            _init(settings)
            rows = _collect(map(grade_one, paths), len(paths), progress)
        else:
            import multiprocessing

            context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
            chunk = max(1, min(16, len(paths) // (jobs * 8)))
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init,
                                     initargs=(settings,)) as pool:
                rows = _collect(pool.map(grade_one, paths, chunksize=chunk), len(paths), progress)
    rows.sort(key=lambda r: r.name)
    return rows, time.perf_counter() - started


def write_gradebook(rows: list[Row], rubric: Rubric, out_dir: Path, fmt: str = "markdown") -> None:
    """``out_dir/gradebook.csv`` and ``out_dir/feedback/<submission>.<ext>``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "gradebook.csv").write_text(gradebook_csv(rows, rubric), encoding="utf-8")
    feedback_dir = out_dir / "feedback"
    feedback_dir.mkdir(exist_ok=True)
    for row in rows:
        (feedback_dir / (_safe_name(row.name) + FEEDBACK_SUFFIX.get(fmt, ".md"))).write_text(row.feedback,
                                                                                          encoding="utf-8")


def run_batch(folder: Path, rubric: Rubric, out_dir: Path, fmt: str = "markdown", jobs: int | None = None,
              progress: bool | None = None, view: StudentView | None = None,
              timeout: float | None = DEFAULT_SECONDS) -> tuple[list[Row], float]:
    """Grade every submission under ``folder``; write the gradebook and feedback files under ``out_dir``."""
    rows, elapsed = grade_all(folder, rubric, fmt, jobs, progress, view, timeout, exclude=out_dir)
    write_gradebook(rows, rubric, out_dir, fmt)
    return rows, elapsed


def _warm_up() -> None:
    """Import the rules and parsers once before forking, so the workers share them."""
    from gpulint.grading import submission  # noqa: F401
    from gpulint.rules.base import load_rules

    load_rules()


def _collect(results, total: int, progress: bool) -> list[Row]:
    if not progress:
        return list(results)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    rows = []
    with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("grading", total=total)
        for row in results:
            rows.append(row)
            bar.advance(task)
    return rows
