"""``--engine host``: the smoke test with the local Python, with and without the GPUs.

For GPU machines without a container engine (a course's GPU notebook, a bare-metal node). The
script runs in a subprocess with a time limit; nothing is built and nothing is isolated, so run
only code you trust this way.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time

from gpulint.live.common import NEGATIVE_ENV, negative_step, positive_step
from gpulint.live.gpu import probe_gpus
from gpulint.live.model import PASSED, PREFLIGHT, SKIPPED, SMOKE_NEGATIVE, SMOKE_POSITIVE, LiveReport, Step
from gpulint.live.options import LiveOptions
from gpulint.live.target import Target, TargetError


def smoke_argv(target: Target, options: LiveOptions) -> list[str]:
    if options.smoke:
        return ["/bin/sh", "-c", options.smoke] if os.name != "nt" else ["cmd", "/c", options.smoke]
    if target.script is None:
        raise TargetError("no smoke test found (a Python script that the HEALTHCHECK runs, or a smoke_test.py); "
                          "pass --smoke CMD")
    return [sys.executable, str(target.script)]


def run_process(argv: list[str], env: dict[str, str], cwd: str | None,
                timeout: float) -> tuple[int | None, str, float, bool]:
    """(exit code, output, seconds, timed out). The whole process group is killed at the time limit."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, cwd=cwd, start_new_session=os.name != "nt")
    try:
        out, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, _ = proc.communicate()
        timed_out = True
    except BaseException:  # Ctrl-C: take the test down with us
        _kill(proc)
        proc.wait()
        raise
    return (None if timed_out else proc.returncode), out.decode("utf-8", "replace"), \
        time.perf_counter() - started, timed_out


def _kill(proc: subprocess.Popen) -> None:
    try:
        if os.name != "nt":
            os.killpg(proc.pid, 9)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def run_host(target: Target, options: LiveOptions, report: LiveReport) -> None:
    argv = smoke_argv(target, options)
    started = time.perf_counter()
    gpus, problem = probe_gpus()
    report.gpus, report.gpu_problem = gpus, problem
    report.engine_info = {"name": "host", "python": sys.executable, "version": platform.python_version(),
                          "platform": platform.platform()}
    lines = [f"Python {platform.python_version()} at {sys.executable}",
             f"smoke test: {' '.join(argv) if options.smoke is None else options.smoke}"]
    lines.append(problem if problem else
                 f"{len(gpus)} GPU(s): " + ", ".join(g.name for g in gpus) +
                 f"; driver {gpus[0].driver}, CUDA driver {gpus[0].cuda_driver}")
    report.steps.append(Step(PREFLIGHT, PASSED, None, time.perf_counter() - started, "\n".join(lines)))
    cwd = str(target.script.parent) if target.script is not None and options.smoke is None else \
        str(target.context or target.root)
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if gpus:
        code, out, seconds, timed_out = run_process(argv, base_env, cwd, options.timeout)
        report.steps.append(positive_step(SMOKE_POSITIVE, code, out, seconds, timed_out, options.timeout,
                                          "with the GPUs visible"))
    else:
        report.steps.append(Step(SMOKE_POSITIVE, SKIPPED, None, 0.0, f"needs a GPU: {problem}"))
    code, out, seconds, timed_out = run_process(argv, {**base_env, "CUDA_VISIBLE_DEVICES": ""}, cwd, options.timeout)
    report.steps.append(negative_step(SMOKE_NEGATIVE, code, out, seconds, timed_out, options.timeout,
                                      f"with {NEGATIVE_ENV}"))
