#!/usr/bin/env python3
"""How ``gpulint check`` scales: time, CPU and peak memory against the size of the tree.

    python bench/bench_scale.py                     # every corpus
    python bench/bench_scale.py --only small-200 one-400 --repeat 5

Corpora, generated in a temporary folder:

* ``small-N``: N files as many small projects (``bench_check.build_corpus``: the reference
  solution in each folder, a failing Dockerfile fixture in every other one), N = 200, 2,000, 20,000;
* ``one-N``: N files in one repository: one workflow per service under the root's
  ``.github/workflows/``, and under ``services/svc-K/`` the reference Dockerfile, smoke test,
  Deployment and rollout plan of that service (named after it), a failing fixture in every other
  one, N = 400, 1,600.

Each run is a new process; wall time, CPU (user + system, workers included) and peak resident
memory (the largest process, from ``wait4``) are the median run's. In the same run a bare parse
of the corpus's YAML files (a new Python process: walk, read, ``yaml.compose_all`` with libyaml's
``CSafeLoader``) is timed the same way. Cold start: ``gpulint check reference/`` against
``python -c "import yaml"`` (medians; bytecode cached).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import REFERENCE, REPO, build_corpus, reference_files  # noqa: E402

SMALL = (200, 2_000, 20_000)
ONE = (400, 1_600)
YAML_PARSE = """
import os, sys, yaml
loader = yaml.CSafeLoader
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith((".yml", ".yaml")):
            with open(os.path.join(folder, name), "rb") as handle:
                for _ in yaml.compose_all(handle.read(), Loader=loader):
                    pass
