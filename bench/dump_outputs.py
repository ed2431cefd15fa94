#!/usr/bin/env python3
"""Dump ``gpulint check PATH --format json`` (without the elapsed time) for a set of trees, to
compare two versions of gpulint byte for byte.

    python bench/dump_outputs.py OUT_DIR                 # dump
    python bench/dump_outputs.py OUT_DIR --compare BEFORE  # dump, then diff against BEFORE

Trees: fixtures/, reference/, tests/data/corpus, ../shared/realworld (when present), each
fixture's pass/ and fail/ folder and each corpus repository on its own, the large trees also with
GPULINT_JOBS=1 and with --profile lab.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def targets() -> list[tuple[str, list[str], dict[str, str]]]:
    """(name, arguments, extra environment) of every run."""
    trees = [REPO / "fixtures", REPO / "reference", REPO / "tests/data/corpus"]
    shared = REPO.parent / "shared" / "realworld"
    for candidate in (shared, REPO.parent.parent / "shared" / "realworld"):
        if candidate.is_dir():
            trees.append(candidate)
            break
    runs: list[tuple[str, list[str], dict[str, str]]] = []
    for tree in trees:
        name = tree.name
        runs.append((name, [str(tree)], {}))
        runs.append((f"{name}.jobs1", [str(tree)], {"GPULINT_JOBS": "1"}))
        runs.append((f"{name}.lab", [str(tree), "--profile", "lab"], {}))
    for folder in sorted((REPO / "fixtures").glob("*/*")):
        if folder.is_dir():
            runs.append((f"fixtures.{folder.parent.name}.{folder.name}", [str(folder)], {}))
    for folder in sorted((REPO / "tests/data/corpus").iterdir()):
        if folder.is_dir():
            runs.append((f"corpus.{folder.name}", [str(folder), "--allow-empty"], {}))  # some are include-only
    return runs


def dump(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, args, extra in targets():
        env = {**os.environ, "NO_COLOR": "1", **extra}
        proc = subprocess.run([sys.executable, "-m", "gpulint", "check", *args, "--format", "json"],
                              capture_output=True, text=True, env=env, cwd=REPO)
        if proc.returncode not in (0, 1):
            sys.exit(f"{name}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
        data = json.loads(proc.stdout)
        data["summary"].pop("elapsed_seconds", None)
        (out / f"{name}.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def compare(out: Path, before: Path) -> int:
    differ = 0
    for path in sorted(before.glob("*.json")):
        other = out / path.name
        if not other.exists() or other.read_bytes() != path.read_bytes():
            print(f"DIFFERS: {path.name}")
            differ += 1
    print(f"{len(list(before.glob('*.json'))) - differ} identical, {differ} different")
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path, default=None, help="a previous dump to compare with")
    args = parser.parse_args()
    dump(args.out)
    if args.compare is not None:
        sys.exit(1 if compare(args.out, args.compare) else 0)


if __name__ == "__main__":
    main()
