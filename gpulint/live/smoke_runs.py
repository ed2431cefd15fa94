"""The runs of a Docker live run: the project's smoke test beside gpulint's reference under each
condition (a GPU requested; no device request; NVIDIA_VISIBLE_DEVICES=void; CUDA_VISIBLE_DEVICES=''
with the GPU), the HEALTHCHECK both ways, and the clean-up."""

from __future__ import annotations

import time
from typing import Any

from gpulint.core.records import Record, field
from gpulint.live.common import last_line, negative_step, positive_step
from gpulint.live.docker_cleanup import LABEL, remove_run, short
from gpulint.live.model import (
    CLEANUP,
    FAILED,
    HEALTH_HEALTHY,
    HEALTH_UNHEALTHY,
    INCONCLUSIVE,
    PASSED,
    SKIPPED,
    SMOKE_NEGATIVE_HIDDEN,
    SMOKE_NEGATIVE_VOID,
    SMOKE_POSITIVE,
    Step,
    reference_step,
)
from gpulint.live.reference import compare
from gpulint.live.reference import reference_step as make_reference_step

VOID = {"NVIDIA_VISIBLE_DEVICES": "void"}
_WHERE = {SMOKE_POSITIVE: "with a GPU requested", "smoke.negative": "with no device request",
          SMOKE_NEGATIVE_VOID: "with no device request and NVIDIA_VISIBLE_DEVICES=void",
          SMOKE_NEGATIVE_HIDDEN: "with the GPU requested and CUDA_VISIBLE_DEVICES=''"}
_ENV = {SMOKE_NEGATIVE_VOID: VOID, SMOKE_NEGATIVE_HIDDEN: {"CUDA_VISIBLE_DEVICES": ""}}


class Condition(Record):
    """How one pair of runs (the project's smoke test and the reference) is started."""

    name: str
    gpu: bool  # request a GPU
    env: dict[str, str]
    where: str
    request: Any = None  # the DeviceRequest used
    request_label: str | None = None
    devices: list[str] | None = None  # the NVIDIA device nodes seen inside (None: could not look)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {"gpu_requested": self.request is not None, "device_request": self.request_label,
                "env": dict(self.env), "devices": self.devices}


