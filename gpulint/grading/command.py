"""``gpulint grade``: grade one submission, or every submission under a folder with ``--batch``.

Exit status: 0 when graded (whatever the score), 2 for a usage error or a submission that cannot
be graded at all (a batch gives such a submission an ``ungraded: REASON`` row instead), 1 only
when asked with ``--fail-under`` (for GitHub Classroom's command grader) and the score is below it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_BELOW, EXIT_USAGE = 0, 1, 2


GRADE_FORMATS = ("text", "json", "gradescope", "markdown", "html")


def _seconds_or_zero(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or more")
    return value


def add_grade_parser(commands, help_text: str) -> None:
    from gpulint.grading.timelimit import DEFAULT_SECONDS

    grade = commands.add_parser("grade", help=help_text,
        description="Grade one submission against a rubric, or with --batch every submission under a folder.")
    grade.add_argument("path", type=Path, metavar="PATH",
                       help="a repository folder, a lab answers file (YAML/JSON) or a Jupyter notebook; "
                            "with --batch, a folder of submissions")
    grade.add_argument("--rubric", default="lab", metavar="lab|production|FILE",
                       help="built-in rubric name or a rubric YAML file (default: lab)")
    grade.add_argument("--profile", choices=("lab", "production"), default=None,
                       help="how the rules judge, as for `check`: lab (the lab's criteria exactly) or production "
                            "(tuned for real projects); default: the rubric's own (lab for the lab rubric, "
                            "production for the production rubric, lab for other rubrics). The rubric still "
                            "decides which findings fail which criterion")
    grade.add_argument("--format", choices=GRADE_FORMATS, default=None,
                       help="report format (default: text; with --batch, markdown feedback files; "
                            "html: with --batch, one self-contained HTML gradebook)")
    grade.add_argument("--output", "-o", type=Path, default=None, metavar="FILE",
                       help="write the report to FILE instead of standard output "
                            "(with --batch: the folder for gradebook.csv and feedback/, default ./gpulint-grades; "
                            "with --batch --format html: the HTML file, default ./gpulint-grades/report.html)")
    grade.add_argument("--criterion", action="append", default=None, metavar="ID",
                       help="grade only these criteria (repeatable or comma-separated)")
    grade.add_argument("--fail-under", default=None, metavar="SCORE|max",
                       help="exit 1 when the score is below SCORE ('max': below every non-live point); "
                            "for GitHub Classroom's command grader")
    grade.add_argument("--live-results", type=Path, default=None, metavar="FILE",
                       help="a live report (gpulint live --format json) or {criterion id: true/false or "
                            "{passed, output}}; with --batch, a folder of live reports, one per submission")
    grade.add_argument("--show-hidden", action="store_true",
                       help="show every criterion, hidden ones too, and the total in the student-facing reports "
                            "(text, markdown, the HTML feedback sections): the instructor's view")
    grade.add_argument("--release", choices=("visible", "after_due_date", "after_published"), default="visible",
                       help="what students may see already: visible (default: before the due date), "
                            "after_due_date (also after_due_date criteria), after_published (also after_published "
                            "criteria); hidden criteria are never shown to students")
    grade.add_argument("--hide-findings", action="store_true",
                       help="student-facing reports say which criteria failed and what is expected, but not what "
                            "gpulint found line by line (also the rubric's hide_findings: true)")
    grade.add_argument("--timeout", type=_seconds_or_zero, default=DEFAULT_SECONDS, metavar="SECONDS",
                       help=f"time limit for grading one submission (default {DEFAULT_SECONDS:g}; 0: none); "
                            "past it the submission is 'ungraded: timed out'")
    grade.add_argument("--execution-time", action="store_true",
                       help="put Gradescope's execution_time in the gradescope format (then two runs differ)")
    grade.add_argument("--compare", type=Path, default=None, metavar="OLD.csv",
                       help="with --batch: list the submissions whose grade changed since an earlier "
                            "gradebook.csv, criterion by criterion, and why")
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
        rubric = load_rubric(args.rubric).with_profile(args.profile)
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
    from gpulint.grading.visibility import StudentView

    view = StudentView.for_rubric(rubric, args.release, args.show_hidden, args.hide_findings)
    if args.compare is not None and not args.batch:
        return _error("--compare compares a batch with an earlier gradebook.csv; use it with --batch")
    if args.batch:
        args.format = args.format or "markdown"
        return _batch(args, rubric, view)
    args.format = args.format or "text"
    if args.format == "html":
        return _error("--format html writes a class gradebook; use it with --batch")
    return _single(args, rubric, live, threshold, view)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


def _single(args: argparse.Namespace, rubric, live, threshold, view) -> int:
    from gpulint.grading.formats import render, render_text
    from gpulint.grading.grader import grade_error, grade_path
    from gpulint.grading.submission import SubmissionError
    from gpulint.grading.timelimit import GradingTimeout, time_limit
    from gpulint.grading.visibility import StudentView

    started = time.perf_counter()

    def elapsed() -> float | None:
        return time.perf_counter() - started if args.execution_time else None

    try:
        if getattr(args, "live", False):  # live mode has its own build and run time limits
            graded = _grade_live(args, rubric)
        else:
            with time_limit(args.timeout):
                graded = grade_path(args.path, rubric, live)
        if isinstance(graded, int):
            return graded
    except (SubmissionError, GradingTimeout) as error:
        name = args.path.name or str(args.path)
        reason = "timed out" if isinstance(error, GradingTimeout) else error.reason
        message = f"{name}: {error}" if isinstance(error, GradingTimeout) else str(error)
        if args.format == "gradescope":  # Gradescope must get a results.json whatever happens
            graded = grade_error(name, rubric, message, reason)
            _write(render(graded, "gradescope", execution_time=elapsed(), view=view), args.output)
        return _error(message)
    text = render(graded, args.format, execution_time=elapsed(), view=view)
    try:
        _write(text, args.output)
    except OSError as error:
        return _error(f"cannot write {args.output}: {error}")
    if args.format == "gradescope" and args.output is not None and view.hide_findings:
        # Gradescope shows the autograder's standard output to the course staff only
        # (stdout_visibility hidden): the full report goes there.
        sys.stdout.write(render_text(graded, view=StudentView(show_hidden=True)))
    if threshold is not None and graded.score + 1e-9 < threshold:
        return EXIT_BELOW
    return EXIT_OK


def _grade_live(args: argparse.Namespace, rubric):
    """Grade with live mode: the submission's image is built and run, and its smoke-test steps decide
    smoketest.healthy and smoketest.negative (a skipped step, e.g. for want of a GPU, leaves its
    criterion skipped). Live mode's own report goes to standard error. An int is an exit status."""
    from gpulint.grading.grader import LiveResult, grade, live_results
    from gpulint.grading.provenance import submission_hash
    from gpulint.grading.submission import load_submission
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
        graded = grade(submission, rubric, results)
    else:
        sys.stderr.write(render_text(report))
        if report.interrupted:
            return report.exit_code
        graded = grade(submission, rubric, live_results(report))
    graded.submission_hash = submission_hash(args.path, submission)
    return graded


