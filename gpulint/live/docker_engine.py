"""``--engine docker``: build the image and run it through the Docker Engine API (the docker SDK).

DOCKER_HOST is honoured, so Podman's Docker-compatible socket works too. Every container runs
with no network (unless --network), memory, CPU, PID and time limits, no host mounts, all
capabilities dropped, no-new-privileges and the image's own user (``nobody`` when the image would
run as root). Each run of the project's smoke test has a twin: gpulint's reference smoke test,
copied in through the engine's archive API, under the same device request and environment; it
also reports the NVIDIA devices the container really has. Everything made is labelled
``io.gpulint.run=<id>`` when it is created and removed by that label at the end, also on Ctrl-C.
"""

from __future__ import annotations

import os
import time
from typing import Any

from gpulint.live.docker_build import BuildMixin
from gpulint.live.docker_cleanup import LABEL, remove_run, short
from gpulint.live.docker_gpu import cdi_devices, gpu_requests, identify, is_refusal
from gpulint.live.gpu import probe_gpus
from gpulint.live.model import (
    BUILD,
    FAILED,
    HEALTH_HEALTHY,
    HEALTH_UNHEALTHY,
    PASSED,
    PREFLIGHT,
    SKIPPED,
    SMOKE_NEGATIVE,
    SMOKE_NEGATIVE_HIDDEN,
    SMOKE_NEGATIVE_VOID,
    SMOKE_POSITIVE,
    LiveReport,
    Step,
    reference_step,
)
from gpulint.live.options import LiveOptions
from gpulint.live.reference import MISSING, RUNNER, Outcome, archive, classify
from gpulint.live.signals import deferred
from gpulint.live.smoke_runs import Condition, SmokeRunsMixin
from gpulint.live.target import Target

__all__ = ["LABEL", "DockerRun", "MissingExtra", "engine_url", "remove_run", "run_docker"]

NOBODY = "65534:65534"


class MissingExtra(Exception):
    """The live extra is not installed (exit status 2, with what to install)."""


def _docker():
    try:
        import docker
    except ImportError:
        raise MissingExtra("live mode with the Docker engine needs the docker SDK (and nvidia-ml-py for the GPUs): "
                           "pip install 'gpulint[live]'") from None
    return docker


def engine_url() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def _is_root(user: str) -> bool:
    name = (user or "").split(":", 1)[0].strip()
    return name in ("", "root", "0")