class SmokeRunsMixin:
    """Needs a DockerRun's client, options, report, config, candidates and run_container/run_reference."""

    client: Any
    docker: Any
    options: Any
    report: Any
    config: dict[str, Any]
    candidates: list[tuple[str, Any]]
    gpu_request: Any
    gpu_label: str | None
    gpu_reason: str | None
    containers: list[str]
    tag: str
    image_id: str | None
    made_layers: list[str]
    reference_devices: dict[str, list[str] | None]
    _build_thread: Any
    build_cgroup: Any

    def smoke_command(self) -> tuple[list[str] | None, str]:
        """(entrypoint argv, what it is) for the smoke test, or (None, why there is none)."""
        if self.options.smoke:
            return ["/bin/sh", "-c", self.options.smoke], f"--smoke {self.options.smoke}"
        test = (self.config.get("Healthcheck") or {}).get("Test") or []
        if test and test[0] == "CMD" and len(test) > 1:
            return list(test[1:]), "the HEALTHCHECK's command"
        if test and test[0] == "CMD-SHELL" and len(test) > 1:
            shell = self.config.get("Shell") or ["/bin/sh", "-c"]
            return [*shell, test[1]], "the HEALTHCHECK's command"
        return None, ("the image has no HEALTHCHECK to run as its smoke test: add "
                      "`HEALTHCHECK CMD [\"python3\", \"/app/smoke_test.py\"]` or pass --smoke CMD")

    def _no_gpu(self, name: str, condition: Condition, why: str) -> None:
        status = FAILED if self.options.require_gpu else SKIPPED
        prefix = "--require-gpu: " if self.options.require_gpu else ""
        self.report.steps.append(Step(name, status, None, 0.0, f"{prefix}needs a GPU: {why}", condition.describe()))
        self.report.steps.append(Step(reference_step(name), SKIPPED, None, 0.0, f"needs a GPU: {why}",
                                      condition.describe()))

    def _attach_gpu(self, condition: Condition) -> tuple[Any, float, list[str]]:
        """Try the device requests until the engine accepts one and a device is seen inside; the
        reference's outcome from that run, its seconds, and why each request failed."""
        reasons: list[str] = []
        while self.gpu_request is not None or self.candidates:
            if self.gpu_request is not None:
                condition.request, condition.request_label = self.gpu_request, self.gpu_label
            else:
                condition.request_label, condition.request = self.candidates[0]
            outcome, seconds, refusal = self.run_reference(condition)
            if refusal is not None:
                reasons.append(f"{condition.request_label}: the engine refused it ({refusal})")
            elif outcome.devices == []:
                reasons.append(f"{condition.request_label}: the engine accepted it, but no NVIDIA device is in the "
                               "container (/dev/nvidia* absent)")
            else:
                self.gpu_request, self.gpu_label, self.candidates = condition.request, condition.request_label, []
                return outcome, seconds, reasons
            if self.gpu_request is not None:
                self.gpu_request = None
            else:
                self.candidates.pop(0)
        condition.request, condition.request_label = None, None
        return None, 0.0, reasons

    def run_pair(self, name: str) -> None:
        positive = name == SMOKE_POSITIVE
        condition = Condition(name, name in (SMOKE_POSITIVE, SMOKE_NEGATIVE_HIDDEN), dict(_ENV.get(name, {})),
                              _WHERE[name])
        self._show(f"{name}: the reference smoke test")
        if positive:
            outcome, seconds, reasons = self._attach_gpu(condition)
            if outcome is None:
                if reasons:
                    self.gpu_reason = "; ".join(reasons)
                self._no_gpu(name, condition, self.gpu_reason or "no GPU request the engine accepts")
                return
        else:
            if condition.gpu and self.gpu_request is not None:
                condition.request, condition.request_label = self.gpu_request, self.gpu_label
            elif condition.gpu:
                condition.where = "with no device request (no GPU could be attached) and CUDA_VISIBLE_DEVICES=''"
            outcome, seconds, _ = self.run_reference(condition)
        condition.devices = outcome.devices
        self.reference_devices[name] = outcome.devices
        gpu = condition.request is not None and condition.devices != []
        if condition.devices is not None:
            where = f"{condition.where}; devices inside: {', '.join(condition.devices) or 'none'}"
        else:
            where = f"{condition.where}; devices inside: not verifiable (no Python or shell in the image)"
        reference = make_reference_step(reference_step(name), outcome, seconds, where, positive,
                                        condition.describe(), gpu)
        step = self._run_project(name, condition, where, gpu)
        if not positive and condition.request is None and condition.devices:
            unasked = (f"not GPU-less: the engine attached {', '.join(condition.devices)} without a device request "
                       "(a default nvidia runtime with the image's NVIDIA_VISIBLE_DEVICES); "
                       f"{SMOKE_NEGATIVE_VOID} is the run without them")
            for each in (step, reference):
                each.status, each.detail = INCONCLUSIVE, f"{unasked}; {each.detail}"
        self.report.steps += [step, reference]
        display = self.target.script_display or "the HEALTHCHECK's command"
        location = self.target.location if self.options.smoke is None else (self.target.display or None)
        finding = compare(step, outcome, location, display if self.options.smoke is None else "--smoke")
        if finding is not None:
            self.report.findings.append(finding)

    def _run_project(self, name: str, condition: Condition, where: str, gpu: bool) -> Step:
        argv, what = self.smoke_command()
        if argv is None:
            return Step(name, FAILED, None, 0.0, what, condition.describe(), gpu)
        self._show(f"{name}: {' '.join(argv)[:70]}")
        started = time.perf_counter()
        try:
            code, output, timed_out, problem = self.run_container(argv, condition.env, condition.request, name)
        except self.docker.errors.APIError as error:
            problem, code, output, timed_out = short(error), None, "", False
        if problem is not None:
            return Step(name, FAILED, None, time.perf_counter() - started, f"cannot start the container: {problem}",
                        condition.describe(), gpu)
        _, note = self._user()
        maker = positive_step if name == SMOKE_POSITIVE else negative_step
        return maker(name, code, output, time.perf_counter() - started, timed_out, self.options.timeout,
                     f"({what}, {where}){note}", condition.describe(), gpu)

    def run_health(self, gpu: bool) -> Step:
        name = HEALTH_HEALTHY if gpu else HEALTH_UNHEALTHY
        if gpu and self.gpu_request is None:
            status = FAILED if self.options.require_gpu else SKIPPED
            return Step(name, status, None, 0.0, f"needs a GPU: {self.gpu_reason or 'no GPU could be attached'}")
        health = self.config.get("Healthcheck") or {}
        test = health.get("Test") or []
        if not test or test[0] == "NONE":
            return Step(name, FAILED, None, 0.0, "the image has no HEALTHCHECK: add "
                        "`HEALTHCHECK CMD [\"python3\", \"/app/smoke_test.py\"]` so Docker can tell a broken GPU")
        ns = 1e9
        interval = (health.get("Interval") or 30 * ns) / ns
        timeout = (health.get("Timeout") or 30 * ns) / ns
        start_period = (health.get("StartPeriod") or 0) / ns
        retries = int(health.get("Retries") or 3)
        bound = start_period + (retries + 1) * (interval + timeout) + 30
        environment = {} if gpu else dict(VOID)
        request = self.gpu_request if gpu else None
        condition = {"gpu_requested": gpu, "device_request": self.gpu_label if gpu else None, "env": environment,
                     "devices": self.reference_devices.get(SMOKE_POSITIVE if gpu else SMOKE_NEGATIVE_VOID)}
        started = time.perf_counter()
        self._show(f"{name}: waiting for the HEALTHCHECK (at most {bound:.0f} s)")
        try:
            container = self._create(["sleep", "2147483647"], environment, request, name)
            container.start()
        except self.docker.errors.APIError as error:
            return Step(name, FAILED, None, time.perf_counter() - started,
                        f"cannot start the image with its command replaced by `sleep`: {short(error)}", condition, gpu)
        status, state = "starting", {}
        deadline = started + bound
        while time.perf_counter() < deadline:
            container.reload()
            state = container.attrs.get("State") or {}
            status = (state.get("Health") or {}).get("Status") or "none"
            if status in ("healthy", "unhealthy") or not state.get("Running", False):
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        logs = (state.get("Health") or {}).get("Log") or []
        code = logs[-1].get("ExitCode") if logs else None
        said = last_line(str(logs[-1].get("Output") or "")) if logs else ""
        said = f": {said}" if said else ""
        where = "with the GPU requested" if gpu else "with no device request and NVIDIA_VISIBLE_DEVICES=void"
        if not state.get("Running", False) and status not in ("healthy", "unhealthy"):
            return Step(name, FAILED, code, seconds,
                        f"the container stopped (exit {state.get('ExitCode')}) before its health was known",
                        condition, gpu)
        if status not in ("healthy", "unhealthy"):
            return Step(name, INCONCLUSIVE, code, seconds,
                        f"still {status} after {bound:.0f} s (start period {start_period:g} s, interval "
                        f"{interval:g} s, timeout {timeout:g} s, retries {retries}) {where}{said}", condition, gpu)
        if status == "unhealthy" and logs and _timed_out(logs[-1]):
            return Step(name, INCONCLUSIVE, code, seconds,
                        f"unhealthy only because the HEALTHCHECK timed out after {timeout:g} s {where}: a check "
                        f"that hangs is not a verdict (not 'unhealthy as expected'); make it fail fast{said}",
                        condition, gpu)
        wanted = "healthy" if gpu else "unhealthy"
        if status == wanted:
            return Step(name, PASSED, code, seconds, f"{status} {where}, as expected{said}", condition, gpu)
        if gpu:
            return Step(name, FAILED, code, seconds, f"unhealthy {where}, expected healthy{said}", condition, gpu)
        return Step(name, FAILED, code, seconds,
                    f"healthy {where}: the HEALTHCHECK does not check the GPU, so Docker would keep a container "
                    f"that cannot use it{said}", condition, gpu)

    def cleanup(self) -> Step:
        started = time.perf_counter()
        if self.client is None:
            return Step(CLEANUP, SKIPPED, None, 0.0, "nothing was made")
        if self.options.keep:
            made = [self.tag] + [c[:12] for c in self.containers]
            return Step(CLEANUP, SKIPPED, None, 0.0, f"kept (--keep): {', '.join(made)}; remove them with "
                        f"`docker rm -f $(docker ps -aq --filter label={LABEL}={self.report.run_id})` and "
                        f"`docker rmi {self.tag}`")
        errors: list[str] = []
        if self._build_thread is not None:
            self._build_thread.join(timeout=30)  # a cancelled build: let the engine finish unwinding first
        containers, images = remove_run(self.client, self.report.run_id, self.containers,
                                        [self.tag] + ([self.image_id] if self.image_id else []),
                                        self.made_layers, errors)
        if self.build_cgroup is not None:  # an interrupted build's cgroup
            errors += [f"cgroup {path}" for path in self.build_cgroup.remove()]
        seconds = time.perf_counter() - started
        detail = f"removed {containers} container(s) and {images} image(s) labelled {LABEL}={self.report.run_id}"
        if errors:
            return Step(CLEANUP, FAILED, None, seconds, detail + "; could not remove: " + "; ".join(errors[:5]))
        return Step(CLEANUP, PASSED, None, seconds, detail)


def _timed_out(entry: dict) -> bool:
    """A health-check attempt that Docker stopped at its timeout (exit -1, "exceeded timeout")."""
    return entry.get("ExitCode") == -1 or "exceeded timeout" in str(entry.get("Output") or "").lower()