"""


@dataclass
class Measure:
    wall: float
    cpu: float
    rss_mb: float


def measure(command: list[str], env: dict[str, str] | None = None) -> Measure:
    """One run of a new process: wall seconds, user + system CPU seconds of it and the children it
    waited for, and the largest resident set among them (MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=SOURCE)  # `python -m gpulint` imports the checkout it runs in
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median_of(runs: list[Measure]) -> Measure:
    runs = sorted(runs, key=lambda m: m.wall)
    return runs[len(runs) // 2]


def build_one_project(root: Path, files: int) -> int:
    """One repository of many services; returns the number of files written."""
    (root / ".git").mkdir(parents=True)
    workflow = (REFERENCE / ".github/workflows/gpu-ci.yml").read_text()
    deployment = (REFERENCE / "k8s/deployment.yaml").read_text()
    rollout = (REFERENCE / "rollout.yaml").read_text()
    others = [p for p in reference_files() if p.suffix in (".py", ".txt") or p.name == "Dockerfile"]
    failing = sorted((REPO / "fixtures").glob("GL1*/fail/*.Dockerfile"))
    made, index = 0, 0
    while made < files:
        name = f"svc-{index:05d}"
        service = root / "services" / name
        (service / "k8s").mkdir(parents=True)
        (root / ".github/workflows").mkdir(parents=True, exist_ok=True)
        (root / f".github/workflows/{name}.yml").write_text(
            workflow.replace("gpu-inference", name).replace('github.sha }}" .\n', f'github.sha }}}}" services/{name}\n'))
        (service / "k8s/deployment.yaml").write_text(deployment.replace("gpu-inference", name))
        (service / "rollout.yaml").write_text(rollout.replace("gpu-inference", name))
        for path in others:
            shutil.copyfile(path, service / path.name)
        made += 3 + len(others)
        if index % 2 and failing:
            fixture = failing[index % len(failing)]
            shutil.copyfile(fixture, service / fixture.name)
            made += 1
        index += 1
    return made


# Another checkout of gpulint to measure instead of the installed one (--source).
SOURCE: Path | None = None


def gpulint_command() -> list[str]:
    script = Path(sys.executable).with_name("gpulint")
    return [str(script)] if script.exists() and SOURCE is None else [sys.executable, "-m", "gpulint"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    if SOURCE is not None:
        env["PYTHONPATH"] = str(SOURCE)
    env.update(extra)
    return env


def bench_corpus(name: str, files: int, repeat: int, tmp: Path) -> dict:
    folder = tmp / name
    folder.mkdir()
    made = build_corpus(folder, files) if name.startswith("small") else build_one_project(folder, files)
    env = clean_env()
    command = gpulint_command() + ["check", str(folder), "--format", "json"]
    if files < 20_000:  # the largest corpus was just written: its files are in the page cache
        measure(command, env)  # warm the page cache and the bytecode
    gpulint = median_of([measure(command, env) for _ in range(repeat)])
    parse = median_of([measure([sys.executable, "-c", YAML_PARSE, str(folder)], env) for _ in range(repeat)])
    shutil.rmtree(folder)
    return {"name": name, "files": made, "gpulint": gpulint, "parse": parse}


def bench_cold(repeat: int) -> tuple[float, float]:
    env = clean_env()
    check = gpulint_command() + ["check", str((SOURCE or REPO) / "reference"), "--format", "json"]
    bare = [sys.executable, "-c", "import yaml"]
    measure(check, env), measure(bare, env)
    checks, bares = [], []
    for _ in range(repeat):  # interleaved, so both see the same load
        checks.append(measure(check, env).wall)
        bares.append(measure(bare, env).wall)
    return statistics.median(checks), statistics.median(bares)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per corpus below 20,000 files (median)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs of the 20,000-file corpus")
    parser.add_argument("--cold-repeat", type=int, default=15)
    parser.add_argument("--only", nargs="*", default=None, help="corpus names (small-200, one-400, cold...)")
    parser.add_argument("--source", type=Path, default=None,
                        help="measure the gpulint package in this checkout (e.g. an older version) instead")
    args = parser.parse_args()
    global SOURCE
    SOURCE = args.source.resolve() if args.source else None
    corpora = [(f"small-{n}", n) for n in SMALL] + [(f"one-{n}", n) for n in ONE]
    wanted = set(args.only) if args.only else None
    results = []
    with tempfile.TemporaryDirectory(prefix="gpulint-scale-") as tmp:
        for name, files in corpora:
            if wanted is not None and name not in wanted:
                continue
            repeat = args.repeat_large if files >= 20_000 else args.repeat
            results.append(bench_corpus(name, files, repeat, Path(tmp)))
            print(f"  {name}: {results[-1]['gpulint'].wall:.2f} s", file=sys.stderr, flush=True)
    cold = bench_cold(args.cold_repeat) if wanted is None or "cold" in wanted else None

    load = os.getloadavg()
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {time.strftime('%Y-%m-%d')}")
    print()
    print("| corpus | files | wall | CPU | peak RSS | libyaml parse: wall | CPU | wall / parse | CPU / parse |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        g, p = r["gpulint"], r["parse"]
        print(f"| {r['name']} | {r['files']} | {g.wall:.2f} s | {g.cpu:.2f} s | {g.rss_mb:.0f} MB "
              f"| {p.wall:.2f} s | {p.cpu:.2f} s | {g.wall / p.wall:.1f}× | {g.cpu / p.cpu:.1f}× |")
    by_name = {r["name"]: r["gpulint"] for r in results}
    print()
    goals = []
    if "small-2000" in by_name and "small-20000" in by_name:
        goals.append(("20,000 files / 2,000 files (wall)", by_name["small-20000"].wall / by_name["small-2000"].wall, 12))
    if "one-400" in by_name and "one-1600" in by_name:
        goals.append(("one project: 1,600 files / 400 files (wall)", by_name["one-1600"].wall / by_name["one-400"].wall, 5))
    if "small-20000" in by_name:
        goals.append(("peak RSS at 20,000 files (MB)", by_name["small-20000"].rss_mb, 300))
    for r in results:
        if r["name"] == "small-2000":
            goals.append(("2,000 files / libyaml parse (wall)", r["gpulint"].wall / r["parse"].wall, 4))
    if cold is not None:
        print(f"cold `gpulint check reference/`: {cold[0] * 1000:.0f} ms; `python -c \"import yaml\"`: "
              f"{cold[1] * 1000:.0f} ms (medians of {args.cold_repeat})")
        goals.append(("cold check reference/ / import yaml", cold[0] / cold[1], 4))
    for label, value, bound in goals:
        print(f"{label}: {value:.2f} (goal ≤ {bound}) {'met' if value <= bound else 'MISSED'}")


if __name__ == "__main__":
    main()
