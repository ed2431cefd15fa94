"""Live mode against a real Docker engine (marked ``docker``; skipped cleanly when there is none).

CI starts one with scripts/docker-engine.sh (no registry: the images are built FROM the local base
gpulint-test/python:bookworm, offline) and exports DOCKER_HOST. Nothing here mocks the engine: the
builds, device requests and their refusals, containers, exit codes, health states and the clean-up
are the engine's own. That engine has no NVIDIA runtime, so it refuses every GPU request: the GPU
steps must turn into clear skips (exit 3) or failures under --require-gpu, while the build, the
negative runs and the unhealthy HEALTHCHECK still decide. The test images carry the real
nvidia-ml-py module (copied from this environment), so gpulint's reference smoke test reaches a
verdict in them: NVML finds no driver, because no GPU was attached.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO
from test_live_host import assert_contract

BASE = "gpulint-test/python:bookworm"
LABEL = "io.gpulint.run"


def _engine():
    if os.environ.get("GPULINT_NO_DOCKER"):  # CI tried to start an engine and says why it could not
        return None, os.environ["GPULINT_NO_DOCKER"]
    try:
        import docker
    except ImportError:
        return None, "the docker SDK is not installed (pip install 'gpulint[live]')"
    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except docker.errors.DockerException as error:
        return None, f"no Docker engine reachable ({str(error).splitlines()[0][:120]})"
    try:
        client.images.get(BASE)
    except docker.errors.DockerException:
        return None, f"the base image {BASE} is missing (scripts/docker-engine.sh start makes it)"
    return client, None


CLIENT, WHY = _engine()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(CLIENT is None, reason=f"needs a Docker engine: {WHY}")]
REFERENCE_SMOKE = (REPO / "reference" / "smoke_test.py").read_text()


def leftovers() -> tuple[list, list]:
    label = {"label": LABEL}
    return CLIENT.containers.list(all=True, filters=label), CLIENT.images.list(all=True, filters=label)


@pytest.fixture(autouse=True)
def nothing_left_behind():
    yield
    containers, images = leftovers()
    assert not containers and not images, f"left behind: {containers} {images}"


def project(folder, smoke: str, healthcheck: str = "--interval=1s --timeout=10s --retries=1",
            extra: str = "", runtime_extra: str = "", health_cmd: str = '["python3", "/app/smoke_test.py"]'):
    """A two-stage project FROM the local base, with the real nvidia-ml-py module in its runtime image."""
    import pynvml

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "smoke_test.py").write_text(smoke)
    shutil.copy(pynvml.__file__, folder / "pynvml.py")
    (folder / "Dockerfile").write_text(
        f"FROM {BASE} AS builder\n"
        "COPY smoke_test.py /build/smoke_test.py\n"
        f"{extra}"
        "\n"
        f"FROM {BASE} AS runtime\n"
        "COPY pynvml.py /usr/lib/python3/dist-packages/pynvml.py\n"
        "COPY --from=builder /build/smoke_test.py /app/smoke_test.py\n"
        f"{runtime_extra}"
        "USER 10001:10001\n"
        f"HEALTHCHECK {healthcheck} CMD {health_cmd}\n"
        "CMD [\"python3\", \"-c\", \"import time; time.sleep(3600)\"]\n")
    return folder


def steps(data: dict) -> dict:
    return {s["name"]: s for s in data["steps"]}


NEGATIVES = ("smoke.negative", "smoke.negative.nvidia-void", "smoke.negative.cuda-hidden")


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    """The reference smoke test as the project's own: one full run, shared by the checks below."""
    folder = project(tmp_path_factory.mktemp("honest") / "app", REFERENCE_SMOKE)
    proc = subprocess.run([sys.executable, "-m", "gpulint", "live", str(folder), "--format", "json"], cwd=REPO,
                          capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_every_run_and_its_reference_twin(honest):
    code, data = honest
    assert_contract(data)
    assert data["engine"] == "docker" and data["engine_info"]["reachable"]
    by = steps(data)
    assert list(by) == ["preflight", "build", "smoke.positive", "reference.positive", "smoke.negative",
                        "reference.negative", "smoke.negative.nvidia-void", "reference.negative.nvidia-void",
                        "smoke.negative.cuda-hidden", "reference.negative.cuda-hidden", "healthcheck.healthy",
                        "healthcheck.unhealthy", "cleanup"]
    assert by["build"]["status"] == "passed" and "builder: BuildKit (Engine API)" in by["build"]["detail"]
    assert "RUN steps' network: none" in by["build"]["detail"]
    assert data["engine_info"]["builder"] == "BuildKit (Engine API)"
    for name in NEGATIVES:  # no device reached the container, and both tests said so
        assert by[name]["status"] == "passed" and by[name]["exit_code"] == 2, by[name]
        assert by[name]["detail"].endswith("FAIL nvml: NVML Shared Library Not Found")
        reference = by["reference." + name.split(".", 1)[1]]
        assert reference["status"] == "passed" and reference["exit_code"] == 2
        assert reference["condition"]["devices"] == [] and reference["condition"]["gpu_requested"] is False
    assert by["smoke.negative"]["condition"]["env"] == {}
    assert by["smoke.negative.nvidia-void"]["condition"]["env"] == {"NVIDIA_VISIBLE_DEVICES": "void"}
    assert by["smoke.negative.cuda-hidden"]["condition"]["env"] == {"CUDA_VISIBLE_DEVICES": ""}
    assert "no GPU could be attached" in by["smoke.negative.cuda-hidden"]["detail"]
    unhealthy = by["healthcheck.unhealthy"]
    assert unhealthy["status"] == "passed" and unhealthy["detail"].startswith("unhealthy")
    assert by["cleanup"]["status"] == "passed"
    assert data["findings"] == []


def test_a_refused_device_request_is_a_clear_skip_and_exit_3(honest):
    code, data = honest
    by = steps(data)
    if data["gpu_ran"]:
        pytest.skip("this engine attached a GPU")
    for name in ("smoke.positive", "reference.positive", "healthcheck.healthy"):
        assert by[name]["status"] == "skipped" and by[name]["detail"].startswith("needs a GPU: "), by[name]
    # the engine's own words, for the request it was sent
    assert "the engine refused it (could not select device driver" in by["smoke.positive"]["detail"]
    assert data["engine_info"]["gpu_requests"] and not data["engine_info"]["nvidia_runtime"]
    assert (data["outcome"], data["exit_code"], code) == ("no-gpu", 3, 3)


def test_a_smoke_test_that_always_exits_0_is_caught_and_require_gpu_fails(cli, tmp_path):
    folder = project(tmp_path / "app", "print('OK: the GPU is fine')\n")
    result = cli("live", folder, "--require-gpu", "--format", "json", "-o", tmp_path / "live.json", timeout=900)
    data = json.loads((tmp_path / "live.json").read_text())
    by = steps(data)
    assert by["smoke.positive"]["status"] == "failed" and "--require-gpu: needs a GPU" in by["smoke.positive"]["detail"]
    assert by["healthcheck.healthy"]["status"] == "failed"
    assert sorted(f["evidence"]["project"]["exit_code"] for f in data["findings"]) == [0, 0, 0]
    assert {f["rule"] for f in data["findings"]} == {"GL702"}
    for finding in data["findings"]:
        assert (finding["path"], finding["line"]) == ("Dockerfile", 8)  # the HEALTHCHECK's command
        assert finding["evidence"]["reference"]["exit_code"] == 2
        assert finding["evidence"]["reference"]["devices"] == []
    assert by["healthcheck.unhealthy"]["status"] == "failed"
    assert result.returncode == 1 and data["exit_code"] == 1


def test_build_failure_quotes_the_failing_step(cli, tmp_path):
    folder = project(tmp_path / "app", REFERENCE_SMOKE, extra="RUN echo compiling && exit 7\n")
    result = cli("live", folder, timeout=600)
    assert result.returncode == 1
    assert "FAILED   build" in result.stdout
    assert "RUN echo compiling && exit 7" in result.stdout  # the failing step, quoted
    assert "exit code: 7" in result.stdout
    assert "the image did not build" in result.stdout


def _run(folder, **options):
    from gpulint.engine.run import run
    from gpulint.live.docker_engine import DockerRun
    from gpulint.live.model import LiveReport
    from gpulint.live.options import LiveOptions
    from gpulint.live.target import find_target

    report = LiveReport("docker", run_id=f"t{time.time_ns() % 10**11}")
    return DockerRun(find_target(run([folder])), LiveOptions(**options), report), report


def test_classic_builder_limits_and_negative_runs_without_a_device_request(tmp_path):
    from gpulint.live.model import SMOKE_NEGATIVE, SMOKE_POSITIVE

    folder = project(tmp_path / "app", REFERENCE_SMOKE)
    live, report = _run(folder, builder="classic", memory="256m", cpus=0.5, pids_limit=64)
    try:
        assert live.preflight() and live.build()
        assert "builder: classic (Engine API)" in report.steps[-1].detail
        live.run_pair(SMOKE_NEGATIVE)
        project_step, reference = report.steps[-2:]
        assert project_step.status == "passed" and reference.status == "passed"
        for cid in live.containers[-2:]:
            attrs = CLIENT.api.inspect_container(cid)
            host = attrs["HostConfig"]
            assert not host.get("DeviceRequests")  # no device request at all
            assert host["NetworkMode"] == "none"
            assert host["CapDrop"] == ["ALL"] and "no-new-privileges" in host["SecurityOpt"]
            assert host["Memory"] == 256 * 1024 * 1024 and host["PidsLimit"] == 64
            assert host["NanoCpus"] == 500_000_000
            assert not host.get("Binds") and not attrs.get("Mounts")
            assert attrs["Config"]["User"] == "10001:10001"  # the image's own non-root user
            assert attrs["Config"]["Labels"][LABEL] == report.run_id
        if not report.engine_info["gpu_requests"]:
            pytest.skip("no GPU request to make on this engine")
        live.run_pair(SMOKE_POSITIVE)  # the engine refuses the request: a skip in its own words
        positive = report.step(SMOKE_POSITIVE)
        assert positive.status == "skipped" and "could not select device driver" in positive.detail
    finally:
        step = live.cleanup()
    assert step.status == "passed", step.detail


FORK_100 = ("RUN python3 -c \"import subprocess; ps = [subprocess.Popen(['sleep', '2']) for _ in range(100)]; "
            "[p.wait() for p in ps]; print('forked 100')\"\n")


def test_the_build_runs_under_its_memory_cpu_and_process_limits(tmp_path):
    folder = project(tmp_path / "app", REFERENCE_SMOKE, extra=FORK_100)
    live, report = _run(folder, builder="classic", pids_limit=50, memory="512m")
    try:
        assert live.preflight()
        local = live.engine_raw.get("CgroupDriver") == "cgroupfs" and os.geteuid() == 0 and \
            report.engine_info["host"].startswith("unix://")
        if not local:
            pytest.skip("the build's cgroup needs a local engine with the cgroupfs driver, and root")
        assert not live.build()  # 100 processes under a limit of 50: the engine's own fork failure
        assert "Resource temporarily unavailable" in report.steps[-1].detail
    finally:
        live.cleanup()
    live, report = _run(folder, builder="classic", pids_limit=1024, memory="512m", cpus=1)
    try:
        assert live.preflight() and live.build(), report.steps[-1].detail
        assert "limits: memory 512m (no swap), 1 CPUs, 1024 processes, through the cgroup /gpulint-build-" in \
            report.steps[-1].detail
    finally:
        live.cleanup()
    live, report = _run(folder, pids_limit=1024)  # BuildKit: the report says whether the limits held
    try:
        assert live.preflight() and live.build(), report.steps[-1].detail
        detail = report.steps[-1].detail
        assert "through the cgroup" in detail or "stayed unused: the engine's BuildKit ignores" in detail
    finally:
        live.cleanup()
    assert not list(Path("/sys/fs/cgroup").glob(f"*/gpulint-build-{report.run_id}"))


def test_an_image_without_python_is_reported_as_such(tmp_path):
    from gpulint.live.model import SMOKE_NEGATIVE

    folder = project(tmp_path / "app", REFERENCE_SMOKE, health_cmd='["sh", "-c", "exit 1"]',
                     runtime_extra="USER root\nRUN rm -f /usr/bin/python3 /usr/bin/python3.11 /usr/bin/python\n")
    live, report = _run(folder)
    try:
        assert live.preflight() and live.build()
        live.run_pair(SMOKE_NEGATIVE)
        project_step, reference = report.steps[-2:]
        assert reference.status == "skipped" and "the image has no Python" in reference.detail
        assert reference.condition["devices"] == []  # looked for with the image's shell
        assert project_step.status == "passed" and project_step.exit_code == 1
        assert report.findings == []  # no verdict without the reference's
    finally:
        live.cleanup()


def test_a_hanging_healthcheck_is_inconclusive(tmp_path):
    folder = project(tmp_path / "app", REFERENCE_SMOKE, healthcheck="--interval=1s --timeout=1s --retries=1",
                     health_cmd='["python3", "-c", "import time; time.sleep(30)"]')
    live, report = _run(folder)
    try:
        assert live.preflight() and live.build()
        step = live.run_health(gpu=False)
        assert step.status == "inconclusive", step.detail
        assert "timed out" in step.detail and "not 'unhealthy as expected'" in step.detail
    finally:
        live.cleanup()


def _buildkit_cli():
    from gpulint.live.docker_build import find_buildkit_cli

    return find_buildkit_cli()


def test_buildkit_secret_mount(cli, tmp_path):
    secret = tmp_path / "token.txt"
    secret.write_text("s3cret-value")
    check = ('RUN --mount=type=secret,id=token,required=true test "$(cat /run/secrets/token)" = s3cret-value '
             '&& touch /build/secret-ok\nRUN --mount=type=cache,target=/cache touch /cache/used\n')
    folder = project(tmp_path / "app", REFERENCE_SMOKE, extra=check,
                     runtime_extra="COPY --from=builder /build/secret-ok /app/secret-ok\n")
    if _buildkit_cli() is None:
        result = cli("live", folder, "--secret", f"id=token,src={secret}", timeout=600)
        assert result.returncode == 1 and "need a BuildKit session" in result.stdout
        assert "docker-buildx" in result.stdout
        pytest.skip("no docker CLI with BuildKit on PATH (install docker-buildx)")
    live, report = _run(folder, secrets=[f"id=token,src={secret}"])
    try:
        assert live.preflight()
        assert live.build(), report.steps[-1].detail
        assert "BuildKit" in report.engine_info["builder"] and "CLI" in report.engine_info["builder"] or \
            "buildx" in report.engine_info["builder"]
        history = json.dumps(CLIENT.api.history(live.tag))
        assert "s3cret-value" not in history
        assert CLIENT.api.inspect_image(live.tag)["Config"]["Labels"][LABEL] == report.run_id
    finally:
        live.cleanup()
    # Without the secret the required mount fails the build (a step of its own, so no cache hides it).
    bare = project(tmp_path / "bare", REFERENCE_SMOKE, extra=check.replace("secret-ok", "secret-ok-2"))
    result = cli("live", bare, "--builder", "buildkit", timeout=600)
    assert result.returncode == 1 and "FAILED   build" in result.stdout and "secret" in result.stdout


def _signal_at(tmp_path, folder, sig, ready, extra=()):
    """Run gpulint live, send ``sig`` once ``ready()`` holds; (exit code, stderr, the partial report)."""
    out = tmp_path / "live.json"
    proc = subprocess.Popen([sys.executable, "-m", "gpulint", "live", str(folder), "--format", "json", "-o", str(out),
                             *extra], cwd=REPO, env={**os.environ, "NO_COLOR": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None and not ready():
            time.sleep(0.3)
        assert proc.poll() is None, proc.communicate(timeout=60)
        time.sleep(1)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err, json.loads(out.read_text())


def _running(role: str):
    return lambda: bool(CLIENT.containers.list(filters={"label": f"io.gpulint.role={role}"}))


def _process_running(marker: str):
    """A RUN step's process on this machine (the CI engine is local): BuildKit's are not containers."""
    def ready() -> bool:
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if marker.encode() in cmdline.read_bytes():
                    return True
            except OSError:
                continue
        return False
    return ready


@pytest.mark.parametrize("point", ["buildkit-build", "classic-build", "smoke-test", "healthcheck"])
def test_an_interrupt_leaves_nothing_and_writes_the_partial_report(tmp_path, point):
    extra: tuple = ()
    if point == "buildkit-build":  # BuildKit runs RUN steps outside the engine's containers
        folder = project(tmp_path / "app", REFERENCE_SMOKE, extra=f"RUN sleep 121 && echo {tmp_path.name}\n")
        ready, sig = _process_running(f"sleep 121 && echo {tmp_path.name}"), signal.SIGTERM
    elif point == "classic-build":
        folder = project(tmp_path / "app", REFERENCE_SMOKE, extra=f"RUN sleep 120 # {tmp_path.name}\n")
        ready, sig, extra = (lambda: bool(CLIENT.containers.list())), signal.SIGINT, ("--builder", "classic")
    elif point == "smoke-test":
        folder = project(tmp_path / "app", "import time\ntime.sleep(300)\n")
        ready, sig = _running("smoke.negative"), signal.SIGTERM
    else:  # a HEALTHCHECK that takes minutes to decide: interrupt while live mode waits
        folder = project(tmp_path / "app", REFERENCE_SMOKE,
                         healthcheck="--interval=60s --timeout=10s --start-period=120s --retries=3")
        ready, sig = _running("healthcheck.unhealthy"), signal.SIGINT
    code, err, data = _signal_at(tmp_path, folder, sig, ready, extra)
    assert code == (143 if sig == signal.SIGTERM else 130), err
    assert "Traceback" not in err and "partial report written" in err
    assert data["interrupted"] is True and data["outcome"] == "interrupted"
    by = steps(data)
    assert by["cleanup"]["status"] == "passed", by["cleanup"]
    if point.endswith("build"):
        assert "build" not in by or by["build"]["status"] != "passed"
    assert not CLIENT.containers.list(all=True)  # not even the build's own containers
    assert not CLIENT.images.list(filters={"dangling": True})  # nor the layers the build made
