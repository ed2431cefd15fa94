#!/usr/bin/env python3
"""Fuzz target: random mutations of the reference artifacts and random YAML, for a bounded time.

    PYTHONPATH=. python tests/fuzz/fuzz_gpulint.py --seconds 60        # hypothesis, any machine
    PYTHONPATH=. python tests/fuzz/fuzz_gpulint.py --atheris -- -max_total_time=60   # coverage-guided

Each input is hypothesis's own byte buffer (``fuzz_one_input``), so a failure prints the example
and hypothesis can shrink and replay it. Exit status 1 on the first input that raises or yields a
finding outside its file.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targets import check_bytes, mutated_artifact, random_yaml  # noqa: E402


@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(mutated_artifact(), random_yaml()))
def lint_anything(case):
    check_bytes(*case)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--atheris", action="store_true", help="drive with atheris (pip install atheris)")
    args, rest = parser.parse_known_args()
    fuzz = lint_anything.hypothesis.fuzz_one_input
    if args.atheris:
        import atheris

        atheris.Setup([sys.argv[0], *[a for a in rest if a != "--"]], fuzz)
        atheris.Fuzz()
        return 0
    deadline = time.monotonic() + args.seconds
    runs = 0
    while time.monotonic() < deadline:
        fuzz(os.urandom(4096))
        runs += 1
    print(f"fuzzed {runs} inputs in {args.seconds:g} s without a failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
