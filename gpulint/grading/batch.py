"""Batch grading: every submission directly under a folder, in parallel on all cores.

Writes ``gradebook.csv`` (one row per submission, sorted by name: a column per criterion with
the points earned, empty for a skipped live criterion, then the total and an error column) and
one feedback file per submission. A submission that cannot be read, or that makes gpulint fail,
gets 0 points and its error in its row; the batch goes on.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gpulint.grading.rubric import Rubric

SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json", ".ipynb")
FEEDBACK_SUFFIX = {"markdown": ".md", "text": ".txt", "json": ".json"}


@dataclass
class Row:
    name: str
    form: str
    score: float
    max_score: float
    points: dict[str, float | None]  # criterion id -> points (None: skipped)
    error: str
    feedback: str  # the feedback file's content


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


_RUBRIC: Rubric | None = None
_FORMAT = "markdown"
_LIVE: dict = {}  # submission name -> live criteria (LiveResult by criterion id)


def _init(rubric: Rubric, fmt: str, live: dict | None = None) -> None:
    global _RUBRIC, _FORMAT, _LIVE
    _RUBRIC, _FORMAT, _LIVE = rubric, fmt, live or {}


def grade_one(path: Path, rubric: Rubric | None = None, fmt: str | None = None) -> Row:
    """Grade one submission into a gradebook row; never raises."""
    from gpulint.grading.formats import render
    from gpulint.grading.grader import grade_error, grade_path
    from gpulint.grading.submission import SubmissionError

    rubric = rubric or _RUBRIC
    fmt = fmt or _FORMAT
    assert rubric is not None
    try:
        graded = grade_path(path, rubric, _LIVE.get(path.name))
        error = ""
    except SubmissionError as failure:
        graded, error = grade_error(path.name, rubric, str(failure)), str(failure)
    except Exception as failure:  # a bug must not stop the batch; the row says what happened
        message = f"internal error while grading: {type(failure).__name__}: {failure}"
        graded, error = grade_error(path.name, rubric, message), message
    points = {r.criterion.id: (None if r.status == "skipped" else r.points) for r in graded.criteria}
    return Row(path.name, graded.form, graded.score, graded.max_score, points, error, render(graded, fmt))


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return cleaned.lstrip(".") or "submission"


def gradebook_csv(rows: list[Row], rubric: Rubric) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    ids = [c.id for c in rubric.criteria]
    writer.writerow(["submission", "form", *ids, "total", "max_score", "error"])
    for row in sorted(rows, key=lambda r: r.name):
        cells = ["" if row.points.get(i) is None else f"{row.points[i]:g}" for i in ids]
        writer.writerow([row.name, row.form, *cells, f"{row.score:g}", f"{row.max_score:g}", row.error])
    return buffer.getvalue()


def run_batch(folder: Path, rubric: Rubric, out_dir: Path, fmt: str = "markdown", jobs: int | None = None,
              progress: bool | None = None, live: dict | None = None) -> tuple[list[Row], float]:
    """Grade every submission under ``folder``; write the gradebook and feedback files under ``out_dir``."""
    started = time.perf_counter()
    paths = submissions_in(folder, exclude=out_dir)
    jobs = max(1, jobs or os.cpu_count() or 1)
    if progress is None:
        progress = sys.stderr.isatty()
    rows: list[Row] = []
    if paths:
        _warm_up()
        if jobs == 1 or len(paths) == 1:
            _init(rubric, fmt, live)
            rows = _collect(map(grade_one, paths), len(paths), progress)
        else:
            import multiprocessing

            context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
            chunk = max(1, min(16, len(paths) // (jobs * 8)))
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init,
                                     initargs=(rubric, fmt, live)) as pool:
                rows = _collect(pool.map(grade_one, paths, chunksize=chunk), len(paths), progress)
    rows.sort(key=lambda r: r.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "gradebook.csv").write_text(gradebook_csv(rows, rubric), encoding="utf-8")
    feedback_dir = out_dir / "feedback"
    feedback_dir.mkdir(exist_ok=True)
    for row in rows:
        (feedback_dir / (_safe_name(row.name) + FEEDBACK_SUFFIX.get(fmt, ".md"))).write_text(row.feedback,
                                                                                          encoding="utf-8")
    return rows, time.perf_counter() - started


def _warm_up() -> None:
    """Import the rules and parsers once before forking, so the workers share them."""
    from gpulint.grading import submission  # noqa: F401
    from gpulint.rule import load_rules

    load_rules()


def _collect(results, total: int, progress: bool) -> list[Row]:
    if not progress:
        return list(results)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.console import Console

    rows = []
    with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("grading", total=total)
        for row in results:
            rows.append(row)
            bar.advance(task)
    return rows
