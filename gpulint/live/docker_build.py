"""Building the image: BuildKit through the Engine API, the docker CLI's BuildKit, or the classic builder.

``--builder auto`` builds with BuildKit through the Engine API (the docker SDK's connection, with
``version=2``), so ``RUN --mount=type=cache`` works and nothing but the labelled image lands in the
engine. BuildKit secrets and SSH need a client session, which only the docker CLI provides:
``docker buildx build``, or a docker CLI older than 23 with its built-in BuildKit
(``DOCKER_BUILDKIT=1``). Engines without the BuildKit API (Podman: Buildah) and ``--builder
classic`` use the classic builder. The build's RUN steps have no network unless ``--build-network``.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from gpulint.artifacts.dockerfile.context import dockerignore_files
from gpulint.live.build_cgroup import BuildCgroup
from gpulint.live.buildkit_trace import Trace
from gpulint.live.docker_cleanup import hang_up, short
from gpulint.live.docker_gpu import version_tuple
from gpulint.live.model import BUILD, FAILED, PASSED, Step

_STEP = re.compile(r"^(?:Step|STEP) (\d+)/(\d+) ?: ?(.*)$")
_LAYER = re.compile(r"^ ---> ([0-9a-f]{12,64})$")
_CLI_STEP = re.compile(r"^#(\d+) (\[[^\]]*\] .*)$")
BUILDX_INSTALL = ("install docker buildx (Debian 13 / Ubuntu 24.04: apt-get install docker-buildx; Docker's own "
                  "repository: docker-buildx-plugin)")


class BuildError(Exception):
    """The build cannot be done as asked (the message says what to install or change)."""


def find_buildkit_cli() -> tuple[list[str], dict[str, str], str] | None:
    """The first docker CLI on PATH that can build with BuildKit: (argv, extra env, what it is)."""
    seen: set[str] = set()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        path = os.path.join(folder or ".", "docker")
        real = os.path.realpath(path)
        if real in seen or not os.access(path, os.X_OK) or os.path.isdir(path):
            continue
        seen.add(real)
        try:
            buildx = subprocess.run([path, "buildx", "version"], capture_output=True, text=True, timeout=30)
            if buildx.returncode == 0:
                return [path, "buildx", "build", "--load"], {}, f"docker buildx ({buildx.stdout.strip()[:60]})"
            version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        match = re.search(r"version v?([0-9][^ ,]*)", version)
        if match and version_tuple(match.group(1)) and version_tuple(match.group(1)) < (23,):
            return [path, "build"], {"DOCKER_BUILDKIT": "1"}, f"docker CLI {match.group(1)} (built-in BuildKit)"
    return None


def context_tar(root: str, dockerfile: str) -> Any:
    """The build context as docker-py sends it (.dockerignore honoured), in a form BuildKit recognises as a
    tar from its first 512 bytes: GNU format, whole-second times, the Dockerfile as the first member."""
    from docker.utils.build import exclude_paths

    exclude: list[str] = []
    for ignore in dockerignore_files(Path(root) / dockerfile, Path(root)):
        if ignore.is_file():
            with open(ignore, encoding="utf-8", errors="replace") as handle:
                exclude = [line.strip() for line in handle.read().splitlines() if line.strip() and line.strip()[0] != "#"]
            break
    files = sorted(exclude_paths(root, exclude, dockerfile=dockerfile), key=lambda name: (name != dockerfile, name))
    buffer = tempfile.TemporaryFile()
    with tarfile.open(mode="w", fileobj=buffer, format=tarfile.GNU_FORMAT) as tar:
        for name in files:
            info = tar.gettarinfo(os.path.join(root, name), arcname=name)
            if info is None:  # a socket
                continue
            info.mtime = int(info.mtime)
            if info.isfile():
                with open(os.path.join(root, name), "rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    buffer.seek(0)
    return buffer


class BuildMixin:
    """The build step of a DockerRun (uses its client, options, target, labels, tag and report)."""

    client: Any
    docker: Any
    options: Any
    target: Any
    report: Any
    labels: dict[str, str]
    tag: str
    image_id: str | None
    made_layers: list[str]
    config: dict[str, Any]
    _build_thread: threading.Thread | None
    engine_podman: bool
    engine_raw: dict[str, Any]
    build_cgroup: BuildCgroup | None

    def choose_builder(self) -> tuple[str, Any, str | None]:
        """(classic | api | cli, the CLI when cli, a note for the report)."""
        options, mounts = self.options, self.target.mount_types
        session = bool(options.secrets) or bool(mounts & {"secret", "ssh"})
        if options.builder == "classic":
            if mounts:
                raise BuildError(f"the Dockerfile uses RUN --mount=type={','.join(sorted(mounts))}, which the classic "
                                 "builder cannot build: use --builder auto (BuildKit)")
            return "classic", None, None
        if session or options.builder == "buildkit" and self.engine_podman:
            cli = find_buildkit_cli()
            if cli is None:
                why = "build secrets (--secret)" if options.secrets else \
                    f"RUN --mount=type={'/'.join(sorted(mounts & {'secret', 'ssh'}))}"
                raise BuildError(f"{why} need a BuildKit session, which only the docker CLI provides, and no docker "
                                 f"CLI on PATH has BuildKit: {BUILDX_INSTALL}")
            return "cli", cli, None
        if self.engine_podman:
            return "classic", None, "Podman builds with Buildah through its compatible API"
        return "api", None, None

    def build(self) -> bool:
        started = time.perf_counter()
        if self.target.dockerfile is None or self.target.context is None:
            self.report.steps.append(Step(BUILD, FAILED, None, 0.0, "no Dockerfile to build"))
            return False
        try:
            kind, cli, note = self.choose_builder()
        except BuildError as error:
            self.report.steps.append(Step(BUILD, FAILED, None, 0.0, str(error)))
            return False
        memory = self.docker.utils.parse_bytes(self.options.memory)
        self.build_cgroup, where = BuildCgroup.create(self.report.run_id, self.engine_raw,
                                                      self.report.engine_info.get("host", ""), memory,
                                                      self.options.cpus, self.options.pids_limit)
        if kind == "cli":
            error_text, what = self._build_cli(cli)
        else:
            error_text, what = self._build_api(buildkit=kind == "api")
        limits = self._limits(kind, where)
        seconds = time.perf_counter() - started
        if error_text is None and self.image_id is None:
            try:
                self.image_id = self.client.api.inspect_image(self.tag)["Id"]
            except self.docker.errors.DockerException:
                error_text = "the engine reported no image"
        if error_text is not None:
            self.report.steps.append(Step(BUILD, FAILED, None, seconds, f"{error_text}\n(builder: {what})"))
            return False
        try:
            self.config = self.client.api.inspect_image(self.tag).get("Config") or {}
        except self.docker.errors.DockerException as error:
            self.report.steps.append(Step(BUILD, FAILED, None, seconds, f"cannot inspect the image: {short(error)}"))
            return False
        user = self.config.get("User") or ""
        lines = [f"built {self.tag} ({(self.image_id or '')[:19]}) from {self.target.display}, user {user or 'root'}",
                 f"builder: {what}; RUN steps' network: {self.options.build_network}"]
        lines.append(limits)
        if note:
            lines.append(note)
        self.report.engine_info["builder"] = what
        self.report.steps.append(Step(BUILD, PASSED, None, seconds, "\n".join(lines)))
        return True

    def _limits(self, kind: str, where: str) -> str:
        """What limited the build, in words; the build's cgroup is removed once it is known."""
        options = self.options
        wanted = f"memory {options.memory} (no swap), {options.cpus:g} CPUs, {options.pids_limit} processes"
        cgroup = self.build_cgroup
        if cgroup is not None:
            used = cgroup.used()
            cgroup.remove()
            if used:
                return f"limits: {wanted}, through the {where} the build's steps ran in"
            why = "the engine's BuildKit ignores a cgroup parent before Docker 23" if kind != "classic" else \
                "no step ran a process (all cached?)"
            where = f"the {where} stayed unused: {why}"
        if kind == "classic":
            return (f"limits: memory {options.memory} (no swap) and {options.cpus:g} CPUs per step; no process "
                    f"limit ({where})")
        return f"limits: none applied to the build ({where}); its RUN steps had no network unless asked"

    # ------------------------------------------------------------------ the Engine API (BuildKit or classic)

    def _build_api(self, buildkit: bool) -> tuple[str | None, str]:
        target, options = self.target, self.options
        what = "BuildKit (Engine API)" if buildkit else "classic (Engine API)"
        dockerfile = os.path.relpath(target.dockerfile, target.context)
        events: queue.Queue = queue.Queue()
        build_client = self.docker.from_env(timeout=int(options.build_timeout)).api  # its own connection
        response: dict[str, Any] = {}
        post = build_client._post
        cpu_period = 100_000

        def keep_response(*args: Any, **kwargs: Any) -> Any:  # the build's HTTP response, to cut it short
            params = kwargs.setdefault("params", {})
            if self.build_cgroup is not None:  # the Engine API's build parameter; docker-py has no argument for it
                params["cgroupparent"] = self.build_cgroup.parent
            if buildkit:
                params["version"] = "2"
            else:
                params.update(cpuperiod=cpu_period, cpuquota=int(options.cpus * cpu_period))
            response["build"] = post(*args, **kwargs)
            return response["build"]

        build_client._post = keep_response

        def pump() -> None:
            try:
                kwargs: dict[str, Any] = dict(path=str(target.context), dockerfile=dockerfile, tag=self.tag,
                                              labels=self.labels, rm=True, forcerm=True, pull=options.pull,
                                              decode=True)
                if buildkit:  # BuildKit sniffs the first tar block: the Dockerfile first, no PAX headers
                    kwargs.update(fileobj=context_tar(str(target.context), dockerfile), custom_context=True)
                    del kwargs["path"]
                else:
                    memory = self.docker.utils.parse_bytes(options.memory)
                    kwargs["container_limits"] = {"memory": memory, "memswap": memory}
                if options.build_network != "default":
                    kwargs["network_mode"] = options.build_network
                for event in build_client.build(**kwargs):
                    events.put(("event", event))
            except Exception as error:  # noqa: BLE001 - reported as the build's failure, in the engine's words
                events.put(("error", error))
            events.put(("end", None))

        thread = threading.Thread(target=pump, name="gpulint-build", daemon=True)
        thread.start()
        self._build_thread = thread
        deadline = time.perf_counter() + options.build_timeout
        log: list[str] = []
        trace = Trace()
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
                    error_text = short(value)
                    continue
                if not isinstance(value, dict):
                    continue
                if "error" in value:
                    error_text = str(value.get("error") or "").strip()
                    continue
                if value.get("id") == "moby.buildkit.trace" and isinstance(value.get("aux"), str):
                    for name in trace.feed(value["aux"]):
                        self._show(f"build: {name[:80]}")
                    continue
                if isinstance(value.get("aux"), dict) and value["aux"].get("ID"):
                    self.image_id = str(value["aux"]["ID"])
                for line in str(value.get("stream") or "").splitlines():
                    step_line, after_from, cached = self._classic_line(line.rstrip(), log, step_line, after_from,
                                                                       cached)
            completed = error_text is None
        finally:
            if not completed:  # closing the connection cancels the build on the engine
                if "build" in response:
                    hang_up(build_client, response["build"])
                build_client.close()
        if error_text is None:
            return None, what
        failed = trace.failed_step()
        if failed is not None:
            name, lines = failed
            return f"failed at {name}" + "".join(f"\n  {line}" for line in lines) + f"\n{error_text}", what
        tail = [line for line in log[-8:] if line != step_line and not _STEP.match(line)][-5:]
        detail = f"failed at {step_line or 'the start of the build'}" + "".join(f"\n  {line}" for line in tail)
        return f"{detail}\n{error_text}", what

    def _classic_line(self, line: str, log: list[str], step_line: str, after_from: bool,
                      cached: bool) -> tuple[str, bool, bool]:
        if not line:
            return step_line, after_from, cached
        log.append(line)
        del log[:-200]
        match = _STEP.match(line)
        if match:
            self._show(f"build {match.group(1)}/{match.group(2)}: {match.group(3)[:70]}")
            return line, match.group(3).strip().upper().startswith("FROM"), False
        if line.strip() == "---> Using cache":
            return step_line, after_from, True
        layer = _LAYER.match(line)
        if layer:
            if not after_from and not cached:
                self.made_layers.append(layer.group(1))
            return step_line, after_from, cached
        self._show(None, line[:100])
        return step_line, after_from, cached

    # ------------------------------------------------------------------ the docker CLI's BuildKit (secrets)

    def _build_cli(self, cli: tuple[list[str], dict[str, str], str]) -> tuple[str | None, str]:
        argv, extra_env, what = cli
        target, options = self.target, self.options
        with tempfile.TemporaryDirectory(prefix="gpulint-build-") as folder:
            iidfile = os.path.join(folder, "image-id")
            command = [*argv, "--progress=plain", "-f", str(target.dockerfile), "-t", self.tag,
                       "--iidfile", iidfile]
            for key, value in self.labels.items():
                command += ["--label", f"{key}={value}"]
            if options.build_network != "default":
                command += ["--network", options.build_network]
            if options.pull:
                command.append("--pull")
            for secret in options.secrets:
                command += ["--secret", secret]
            if self.build_cgroup is not None:
                command += ["--cgroup-parent", self.build_cgroup.parent]
            command.append(str(target.context))
            env = {**os.environ, **extra_env}
            if self.report.engine_info.get("host"):
                env["DOCKER_HOST"] = self.report.engine_info["host"]
            error_text = self._run_cli(command, env)
            if error_text is None:
                try:
                    with open(iidfile, encoding="utf-8") as handle:
                        self.image_id = handle.read().strip() or None
                except OSError:
                    self.image_id = None
        return error_text, what

    def _run_cli(self, command: list[str], env: dict[str, str]) -> str | None:
        lines: queue.Queue = queue.Queue()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)

        def read() -> None:
            assert proc.stdout is not None
            for raw in proc.stdout:
                lines.put(raw.decode("utf-8", "replace").rstrip())
            lines.put(None)

        reader = threading.Thread(target=read, name="gpulint-build-cli", daemon=True)
        reader.start()
        deadline = time.perf_counter() + self.options.build_timeout
        log: list[str] = []
        steps: dict[str, str] = {}
        failed_step = ""
        finished = False
        try:
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return f"timed out after {self.options.build_timeout:g} s"
                try:
                    line = lines.get(timeout=min(remaining, 0.5))
                except queue.Empty:
                    continue
                if line is None:
                    break
                log.append(line)
                del log[:-300]
                match = _CLI_STEP.match(line)
                if match and match.group(1) not in steps:
                    steps[match.group(1)] = match.group(2)
                    self._show(f"build: {match.group(2)[:80]}")
                elif line.startswith("#") and " ERROR" in line[:12]:
                    failed_step = steps.get(line[1:].split(" ", 1)[0], failed_step)
            proc.wait()
            finished = True
        finally:
            if not finished:
                _stop(proc)
        if proc.returncode == 0:
            return None
        own = [line for line in log if not line.startswith("#")]
        step_lines = [line.split(" ", 2)[-1] for line in log if failed_step and line.startswith("#") and
                      line[1:].split(" ", 1)[0] == next((k for k, v in steps.items() if v == failed_step), "")]
        detail = f"failed at {failed_step or 'the start of the build'}"
        detail += "".join(f"\n  {line}" for line in step_lines[-6:-1])
        return f"{detail}\n{(own or log or ['the docker CLI exited ' + str(proc.returncode)])[-1]}"

    def _show(self, description: str | None, line: str | None = None) -> None:
        progress = getattr(self, "progress", None)
        if progress is not None:
            progress(description, line)


def _stop(proc: subprocess.Popen) -> None:
    """Stop the docker CLI and its build: SIGTERM (it cancels the build on the engine), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
