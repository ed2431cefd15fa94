"""Live results for batch grading: a folder of live reports matched to submissions, or Kubernetes runs.

A report belongs to the submission whose name equals its ``submission`` field (``gpulint live
--submission-id``) or, without one, the report file's name less ``.json`` (``alice.json`` for the
folder ``alice/`` or the answers file ``alice.yaml``). A report that matches no submission, two
reports for one submission, or a file that is not a live report is an error: nothing is guessed.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gpulint.core.records import replace


class LiveBatchError(Exception):
    """The live reports cannot be matched to the submissions (exit status 2)."""


def _ids(paths: list[Path]) -> dict[str, str]:
    """submission id -> submission name: the full name, and the name less its suffix where unambiguous."""
    ids = {p.name: p.name for p in paths}
    stems: dict[str, list[str]] = {}
    for path in paths:
        if path.suffix:
            stems.setdefault(path.stem, []).append(path.name)
    for stem, names in stems.items():
        if len(names) == 1 and stem not in ids:
            ids[stem] = names[0]
    return ids


def load_live_folder(folder: Path, submissions: list[Path]) -> dict[str, dict[str, Any]]:
    """submission name -> its live criteria (LiveResult by criterion id), from ``folder/*.json``."""
    from gpulint.grading.grader import parse_live_results
    from gpulint.live.results import is_live_report

    if not folder.is_dir():
        raise LiveBatchError(f"with --batch, --live-results takes a folder of live reports (gpulint live --format "
                             f"json -o DIR/<submission>.json), not {folder}")
    ids = _ids(submissions)
    found: dict[str, tuple[Path, dict]] = {}
    problems: list[str] = []
    for report_path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problems.append(f"{report_path.name}: cannot read it ({error})")
            continue
        if not is_live_report(data):
            problems.append(f"{report_path.name}: not a live report (gpulint live --format json)")
            continue
        wanted = str(data.get("submission") or report_path.stem)
        name = ids.get(wanted)
        if name is None:
            problems.append(f"{report_path.name}: matches no submission (submission id {wanted!r})")
        elif name in found:
            problems.append(f"{report_path.name}: a second report for {name} (the first: {found[name][0].name})")
        else:
            found[name] = (report_path, data)
    if problems:
        raise LiveBatchError("live reports that cannot be matched:\n  " + "\n  ".join(problems))
    return {name: parse_live_results(data) for name, (_, data) in found.items()}


def run_kubernetes_batch(submissions: list[Path], rubric: Any, options: Any, out_dir: Path) -> dict[str, dict]:
    """Run every submission's image as Kubernetes Jobs, ``options.parallel`` submissions at once; write each
    report to ``out_dir/live/<submission>.json``; return the live criteria by submission name."""
    from gpulint.grading.grader import live_results
    from gpulint.grading.submission import SubmissionError, load_submission
    from gpulint.live.runner import run_live
    from gpulint.live.target import TargetError

    if not options.image or "{submission}" not in options.image:
        raise LiveBatchError("grade --batch --live --engine kubernetes needs --image with {submission} in it, "
                             "e.g. --image registry.example.edu/gpu-lab/{submission}:latest")
    reports_dir = out_dir / "live"
    reports_dir.mkdir(parents=True, exist_ok=True)

    def one(path: Path) -> tuple[str, dict]:
        name = path.name
        stem = path.stem if path.suffix else path.name
        try:
            submission = load_submission(path, rubric)
            report = run_live(submission.result, replace(options, image=options.image.format(submission=stem),
                                                         submission=name, progress=False))
        except (SubmissionError, TargetError) as error:
            print(f"gpulint: live: {name}: {error}", file=sys.stderr)
            return name, {}
        (reports_dir / f"{stem}.json").write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        return name, live_results(report)

    from gpulint.live.kubernetes_engine import CANCEL

    with ThreadPoolExecutor(max_workers=max(1, options.parallel), thread_name_prefix="gpulint-live") as pool:
        try:
            return dict(pool.map(one, submissions))
        except KeyboardInterrupt:  # every running submission deletes its Jobs before the pool closes
            CANCEL.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