def _batch_live(args: argparse.Namespace, rubric, submissions: list[Path], out_dir: Path):
    """Live criteria by submission name for a batch (None without live results), or an exit status."""
    if args.live_results is None and not getattr(args, "live", False):
        return None
    from gpulint.grading.live_batch import LiveBatchError, load_live_folder, run_kubernetes_batch

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


def _batch(args: argparse.Namespace, rubric, view) -> int:
    from gpulint.grading.batch import grade_all, submissions_in, write_gradebook
    from gpulint.grading.compare import CompareError, compare, read_gradebook

    folder: Path = args.path
    if not folder.is_dir():
        return _error(f"--batch needs a folder of submissions: {folder}")
    if args.format == "gradescope":
        return _error("--batch writes a gradebook; use --format text, markdown or json for its feedback files, "
                      "or html for one HTML gradebook")
    if args.jobs is not None and args.jobs < 1:
        return _error("--jobs must be at least 1")
    html = args.format == "html"
    if html:
        out = args.output or Path("gpulint-grades") / "report.html"
        if out.is_dir():
            out = out / "report.html"
    else:
        out = args.output or Path("gpulint-grades")
    if not submissions_in(folder, exclude=out):
        return _error(f"no submissions (folders, .yaml/.yml/.json answers files, .ipynb notebooks) under {folder}")
    old_rows = None
    if args.compare is not None:
        try:
            old_rows = read_gradebook(args.compare)
        except CompareError as error:
            return _error(str(error))
    live = _batch_live(args, rubric, submissions_in(folder, exclude=out), out.parent if html else out)
    if isinstance(live, int):
        return live
    rows, elapsed = grade_all(folder, rubric, fmt=args.format, jobs=args.jobs, view=view,
                              timeout=args.timeout or None, exclude=out, live=live)
    comparison = compare(old_rows, rows, rubric, str(args.compare)) if old_rows is not None else None
    try:
        if html:
            from gpulint.grading.html_report import render_report

            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render_report(rows, rubric, view, comparison), encoding="utf-8")
        else:
            write_gradebook(rows, rubric, out, args.format)
    except OSError as error:
        return _error(f"cannot write the gradebook {out}: {error}")
    ungraded = [r for r in rows if not r.graded]
    graded = len(rows) - len(ungraded)
    mean = sum(r.score for r in rows if r.graded) / graded if graded else 0.0
    print(f"graded {len(rows)} submission{'s' if len(rows) != 1 else ''} in {elapsed:.1f}s "
          f"(mean score {mean:.1f} / {rubric.max_score:g} over {graded} graded; {len(ungraded)} could not be graded)")
    if html:
        print(f"report:    {out}")
    else:
        print(f"gradebook: {out / 'gradebook.csv'}")
        print(f"feedback:  {out / 'feedback'}/")
    for row in ungraded:
        print(f"  {row.name}: {row.status}: {row.error}")
    if comparison is not None:
        sys.stdout.write(comparison.text())
    return EXIT_OK
