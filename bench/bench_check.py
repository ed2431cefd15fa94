#!/usr/bin/env python3
"""Speed of ``gpulint check`` on a generated corpus, and of ``gpulint --version``.

Generates COPIES project folders, each with the reference solution's artifacts (Dockerfile,
smoke test, workflow, Deployment, rollout plan) and, every other folder, the failing Dockerfile
fixtures, then times the real command line (best of --repeat runs).

    python bench/bench_check.py                 # 2,000 artifacts
    python bench/bench_check.py --artifacts 100
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference"


def reference_files() -> list[Path]:
    return [p for p in REFERENCE.rglob("*") if p.is_file() and p.suffix != ".md"]


def build_corpus(root: Path, artifacts: int) -> int:
    files = reference_files()
    failing = sorted((REPO / "fixtures").glob("GL1*/fail/*.Dockerfile"))
    made, index = 0, 0
    while made < artifacts:
        project = root / f"project-{index:05d}"
        for path in files:
            target = project / path.relative_to(REFERENCE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            made += 1
        if index % 2 and failing:
            fixture = failing[index % len(failing)]
            shutil.copyfile(fixture, project / fixture.name)
            made += 1
        index += 1
    return made


def timed(command: list[str], repeat: int) -> list[float]:
    env = {**os.environ, "NO_COLOR": "1"}
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, env=env)
        runs.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gpulint", default=None, help="gpulint executable (default: this Python's module)")
    args = parser.parse_args()
    base = [args.gpulint] if args.gpulint else [sys.executable, "-m", "gpulint"]
    with tempfile.TemporaryDirectory(prefix="gpulint-bench-") as tmp:
        corpus = Path(tmp)
        count = build_corpus(corpus, args.artifacts)
        check = timed(base + ["check", str(corpus), "--format", "json"], args.repeat)
        version = timed(base + ["--version"], max(10, args.repeat))
        files = sum(1 for _ in corpus.rglob("*") if _.is_file())
    print(f"corpus: {count} artifacts in {files} files")
    print(f"gpulint check: best {min(check):.2f} s, median {statistics.median(check):.2f} s over {len(check)} runs")
    print(f"gpulint --version: best {min(version) * 1000:.0f} ms, median {statistics.median(version) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
