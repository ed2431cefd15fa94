"""``gpulint grade``: grade one submission, or every submission under a folder with ``--batch``.

Exit status: 0 when graded (whatever the score), 2 for a usage error or a submission that cannot
be read at all (a batch gives such a submission a 0-point row instead), 1 only when asked with
``--fail-under`` (for GitHub Classroom's command grader) and the score is below it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_BELOW, EXIT_USAGE = 0, 1, 2


def add_grade_parser(commands) -> None:
    from gpulint.grading.formats import FORMATS

    grade = commands.add_parser(
        "grade", help="grade a submission (repository folder, lab answers file or notebook) against a rubric",
        description="Grade one submission against a rubric, or with --batch every submission under a folder.")
    grade.add_argument("path", type=Path, metavar="PATH",
                       help="a repository folder, a lab answers file (YAML/JSON) or a Jupyter notebook; "
                            "with --batch, a folder of submissions")
    grade.add_argument("--rubric", default="lab", metavar="lab|production|FILE",
                       help="built-in rubric name or a rubric YAML file (default: lab)")
    grade.add_argument("--format", choices=FORMATS, default=None,
                       help="report format (default: text; with --batch, markdown feedback files)")
    grade.add_argument("--output", "-o", type=Path, default=None, metavar="FILE",
                       help="write the report to FILE instead of standard output "
                            "(with --batch: the folder for gradebook.csv and feedback/, default ./gpulint-grades)")
    grade.add_argument("--criterion", action="append", default=None, metavar="ID",
                       help="grade only these criteria (repeatable or comma-separated)")
    grade.add_argument("--fail-under", default=None, metavar="SCORE|max",
                       help="exit 1 when the score is below SCORE ('max': below every non-live point); "
                            "for GitHub Classroom's command grader")
    grade.add_argument("--live-results", type=Path, default=None, metavar="FILE",
                       help="a live report (gpulint live --format json) or {criterion id: true/false or "
                            "{passed, output}}; with --batch, a folder of live reports, one per submission")
    grade.add_argument("--show-hidden", action="store_true",
                       help="also show hidden criteria in text and markdown reports (instructor view)")
    grade.add_argument("--batch", action="store_true",
                       help="grade every folder, answers file and notebook directly under PATH")
    grade.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="parallel workers for --batch (default: all cores)")
    from gpulint.live.options import add_live_arguments

    add_live_arguments(grade, flag=True)  # --live: grade smoketest.healthy/.negative from a live run


def _error(message: str) -> int:
    print(f"gpulint: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or () for v in value.split(",") if v.strip()]


def run_grade(args: argparse.Namespace) -> int:
    from gpulint.grading.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(args.rubric)
        if args.criterion:
            rubric = rubric.only(_split(args.criterion))
    except RubricError as error:
        return _error(str(error))
    threshold = None
    if args.fail_under is not None:
        if args.fail_under == "max":
            threshold = sum(c.points for c in rubric.criteria if not c.live)
        else:
            try:
                threshold = float(args.fail_under)
            except ValueError:
                return _error(f"--fail-under takes a number or 'max', not {args.fail_under!r}")
    live = None
    if getattr(args, "live", False):
        if args.live_results is not None:
            return _error("--live runs the live checks itself; give either --live or --live-results FILE")
        if args.batch and args.engine != "kubernetes":
            return _error("--batch --live runs every submission's image at once: use --engine kubernetes, or run "
                          "`gpulint live --format json -o DIR/<submission>.json` per submission and pass "
                          "--live-results DIR")
    if args.live_results is not None and not args.batch:  # with --batch: a folder, matched in _batch
        import json

        from gpulint.grading.grader import parse_live_results

        try:
            live = parse_live_results(json.loads(args.live_results.read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            return _error(f"cannot read live results {args.live_results}: {error}")
    if args.batch:
        args.format = args.format or "markdown"
        return _batch(args, rubric)
    args.format = args.format or "text"
    return _single(args, rubric, live, threshold)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


def _single(args: argparse.Namespace, rubric, live, threshold) -> int:
    from gpulint.grading.formats import render
    from gpulint.grading.grader import grade_error, grade_path
    from gpulint.grading.submission import SubmissionError

    started = time.perf_counter()
    try:
        graded = _grade_live(args, rubric) if getattr(args, "live", False) else grade_path(args.path, rubric, live)
        if isinstance(graded, int):
            return graded
    except SubmissionError as error:
        if args.format == "gradescope":  # Gradescope must get a results.json whatever happens
            graded = grade_error(args.path.name or str(args.path), rubric, str(error))
            _write(render(graded, "gradescope", execution_time=time.perf_counter() - started), args.output)
        return _error(str(error))
    text = render(graded, args.format, show_hidden=args.show_hidden, execution_time=time.perf_counter() - started)
    try:
        _write(text, args.output)
    except OSError as error:
        return _error(f"cannot write {args.output}: {error}")
    if threshold is not None and graded.score + 1e-9 < threshold:
        return EXIT_BELOW
    return EXIT_OK


def _grade_live(args: argparse.Namespace, rubric):
    """Grade with live mode: the submission's image is built and run, and its smoke-test steps decide
    smoketest.healthy and smoketest.negative (a skipped step, e.g. for want of a GPU, leaves its
    criterion skipped). Live mode's own report goes to standard error. An int is an exit status."""
    from gpulint.grading.grader import LiveResult, grade
    from gpulint.grading.submission import load_submission
    from gpulint.live.command import live_results
    from gpulint.live.docker_engine import MissingExtra
    from gpulint.live.options import options_from
    from gpulint.live.render import render_text
    from gpulint.live.runner import run_live
    from gpulint.live.target import TargetError

    submission = load_submission(args.path, rubric)
    try:
        report = run_live(submission.result, options_from(args))
    except MissingExtra as error:
        return _error(str(error))
    except TargetError as error:
        reason = f"Live mode could not run: {error}"
        results = {cid: LiveResult(False, reason) for cid in ("smoketest.healthy", "smoketest.negative")}
        print(f"gpulint: live: {error}", file=sys.stderr)
        return grade(submission, rubric, results)
    sys.stderr.write(render_text(report))
    if report.interrupted:
        return report.exit_code
    return grade(submission, rubric, live_results(report))


