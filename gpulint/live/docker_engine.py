"""``--engine docker``: build the image and run it through the Docker Engine API (the docker SDK).

DOCKER_HOST is honoured, so Podman's Docker-compatible socket works too. Every container runs
with no network (unless --network), memory, PID and time limits, no host mounts, all capabilities
dropped, no-new-privileges and the image's own user (``nobody`` when the image would run as root).
Everything made is labelled ``io.gpulint.run=<id>`` and removed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import os
import queue
import re
import threading
import time
from pathlib import Path
from typing import Any

from gpulint.live.common import NEGATIVE_ENV, last_line, negative_step, positive_step
from gpulint.live.gpu import probe_gpus
from gpulint.live.model import (BUILD, CLEANUP, FAILED, HEALTH_HEALTHY, HEALTH_UNHEALTHY, PASSED, PREFLIGHT, SKIPPED,
                                SMOKE_NEGATIVE, SMOKE_POSITIVE, LiveReport, Step)
from gpulint.live.options import LiveOptions
from gpulint.live.target import Target

LABEL = "io.gpulint.run"
NO_RUNTIME = "no NVIDIA runtime configured in Docker: install nvidia-container-toolkit " \
             "(then `sudo nvidia-ctk runtime configure --runtime=docker` and restart Docker)"
NOBODY = "65534:65534"
_STEP = re.compile(r"^(?:Step|STEP) (\d+)/(\d+) ?: ?(.*)$")
_LAYER = re.compile(r"^ ---> ([0-9a-f]{12,64})$")
_CDI_DIRS = ("/etc/cdi", "/var/run/cdi")


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


class DockerRun:
    """One live run against a Docker-compatible engine; ``cleanup`` removes what it made."""

    def __init__(self, target: Target, options: LiveOptions, report: LiveReport, progress: Any = None):
        self.target, self.options, self.report, self.progress = target, options, report, progress
        self.docker = _docker()
        self.client: Any = None
        self.labels = {LABEL: report.run_id}
        self.tag = f"gpulint-live:{report.run_id}"
        self.image_id: str | None = None
        self.made_layers: list[str] = []  # intermediate images this build created (not cache hits, not bases)
        self.containers: list[str] = []
        self.gpu_request: Any = None  # a DeviceRequest, or None when no GPU can be requested
        self.gpu_reason: str | None = None  # why not, one line
        self.config: dict[str, Any] = {}  # the built image's Config
        self._build_thread: threading.Thread | None = None

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
            detail = (f"cannot reach the container engine at {url}: {_short(error)}; start Docker "
                      "(or Podman's socket: systemctl --user start podman.socket) or set DOCKER_HOST")
            if gpu_problem:
                detail += "\n" + gpu_problem
            self.report.steps.append(Step(PREFLIGHT, FAILED, None, time.perf_counter() - started, detail))
            return False
        runtimes = sorted((info.get("Runtimes") or {}).keys())
        platform_name = (version.get("Platform") or {}).get("Name") or "Docker Engine"
        cdi = self._cdi_devices(info, url)
        nvidia_runtime = "nvidia" in runtimes
        self.report.engine_info = {
            "name": "docker", "host": url, "reachable": True, "platform": platform_name,
            "version": version.get("Version"), "api_version": version.get("ApiVersion"),
            "os": info.get("OperatingSystem"), "runtimes": runtimes, "default_runtime": info.get("DefaultRuntime"),
            "nvidia_runtime": nvidia_runtime, "cdi_devices": cdi}
        lines = [f"{platform_name} {version.get('Version')} (API {version.get('ApiVersion')}) at {url}",
                 f"runtimes: {', '.join(runtimes) or 'none reported'} (default {info.get('DefaultRuntime') or '?'})"]
        types = self.docker.types
        if nvidia_runtime:
            lines.append("NVIDIA runtime: configured")
            self.gpu_request = types.DeviceRequest(count=-1, capabilities=[["gpu"]])
        elif cdi:
            lines.append(f"CDI devices: {', '.join(cdi)}")
            self.gpu_request = types.DeviceRequest(driver="cdi", device_ids=["nvidia.com/gpu=all"])
        else:
            lines.append(NO_RUNTIME)
        reasons = [] if self.gpu_request is not None else [NO_RUNTIME]
        if gpus:
            lines.append(f"{len(gpus)} GPU(s): {', '.join(g.name for g in gpus)}; "
                         f"driver {gpus[0].driver}, CUDA driver {gpus[0].cuda_driver}")
        else:
            lines.append(gpu_problem or "no GPU")
            reasons.insert(0, gpu_problem or "no GPU")
        if reasons:
            self.gpu_request, self.gpu_reason = None, "; ".join(reasons)
        self.report.steps.append(Step(PREFLIGHT, PASSED, None, time.perf_counter() - started, "\n".join(lines)))
        return True

    @staticmethod
    def _cdi_devices(info: dict, url: str) -> list[str]:
        """NVIDIA devices the engine can inject through CDI (reported by the engine, or in the local spec dirs)."""
        found = [str(d.get("ID")) for d in info.get("DiscoveredDevices") or []
                 if isinstance(d, dict) and str(d.get("ID", "")).startswith("nvidia.com/gpu")]
        if found or not url.startswith("unix://"):
            return found
        for directory in info.get("CDISpecDirs") or _CDI_DIRS:
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                continue
            for name in names:
                if name.endswith((".yaml", ".yml", ".json")):
                    try:
                        text = Path(directory, name).read_text(encoding="utf-8", errors="replace")
                    except OSError:
                        continue
                    if "nvidia.com/gpu" in text or "kind: nvidia.com" in text:
                        found.append("nvidia.com/gpu=all")
                        return found
        return found

    # ------------------------------------------------------------------ build

    def build(self) -> bool:
        started = time.perf_counter()
        target, options = self.target, self.options
        if target.dockerfile is None or target.context is None:
            self.report.steps.append(Step(BUILD, FAILED, None, 0.0, "no Dockerfile to build"))
            return False
        dockerfile = os.path.relpath(target.dockerfile, target.context)
        events: queue.Queue = queue.Queue()
        # the SDK's client for this engine, with the same TLS and socket settings, but its own connection
        build_client = self.docker.from_env(timeout=int(options.build_timeout)).api
        response: dict[str, Any] = {}
        post = build_client._post

        def keep_response(*args: Any, **kwargs: Any) -> Any:  # the build's HTTP response, to cut it short
            response["build"] = post(*args, **kwargs)
            return response["build"]

        build_client._post = keep_response

        def pump() -> None:
            try:
                kwargs: dict[str, Any] = dict(path=str(target.context), dockerfile=dockerfile, tag=self.tag,
                                              labels=self.labels, rm=True, forcerm=True, pull=options.pull,
                                              decode=True)
                if options.build_network:
                    kwargs["network_mode"] = options.build_network
                for event in build_client.build(**kwargs):
                    events.put(("event", event))
            except Exception as error:  # noqa: BLE001 - reported as the build's failure
                events.put(("error", error))
            events.put(("end", None))

        thread = threading.Thread(target=pump, name="gpulint-build", daemon=True)
        thread.start()
        self._build_thread = thread
        deadline = started + options.build_timeout
        log: list[str] = []
        step_line, after_from, cached, error_text = "", False, False, None
        completed = False
        try:
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    error_text = f"timed out after {options.build_timeout:g} s"
                    break
                try:
                    kind, value = events.get(timeout=min(remaining, 0.5))
                except queue.Empty:
                    continue
                if kind == "end":
                    break
                if kind == "error":
                    error_text = _short(value)
                    continue
                if not isinstance(value, dict):
                    continue
                if "error" in value:
                    error_text = str(value.get("error") or "").strip()
                    continue
                if isinstance(value.get("aux"), dict) and value["aux"].get("ID"):
                    self.image_id = str(value["aux"]["ID"])
                for line in str(value.get("stream") or "").splitlines():
                    line = line.rstrip()
                    if not line:
                        continue
                    log.append(line)
                    del log[:-200]
                    match = _STEP.match(line)
                    if match:
                        step_line = line
                        after_from = match.group(3).strip().upper().startswith("FROM")
                        cached = False
                        self._show(f"build {match.group(1)}/{match.group(2)}: {match.group(3)[:70]}")
                        continue
                    if line.strip() == "---> Using cache":
                        cached = True
                        continue
                    layer = _LAYER.match(line)
                    if layer:
                        if not after_from and not cached:
                            self.made_layers.append(layer.group(1))
                        continue
                    self._show(None, line[:100])
            completed = error_text is None
        finally:
            if not completed:  # closing the connection cancels the build on the engine
                if "build" in response:
                    _hang_up(build_client, response["build"])
                build_client.close()
        seconds = time.perf_counter() - started
        if error_text is None and self.image_id is None:
            try:
                self.image_id = self.client.api.inspect_image(self.tag)["Id"]
            except self.docker.errors.DockerException:
                error_text = "the engine reported no image"
        if error_text is not None:
            tail = [line for line in log[-8:] if line != step_line and not _STEP.match(line)][-5:]
            detail = f"failed at {step_line or 'the start of the build'}"
            if tail:
                detail += "\n" + "\n".join(f"  {line}" for line in tail)
            detail += f"\n{error_text}"
            self.report.steps.append(Step(BUILD, FAILED, None, seconds, detail))
            return False
        try:
            self.config = self.client.api.inspect_image(self.tag).get("Config") or {}
        except self.docker.errors.DockerException as error:
            self.report.steps.append(Step(BUILD, FAILED, None, seconds, f"cannot inspect the image: {_short(error)}"))
            return False
        user = self.config.get("User") or ""
        detail = f"built {self.tag} ({(self.image_id or '')[:19]}) from {target.display}, user {user or 'root'}"
        self.report.steps.append(Step(BUILD, PASSED, None, seconds, detail))
        return True

    def _show(self, description: str | None, line: str | None = None) -> None:
        if self.progress is not None:
            self.progress(description, line)

    # ------------------------------------------------------------------ containers

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

    def _user(self) -> tuple[str | None, str]:
        user = self.config.get("User") or ""
        if _is_root(user):
            return NOBODY, " (the image runs as root; live mode ran it as nobody, 65534)"
        return None, ""

    def _create(self, entrypoint: list[str], environment: dict[str, str], gpu: bool, role: str) -> Any:
        user, _ = self._user()
        kwargs: dict[str, Any] = dict(
            image=self.tag, entrypoint=entrypoint[:1], command=entrypoint[1:], environment=environment,
            labels={**self.labels, "io.gpulint.role": role}, network_mode=self.options.network,
            mem_limit=self.options.memory, pids_limit=self.options.pids_limit, cap_drop=["ALL"],
            security_opt=["no-new-privileges"], detach=True)
        if user is not None:
            kwargs["user"] = user
        if gpu and self.gpu_request is not None:
            kwargs["device_requests"] = [self.gpu_request]
        container = self.client.containers.create(**kwargs)
        self.containers.append(container.id)
        return container

    def _start(self, container: Any) -> str | None:
        """Start; the reason it cannot start with a GPU (the engine's "no NVIDIA runtime"), else None."""
        try:
            container.start()
        except self.docker.errors.APIError as error:
            text = _short(error)
            if "could not select device driver" in text or "nvidia" in text.lower() and "runtime" in text.lower():
                self.gpu_request, self.gpu_reason = None, f"{NO_RUNTIME} (the engine said: {text})"
                return self.gpu_reason
            raise
        return None

    def run_smoke(self, gpu: bool) -> Step:
        name = SMOKE_POSITIVE if gpu else SMOKE_NEGATIVE
        if gpu and self.gpu_request is None:
            return Step(name, SKIPPED, None, 0.0, f"needs a GPU: {self.gpu_reason}")
        argv, what = self.smoke_command()
        if argv is None:
            return Step(name, FAILED, None, 0.0, what)
        environment = {} if gpu else {"CUDA_VISIBLE_DEVICES": ""}
        started = time.perf_counter()
        self._show(f"{name}: {' '.join(argv)[:70]}")
        try:
            container = self._create(argv, environment, gpu=True, role=name)
            no_gpu = self._start(container)
        except self.docker.errors.APIError as error:
            return Step(name, FAILED, None, time.perf_counter() - started, f"cannot start the container: {_short(error)}")
        if no_gpu is not None:
            if gpu:
                return Step(name, SKIPPED, None, time.perf_counter() - started, f"needs a GPU: {no_gpu}")
            return self.run_smoke(gpu=False)  # the GPU request failed: the negative case runs without one
        code, output, timed_out = self._wait(container)
        seconds = time.perf_counter() - started
        _, note = self._user()
        gpus = "all GPUs requested" if self.gpu_request is not None else "no GPU requested"
        where = f"({what}, {gpus}{', ' + NEGATIVE_ENV if not gpu else ''}){note}"
        maker = positive_step if gpu else negative_step
        return maker(name, code, output, seconds, timed_out, self.options.timeout, where)

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

    def run_health(self, gpu: bool) -> Step:
        name = HEALTH_HEALTHY if gpu else HEALTH_UNHEALTHY
        if gpu and self.gpu_request is None:
            return Step(name, SKIPPED, None, 0.0, f"needs a GPU: {self.gpu_reason}")
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
        environment = {} if gpu else {"CUDA_VISIBLE_DEVICES": ""}
        started = time.perf_counter()
        self._show(f"{name}: waiting for the HEALTHCHECK (at most {bound:.0f} s)")
        try:
            container = self._create(["sleep", "2147483647"], environment, gpu=gpu, role=name)
            no_gpu = self._start(container)
        except self.docker.errors.APIError as error:
            return Step(name, FAILED, None, time.perf_counter() - started,
                        f"cannot start the image with its command replaced by `sleep`: {_short(error)}")
        if no_gpu is not None:
            return Step(name, SKIPPED, None, time.perf_counter() - started, f"needs a GPU: {no_gpu}")
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
        where = "with all GPUs requested" if gpu else f"with no GPU and {NEGATIVE_ENV}"
        if not state.get("Running", False) and status not in ("healthy", "unhealthy"):
            return Step(name, FAILED, code, seconds,
                        f"the container stopped (exit {state.get('ExitCode')}) before its health was known")
        if status not in ("healthy", "unhealthy"):
            return Step(name, FAILED, code, seconds,
                        f"still {status} after {bound:.0f} s (start period {start_period:g} s, interval "
                        f"{interval:g} s, timeout {timeout:g} s, retries {retries}) {where}{said}")
        wanted = "healthy" if gpu else "unhealthy"
        if status == wanted:
            return Step(name, PASSED, code, seconds, f"{status} {where}, as expected{said}")
        if gpu:
            return Step(name, FAILED, code, seconds, f"unhealthy {where}, expected healthy{said}")
        return Step(name, FAILED, code, seconds,
                    f"healthy {where}: the HEALTHCHECK does not check the GPU, so Docker would keep a container "
                    f"that cannot use it{said}")

    # ------------------------------------------------------------------ clean-up

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
        seconds = time.perf_counter() - started
        detail = f"removed {containers} container(s) and {images} image(s) labelled {LABEL}={self.report.run_id}"
        if errors:
            return Step(CLEANUP, FAILED, None, seconds, detail + "; could not remove: " + "; ".join(errors[:5]))
        return Step(CLEANUP, PASSED, None, seconds, detail)


def remove_run(client: Any, run_id: str, container_ids: list[str], images: list[str], layers: list[str],
               errors: list[str]) -> tuple[int, int]:
    """Remove a run's containers and images: those recorded, then whatever still carries its label."""
    import docker

    label = {"label": f"{LABEL}={run_id}"}
    removed_containers = 0
    try:
        ids = set(container_ids) | {c.id for c in client.containers.list(all=True, filters=label)}
    except docker.errors.DockerException as error:
        ids = set(container_ids)
        errors.append(_short(error))
    for cid in ids:
        try:
            client.api.remove_container(cid, force=True, v=True)
            removed_containers += 1
        except docker.errors.NotFound:
            pass
        except docker.errors.DockerException as error:
            errors.append(f"container {cid[:12]}: {_short(error)}")
    removed_images = 0
    try:
        images = list(images) + [i.id for i in client.images.list(all=True, filters=label)]
    except docker.errors.DockerException as error:
        errors.append(_short(error))
    seen: set[str] = set()
    for ref in images:
        if ref in seen:
            continue
        seen.add(ref)
        try:
            client.api.remove_image(ref, force=True)
            removed_images += 1
        except docker.errors.NotFound:
            pass
        except docker.errors.DockerException as error:
            errors.append(f"image {ref}: {_short(error)}")
    # Layers this build created (earlier stages, or a build cut short): only untagged ones, never a base
    # image or a tag; first the build's own intermediate containers still standing on them.
    pending = list(reversed(layers))
    deadline = time.monotonic() + (15 if pending else 0)
    while pending:
        for layer in pending:
            try:
                for container in client.containers.list(all=True, filters={"ancestor": layer}):
                    client.api.remove_container(container.id, force=True, v=True)
                    removed_containers += 1
            except docker.errors.DockerException:
                pass  # the engine is removing it already
        left = []
        for layer in pending:
            try:
                if client.api.inspect_image(layer).get("RepoTags"):
                    continue
                client.api.remove_image(layer, force=False)
                removed_images += 1
            except docker.errors.NotFound:
                pass
            except docker.errors.DockerException:
                left.append(layer)  # in use: by a container being removed, or by another image
        if not left or len(left) == len(pending) and time.monotonic() > deadline:
            break
        if len(left) == len(pending):
            time.sleep(0.5)
        pending = left
    return removed_containers, removed_images


def _hang_up(api: Any, response: Any) -> None:
    """Shut the build's connection down (a blocked read in another thread wakes up; the engine cancels)."""
    import socket

    try:
        sock = api._get_raw_response_socket(response)
        sock = getattr(sock, "_sock", sock)
        sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # noqa: BLE001 - already closed, or not a socket we can reach
        pass
    try:
        response.close()
    except Exception:  # noqa: BLE001
        pass


def _short(error: BaseException) -> str:
    explanation = getattr(error, "explanation", None)
    text = str(explanation or error).strip()
    return text.splitlines()[0][:400] if text else type(error).__name__


def run_docker(target: Target, options: LiveOptions, report: LiveReport, progress: Any = None) -> None:
    """Preflight, build, smoke test with and without a GPU, HEALTHCHECK both ways, clean-up (always)."""
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
        report.steps.append(run.run_smoke(gpu=True))
        report.steps.append(run.run_smoke(gpu=False))
        report.steps.append(run.run_health(gpu=True))
        report.steps.append(run.run_health(gpu=False))
    finally:
        import signal

        # A second Ctrl-C must not leave containers behind: ignore it while cleaning up.
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            report.steps.append(run.cleanup())
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
