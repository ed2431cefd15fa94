"""``--engine host``: the smoke test with the local Python, with and without the GPUs, beside gpulint's reference.

For GPU machines without a container engine (a course's GPU notebook, a bare-metal node). The
scripts run in subprocesses with a time limit; nothing is built and nothing is isolated, so run
only code you trust this way. A host cannot take its GPUs away from a process, so the one negative
run hides them from CUDA (``CUDA_VISIBLE_DEVICES=''``); the device-level negatives need a container.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gpulint.live.common import NEGATIVE_ENV, negative_step, positive_step
from gpulint.live.gpu import probe_gpus
from gpulint.live.model import (
    FAILED,
    PASSED,
    PREFLIGHT,
    SKIPPED,
    SMOKE_NEGATIVE,
    SMOKE_POSITIVE,
    LiveReport,
    Step,
    reference_step,
)
from gpulint.live.options import LiveOptions
from gpulint.live.reference import classify, compare, payload
from gpulint.live.reference import reference_step as make_reference_step
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
    status = PASSED
    if not gpus and options.require_gpu:
        status = FAILED
        lines.append("--require-gpu: no GPU on this machine")
    report.steps.append(Step(PREFLIGHT, status, None, time.perf_counter() - started, "\n".join(lines)))
    cwd = str(target.script.parent) if target.script is not None and options.smoke is None else \
        str(target.context or target.root)
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    display = target.script_display or (f"--smoke {options.smoke}" if options.smoke else "the smoke test")
    location = target.location if options.smoke is None else (target.display or None)
    with tempfile.TemporaryDirectory(prefix="gpulint-reference-") as folder:
        for name, content in payload().items():
            Path(folder, name).write_bytes(content)
        runner = [sys.executable, str(Path(folder, "run_reference.py"))]
        report.reference = {"runner": " ".join(runner), "python": sys.executable}
        conditions = [(SMOKE_POSITIVE, True, {}, "with the GPUs visible"),
                      (SMOKE_NEGATIVE, False, {"CUDA_VISIBLE_DEVICES": ""}, f"with {NEGATIVE_ENV}")]
        for name, positive, env, where in conditions:
            condition = {"gpu_requested": positive, "device_request": None, "env": env}
            if positive and not gpus:
                why = f"needs a GPU: {problem}"
                report.steps.append(Step(name, FAILED if options.require_gpu else SKIPPED, None, 0.0,
                                         ("--require-gpu: " if options.require_gpu else "") + why, condition))
                report.steps.append(Step(reference_step(name), SKIPPED, None, 0.0, why, condition))
                continue
            code, out, seconds, timed_out = run_process(runner, {**base_env, **env}, folder, options.timeout)
            outcome = classify(code, out, timed_out)
            condition["devices"] = outcome.devices
            gpu = positive and bool(outcome.devices)
            ref = make_reference_step(reference_step(name), outcome, seconds, where, positive, condition, gpu)
            code, out, seconds, timed_out = run_process(argv, {**base_env, **env}, cwd, options.timeout)
            maker = positive_step if positive else negative_step
            step = maker(name, code, out, seconds, timed_out, options.timeout, where, condition, gpu)
            report.steps += [step, ref]
            finding = compare(step, outcome, location, display)
            if finding is not None:
                report.findings.append(finding)
