"""Live mode's options, shared by ``gpulint live``, ``check --live`` and ``grade --live`` (argparse only)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

ENGINES = ("docker", "host")


@dataclass
class LiveOptions:
    engine: str = "docker"
    smoke: str | None = None  # a shell command replacing the HEALTHCHECK's command
    network: str = "none"  # containers' network
    build_network: str | None = None  # the build's network (None: the engine's default)
    memory: str = "8g"
    pids_limit: int = 1024
    timeout: float = 300.0  # seconds for each smoke-test run
    build_timeout: float = 1800.0
    keep: bool = False
    pull: bool = False
    progress: bool | None = None  # None: on a terminal


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_live_arguments(parser: argparse.ArgumentParser, flag: bool) -> None:
    """Add the live options; with ``flag``, also ``--live`` itself (for check and grade)."""
    group = parser.add_argument_group("live mode (pip install 'gpulint[live]')")
    if flag:
        group.add_argument("--live", action="store_true",
                           help="also build the image and run its smoke test and HEALTHCHECK with and without a GPU")
    group.add_argument("--engine", choices=ENGINES, default="docker",
                       help="docker: build and run the image (DOCKER_HOST honoured); "
                            "host: run the smoke test with this Python (no container engine)")
    group.add_argument("--smoke", default=None, metavar="CMD",
                       help="smoke-test command (a shell command) instead of the HEALTHCHECK's")
    group.add_argument("--network", default="none", metavar="NAME",
                       help="network of the test containers (default: none)")
    group.add_argument("--build-network", default=None, metavar="NAME",
                       help="network of the build (default: the engine's; 'none' builds offline)")
    group.add_argument("--memory", default="8g", metavar="SIZE", help="memory limit of each container (default 8g)")
    group.add_argument("--pids-limit", type=_positive_int, default=1024, metavar="N",
                       help="process limit of each container (default 1024)")
    group.add_argument("--smoke-timeout", type=_seconds, default=300.0, metavar="SECONDS",
                       help="time limit of each smoke-test run (default 300)")
    group.add_argument("--build-timeout", type=_seconds, default=1800.0, metavar="SECONDS",
                       help="time limit of the build (default 1800)")
    group.add_argument("--pull", action="store_true", help="pull newer base images when building")
    group.add_argument("--keep", action="store_true", help="keep the image and containers it made (for debugging)")


def options_from(args: argparse.Namespace) -> LiveOptions:
    return LiveOptions(engine=args.engine, smoke=args.smoke, network=args.network, build_network=args.build_network,
                       memory=args.memory, pids_limit=args.pids_limit, timeout=args.smoke_timeout,
                       build_timeout=args.build_timeout, keep=args.keep, pull=args.pull)
