#!/usr/bin/env python3
"""Speed of batch grading: ``gpulint grade DIR --batch`` over generated submissions.

Builds N submissions under a temporary folder, cycling through three forms: a copy of the
reference solution as a repository folder, a lab answers file (YAML) made from it, and the same
with a defect (no USER), then times one batch run and checks the gradebook has a row each.

    python bench/bench_grade.py            # 1,000 submissions
    python bench/bench_grade.py --count 100
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference"


def answers(dockerfile: str) -> str:
    rollout = yaml.safe_load((REFERENCE / "rollout.yaml").read_text())
    return yaml.safe_dump({
        "dockerfile": dockerfile,
        "workflow_yaml": (REFERENCE / ".github/workflows/gpu-ci.yml").read_text(),
        "deployment_yaml": (REFERENCE / "k8s/deployment.yaml").read_text(),
        "smoke_test_py": (REFERENCE / "smoke_test.py").read_text(),
        **rollout,
    }, sort_keys=False)


def build(root: Path, count: int) -> None:
    dockerfile = (REFERENCE / "Dockerfile").read_text()
    good = answers(dockerfile)
    bad = answers("\n".join(line for line in dockerfile.splitlines() if not line.startswith("USER")))
    for i in range(count):
        if i % 3 == 0:
            shutil.copytree(REFERENCE, root / f"student-{i:04d}")
        else:
            (root / f"student-{i:04d}.yaml").write_text(good if i % 3 == 1 else bad)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gpulint-grade-bench-") as tmp:
        submissions, out = Path(tmp) / "submissions", Path(tmp) / "grades"
        submissions.mkdir()
        build(submissions, args.count)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "gpulint", "grade", str(submissions), "--batch", "-o", str(out)],
                              capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"gpulint grade failed ({proc.returncode}): {proc.stderr[-2000:]}")
        with (out / "gradebook.csv").open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    print(f"{args.count} submissions graded in {elapsed:.1f} s ({args.count / elapsed:.0f}/s); "
          f"{len(rows)} gradebook rows")


if __name__ == "__main__":
    main()