class DockerRun(BuildMixin, SmokeRunsMixin):
    """One live run against a Docker-compatible engine; ``cleanup`` removes what it made."""

    def __init__(self, target: Target, options: LiveOptions, report: LiveReport, progress: Any = None):
        self.target, self.options, self.report, self.progress = target, options, report, progress
        self.docker = _docker()
        self.client: Any = None
        self.labels = {LABEL: report.run_id}
        self.tag = f"gpulint-live:{report.run_id}"
        self.image_id: str | None = None
        self.made_layers: list[str] = []  # intermediate images the classic builder created
        self.containers: list[str] = []
        self.candidates: list[tuple[str, Any]] = []  # device requests still worth trying
        self.gpu_request: Any = None  # the request the engine accepted (with a device seen inside)
        self.gpu_label: str | None = None
        self.gpu_reason: str | None = None  # why no GPU could be used, one line
        self.engine_podman = False
        self.config: dict[str, Any] = {}  # the built image's Config
        self.python: list[str] | None = None  # the image's Python, once found
        self.reference_devices: dict[str, list[str] | None] = {}
        self._build_thread: Any = None
        self.engine_raw: dict[str, Any] = {}  # the engine's info endpoint
        self.build_cgroup: Any = None

    # ------------------------------------------------------------------ preflight

    def preflight(self) -> bool:
        started = time.perf_counter()
        url = engine_url()
        gpus, gpu_problem = probe_gpus()
        self.report.gpus, self.report.gpu_problem = gpus, gpu_problem
        try:
            self.client = self.docker.from_env(timeout=120)
            version = self.client.version()
            info = self.client.info()
        except self.docker.errors.DockerException as error:
            self.report.engine_info = {"name": "docker", "host": url, "reachable": False}
            detail = (f"cannot reach the container engine at {url}: {short(error)}; start Docker "
                      "(or Podman's socket: systemctl --user start podman.socket) or set DOCKER_HOST")
            self.report.steps.append(Step(PREFLIGHT, FAILED, None, time.perf_counter() - started, detail))
            return False
        self.engine_raw = info
        self.report.reference = {"path": RUNNER, "copied_with": "the engine's archive API (put_archive)"}
        runtimes = sorted((info.get("Runtimes") or {}).keys())
        platform_name, engine_version, podman = identify(version)
        self.engine_podman = podman
        self.candidates, refusal = gpu_requests(self.docker.types, info, url, podman, engine_version)
        self.gpu_reason = refusal
        self.report.engine_info = {
            "name": "docker", "host": url, "reachable": True, "platform": platform_name, "podman": podman,
            "version": engine_version, "api_version": version.get("ApiVersion"), "os": info.get("OperatingSystem"),
            "runtimes": runtimes, "default_runtime": info.get("DefaultRuntime"), "nvidia_runtime": "nvidia" in runtimes,
            "cdi_devices": cdi_devices(info, url),
            "gpu_requests": [label for label, _ in self.candidates]}
        lines = [f"{platform_name} {engine_version} (API {version.get('ApiVersion')}) at {url}",
                 f"runtimes: {', '.join(runtimes) or 'none reported'} (default {info.get('DefaultRuntime') or '?'})"]
        if refusal:
            lines.append(f"no GPU request will be made: {refusal}")
        else:
            lines.append("GPU requests to try (the engine decides): " + "; ".join(l for l, _ in self.candidates))
        if url.startswith("unix://"):
            lines.append(gpu_problem or f"this machine: {len(gpus)} GPU(s): {', '.join(g.name for g in gpus)}; "
                         f"driver {gpus[0].driver}, CUDA driver {gpus[0].cuda_driver}")
        else:
            lines.append("remote engine: its GPUs are whatever the engine's host has (this machine's are not asked)")
        self.report.steps.append(Step(PREFLIGHT, PASSED, None, time.perf_counter() - started, "\n".join(lines)))
        return True

    # ------------------------------------------------------------------ containers

    def _user(self) -> tuple[str | None, str]:
        user = self.config.get("User") or ""
        if _is_root(user):
            return NOBODY, " (the image runs as root; live mode ran it as nobody, 65534)"
        return None, ""

    def _create(self, entrypoint: list[str], environment: dict[str, str], request: Any, role: str) -> Any:
        user, _ = self._user()
        kwargs: dict[str, Any] = dict(
            image=self.tag, entrypoint=entrypoint[:1], command=entrypoint[1:], environment=environment,
            labels={**self.labels, "io.gpulint.role": role}, network_mode=self.options.network,
            mem_limit=self.options.memory, memswap_limit=self.options.memory, nano_cpus=int(self.options.cpus * 1e9),
            pids_limit=self.options.pids_limit, cap_drop=["ALL"], security_opt=["no-new-privileges"], detach=True)
        if user is not None:
            kwargs["user"] = user
        if request is not None:
            kwargs["device_requests"] = [request]
        container = self.client.containers.create(**kwargs)
        self.containers.append(container.id)
        return container

    def _wait(self, container: Any) -> tuple[int | None, str, bool]:
        deadline = time.perf_counter() + self.options.timeout
        code, timed_out = None, False
        while True:
            try:
                result = container.wait(timeout=max(1, min(5, deadline - time.perf_counter())))
                code = int(result.get("StatusCode", -1))
                break
            except self.docker.errors.DockerException:
                pass
            except Exception as error:  # requests' ReadTimeout/ConnectionError: still running
                if "timed out" not in str(error).lower() and "timeout" not in type(error).__name__.lower():
                    raise
            if time.perf_counter() >= deadline:
                timed_out = True
                try:
                    container.kill()
                except self.docker.errors.DockerException:
                    pass
                break
        try:
            output = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
        except self.docker.errors.DockerException:
            output = ""
        return code, output, timed_out

    def run_container(self, argv: list[str], env: dict[str, str], request: Any, role: str,
                      with_reference: bool = False) -> tuple[int | None, str, bool, str | None]:
        """(exit code, output, timed out, why it could not start). Raises APIError for other engine errors."""
        container = self._create(argv, env, request, role)
        if with_reference:
            container.put_archive("/", archive())
        try:
            container.start()
        except self.docker.errors.APIError as error:
            return None, "", False, short(error)
        code, output, timed_out = self._wait(container)
        return code, output, timed_out, None

    # ------------------------------------------------------------------ the reference, and the devices inside

    def run_reference(self, condition: Condition) -> tuple[Outcome, float, str | None]:
        """gpulint's reference smoke test in the image under ``condition``: (outcome, seconds, device refusal)."""
        started = time.perf_counter()
        pythons = [self.python] if self.python else [["python3"], ["python"]]
        for python in pythons:
            code, output, timed_out, problem = self.run_container(
                [*python, RUNNER], condition.env, condition.request, reference_step(condition.name), True)
            if problem is not None and condition.request is not None and is_refusal(problem):
                return Outcome(MISSING, None, problem), time.perf_counter() - started, problem
            if problem is None and not (code == 127 and "not found" in output):
                self.python = python
                outcome = classify(code, output, timed_out)
                return outcome, time.perf_counter() - started, None
        # No Python in the image: look for the device nodes with its shell, if it has one.
        code, output, _, problem = self.run_container(
            ["/bin/sh", "-c", "for d in /dev/nvidia[0-9]* /dev/dxg; do [ -e \"$d\" ] && echo \"$d\"; done; true"],
            condition.env, condition.request, f"probe.{condition.name}")
        outcome = classify(None, "", False, python=False)
        if problem is None and code == 0:
            outcome.probe = {"devices": [line.strip() for line in output.splitlines() if line.startswith("/dev/")]}
        elif problem is not None and condition.request is not None and is_refusal(problem):
            return outcome, time.perf_counter() - started, problem
        return outcome, time.perf_counter() - started, None


def run_docker(target: Target, options: LiveOptions, report: LiveReport, progress: Any = None) -> None:
    """Preflight, build, the smoke test and the reference with and without a GPU, HEALTHCHECK both ways,
    clean-up (always, even when interrupted: a second Ctrl-C or SIGTERM waits until it is done)."""
    run = DockerRun(target, options, report, progress)
    try:
        if not run.preflight():
            for name in (BUILD, SMOKE_POSITIVE, SMOKE_NEGATIVE, HEALTH_HEALTHY, HEALTH_UNHEALTHY):
                report.steps.append(Step(name, SKIPPED, None, 0.0, "no container engine"))
            return
        if not run.build():
            for name in (SMOKE_POSITIVE, SMOKE_NEGATIVE, HEALTH_HEALTHY, HEALTH_UNHEALTHY):
                report.steps.append(Step(name, SKIPPED, None, 0.0, "the image did not build"))
            return
        for name in (SMOKE_POSITIVE, SMOKE_NEGATIVE, SMOKE_NEGATIVE_VOID, SMOKE_NEGATIVE_HIDDEN):
            run.run_pair(name)
        report.steps.append(run.run_health(gpu=True))
        report.steps.append(run.run_health(gpu=False))
    finally:
        with deferred():
            report.steps.append(run.cleanup())

