"""``gpulint live [PATH]``, and the live half of ``check --live`` and ``grade --live``.

Exit status of ``gpulint live``: 0 when no step failed (skipped steps, e.g. for want of a GPU, do
not fail), 1 when a step failed, 2 for a usage error, nothing to run, or a missing ``live`` extra.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_live_parser(commands) -> None:
    from gpulint.live.options import add_live_arguments

    live = commands.add_parser(
        "live", help="build the image and run its smoke test and HEALTHCHECK with and without a GPU",
        description="Prove the image works: build the Dockerfile that `gpulint check` finds, run the smoke test "
                    "with all GPUs (expect exit 0) and with CUDA_VISIBLE_DEVICES='' (expect non-zero), and watch "
                    "the HEALTHCHECK turn healthy with a GPU and unhealthy without one. Needs "
                    "pip install 'gpulint[live]'. Runs the project's code: never on untrusted pull requests.")
    live.add_argument("path", type=Path, nargs="?", default=Path("."), metavar="PATH",
                      help="project folder or Dockerfile (default .)")
    live.add_argument("--format", "-f", choices=("text", "json"), default="text")
    live.add_argument("--output", "-o", type=Path, default=None, metavar="FILE", help="write the report to FILE")
    add_live_arguments(live, flag=False)


def _error(message: str) -> int:
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
    from gpulint.live.render import render_json, render_text

    try:
        result = run([args.path])
    except UsageError as error:
        return _error(str(error))
    report = execute(result, args)
    if isinstance(report, int):
        return report
    text = render_json(report) if args.format == "json" else render_text(report)
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            return _error(f"cannot write {args.output}: {error.strerror or error}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return EXIT_FAILED if report.failed else EXIT_OK
