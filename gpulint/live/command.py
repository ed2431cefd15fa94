"""``gpulint live [PATH]``, and the live half of ``check --live`` and ``grade --live``.

Exit status of ``gpulint live`` (also the JSON report's ``exit_code``):
  0    every step that ran passed, and the smoke test ran with a GPU
  1    a step failed, or the project's smoke test disagrees with gpulint's reference smoke test
       (and, with --require-gpu, no GPU could be used)
  2    usage error, nothing to run, or a missing extra
  3    nothing failed, but no step ran with a GPU: the GPU test never ran (without --require-gpu)
  4    nothing failed, but a step could not decide (a timeout, a GPU the engine attached unasked)
  130  interrupted by Ctrl-C (SIGINT); 143 terminated (SIGTERM): the partial report is still written
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_live_parser(commands, help_text: str) -> None:
    from gpulint.live.options import add_live_arguments

    live = commands.add_parser("live", help=help_text,
        description="Prove the image works: build the Dockerfile that `gpulint check` finds, run the smoke test "
                    "and gpulint's reference smoke test with a GPU requested (expect exit 0) and without any "
                    "(no device request, NVIDIA_VISIBLE_DEVICES=void, CUDA_VISIBLE_DEVICES=''; expect non-zero), "
                    "and watch the HEALTHCHECK turn healthy with a GPU and unhealthy without one. Needs "
                    "pip install 'gpulint[live]'. Runs the project's code: never on untrusted pull requests.",
        epilog="exit status: 0 passed with a GPU; 1 failed; 2 usage error; 3 no GPU step ran (see --require-gpu); "
               "4 inconclusive (a timeout); 130/143 interrupted (SIGINT/SIGTERM), with a partial report")
    live.add_argument("path", type=Path, nargs="?", default=Path("."), metavar="PATH",
                      help="project folder or Dockerfile (default .)")
    live.add_argument("--format", "-f", choices=("text", "json"), default="text")
    live.add_argument("--output", "-o", type=Path, default=None, metavar="FILE", help="write the report to FILE")
    live.add_argument("--submission-id", default=None, metavar="ID",
                      help="the submission this report is for (grade --batch --live-results matches on it)")
    add_live_arguments(live, flag=False)


def _error(message: str) -> int:
    from gpulint.live.model import EXIT_USAGE  # the model loads with live mode, not with every command

    print(f"gpulint: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def execute(result: Any, args: argparse.Namespace):
    """The live report for a static run's artifacts, or an int exit status after printing the error."""
    from gpulint.live.docker_engine import MissingExtra
    from gpulint.live.options import options_from
    from gpulint.live.runner import run_live
    from gpulint.live.target import TargetError

    try:
        return run_live(result, options_from(args))
    except (TargetError, MissingExtra) as error:
        return _error(str(error))


def run_live_command(args: argparse.Namespace) -> int:
    from gpulint.engine.run import UsageError, run
    from gpulint.live.model import LiveReport
    from gpulint.live.render import render_json, render_text
    from gpulint.live.signals import signal_name, sigterm_unwinds

    report: Any = None
    with sigterm_unwinds():
        try:
            result = run([args.path])
            if args.dry_run:
                return _dry_run(result, args)
            report = execute(result, args)
        except UsageError as error:
            return _error(str(error))
        except KeyboardInterrupt as error:  # before live mode started: nothing was made
            report = LiveReport(args.engine, interrupted=True, interrupted_by=signal_name(error),
                                require_gpu=args.require_gpu)
    if isinstance(report, int):
        return report
    text = render_json(report) if args.format == "json" else render_text(report)
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            return _error(f"cannot write {args.output}: {error.strerror or error}")
        if report.interrupted:
            print(f"gpulint: interrupted; partial report written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return report.exit_code


def _dry_run(result: Any, args: argparse.Namespace) -> int:
    if args.engine != "kubernetes":
        return _error("--dry-run prints the Kubernetes Jobs: use it with --engine kubernetes")
    if not args.image:
        return _error("--engine kubernetes runs an image that CI already pushed: pass --image REF")
    from gpulint.live.kubernetes_engine import MissingClient, dry_run_text
    from gpulint.live.options import options_from
    from gpulint.live.target import TargetError, find_target

    target = find_target(result)
    try:
        text = dry_run_text(target, options_from(args))
    except (TargetError, MissingClient) as error:
        return _error(str(error))
    finally:
        target.close()
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