def _batch_live(args: argparse.Namespace, rubric, submissions: list[Path], out_dir: Path):
    """Live criteria by submission name for a batch (None without live results), or an exit status."""
    if args.live_results is None and not getattr(args, "live", False):
        return None
    from gpulint.live.batch import LiveBatchError, load_live_folder, run_kubernetes_batch

    try:
        if args.live_results is not None:
            live = load_live_folder(args.live_results, submissions)
        else:
            from gpulint.live.options import options_from

            live = run_kubernetes_batch(submissions, rubric, options_from(args), out_dir)
    except LiveBatchError as error:
        return _error(str(error))
    missing = sorted(p.name for p in submissions if not live.get(p.name))
    if missing:
        print(f"gpulint: no live results for {len(missing)} submission(s), their live criteria stay skipped: "
              + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""), file=sys.stderr)
    return live


def _batch(args: argparse.Namespace, rubric) -> int:
    from gpulint.grading.batch import run_batch, submissions_in

    folder: Path = args.path
    if not folder.is_dir():
        return _error(f"--batch needs a folder of submissions: {folder}")
    if args.format == "gradescope":
        return _error("--batch writes a gradebook; use --format text, markdown or json for its feedback files")
    if args.jobs is not None and args.jobs < 1:
        return _error("--jobs must be at least 1")
    out_dir = args.output or Path("gpulint-grades")
    if not submissions_in(folder, exclude=out_dir):
        return _error(f"no submissions (folders, .yaml/.yml/.json answers files, .ipynb notebooks) under {folder}")
    live = _batch_live(args, rubric, submissions_in(folder, exclude=out_dir), out_dir)
    if isinstance(live, int):
        return live
    try:
        rows, elapsed = run_batch(folder, rubric, out_dir, fmt=args.format, jobs=args.jobs, live=live)
    except OSError as error:
        return _error(f"cannot write the gradebook under {out_dir}: {error}")
    broken = sum(1 for r in rows if r.error)
    mean = sum(r.score for r in rows) / len(rows) if rows else 0.0
    print(f"graded {len(rows)} submission{'s' if len(rows) != 1 else ''} in {elapsed:.1f}s "
          f"(mean score {mean:.1f} / {rubric.max_score:g}; {broken} could not be read)")
    print(f"gradebook: {out_dir / 'gradebook.csv'}")
    print(f"feedback:  {out_dir / 'feedback'}/")
    for row in rows:
        if row.error:
            print(f"  {row.name}: {row.error}")
    return EXIT_OK
