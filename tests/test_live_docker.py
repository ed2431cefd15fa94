"""Live mode against a real Docker engine (marked ``docker``; skipped cleanly when there is none).

CI starts one with scripts/docker-engine.sh (no registry: the images are built FROM the local base
gpulint-test/python:bookworm, offline) and exports DOCKER_HOST. Nothing here mocks the engine: the
builds, containers, exit codes, health states and the clean-up are the engine's own. That engine
has no NVIDIA runtime, so the GPU steps must turn into clear skips while the build, the negative
case and the unhealthy HEALTHCHECK still run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

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


def leftovers() -> tuple[list, list]:
    label = {"label": LABEL}
    return CLIENT.containers.list(all=True, filters=label), CLIENT.images.list(all=True, filters=label)


@pytest.fixture(autouse=True)
def nothing_left_behind():
    yield
    containers, images = leftovers()
    assert not containers and not images, f"left behind: {containers} {images}"


def project(folder, smoke: str, healthcheck: str = "--interval=1s --timeout=10s --retries=1", extra: str = ""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "smoke_test.py").write_text(smoke)
    (folder / "Dockerfile").write_text(
        f"FROM {BASE} AS builder\n"
        "COPY smoke_test.py /build/smoke_test.py\n"
        f"{extra}"
        "\n"
        f"FROM {BASE} AS runtime\n"
        "COPY --from=builder /build/smoke_test.py /app/smoke_test.py\n"
        "USER 10001:10001\n"
        f"HEALTHCHECK {healthcheck} CMD [\"python3\", \"/app/smoke_test.py\"]\n"
        "CMD [\"python3\", \"-c\", \"import time; time.sleep(3600)\"]\n")
    return folder


REFERENCE_SMOKE = (REPO / "reference" / "smoke_test.py").read_text()


def steps(data: dict) -> dict:
    return {s["name"]: s for s in data["steps"]}


def test_reference_smoke_test_in_an_image(cli, tmp_path):
    folder = project(tmp_path / "app", REFERENCE_SMOKE)
    result = cli("live", folder, "--build-network", "none", "--format", "json", timeout=600)
    data = result.json()
    assert_contract(data)
    assert data["engine"] == "docker" and data["engine_info"]["reachable"]
    by = steps(data)
    assert list(by) == ["preflight", "build", "smoke.positive", "smoke.negative", "healthcheck.healthy",
                        "healthcheck.unhealthy", "cleanup"]
    assert by["build"]["status"] == "passed", by["build"]
    # No NVIDIA runtime on this engine (and no GPU here): the GPU steps are skipped, saying why.
    for name in ("smoke.positive", "healthcheck.healthy"):
        assert by[name]["status"] == "skipped" and by[name]["detail"].startswith("needs a GPU: ")
    if not data["engine_info"]["nvidia_runtime"]:
        assert "no NVIDIA runtime configured in Docker: install nvidia-container-toolkit" in \
            by["smoke.positive"]["detail"]
    negative = by["smoke.negative"]
    assert negative["status"] == "passed" and negative["exit_code"] == 2  # no nvidia-ml-py in this image
    assert negative["detail"].endswith("FAIL nvml: nvidia-ml-py not installed (No module named 'pynvml')")
    unhealthy = by["healthcheck.unhealthy"]
    assert unhealthy["status"] == "passed" and unhealthy["detail"].startswith("unhealthy")
    assert by["cleanup"]["status"] == "passed"
    assert result.returncode == 0


def test_a_smoke_test_that_ignores_the_gpu_fails(cli, tmp_path):
    folder = project(tmp_path / "app", "print('OK: python works')\n")
    result = cli("live", folder, "--build-network", "none", "--format", "json", timeout=600)
    by = steps(result.json())
    assert by["smoke.negative"]["status"] == "failed" and by["smoke.negative"]["exit_code"] == 0
    assert "not GPU-aware" in by["smoke.negative"]["detail"]
    assert by["healthcheck.unhealthy"]["status"] == "failed"
    assert "does not check the GPU" in by["healthcheck.unhealthy"]["detail"]
    assert result.returncode == 1


def test_build_failure_quotes_the_failing_step(cli, tmp_path):
    folder = project(tmp_path / "app", REFERENCE_SMOKE, extra="RUN echo compiling && exit 7\n")
    result = cli("live", folder, "--build-network", "none", timeout=600)
    assert result.returncode == 1
    assert "FAILED   build" in result.stdout
    assert "RUN echo compiling && exit 7" in result.stdout  # the failing step, quoted
    assert "returned a non-zero code: 7" in result.stdout
    assert "the image did not build" in result.stdout


def test_container_limits_and_a_gpu_request_on_an_engine_without_nvidia(tmp_path):
    """The real engine refuses a GPU request (`could not select device driver ""`): a clear skip."""
    import docker

    from gpulint.engine.run import run
    from gpulint.live.docker_engine import DockerRun
    from gpulint.live.model import LiveReport
    from gpulint.live.options import LiveOptions
    from gpulint.live.target import find_target

    folder = project(tmp_path / "app", REFERENCE_SMOKE)
    report = LiveReport("docker", run_id="testlimits01")
    live = DockerRun(find_target(run([folder])), LiveOptions(build_network="none", memory="256m", pids_limit=64),
                     report)
    try:
        assert live.preflight() and live.build()
        negative = live.run_smoke(gpu=False)
        assert negative.status == "passed" and negative.exit_code == 2
        attrs = CLIENT.api.inspect_container(live.containers[-1])
        host = attrs["HostConfig"]
        assert host["NetworkMode"] == "none"
        assert host["CapDrop"] == ["ALL"] and "no-new-privileges" in host["SecurityOpt"]
        assert host["Memory"] == 256 * 1024 * 1024 and host["PidsLimit"] == 64
        assert not host.get("Binds") and not attrs.get("Mounts")
        assert attrs["Config"]["User"] == "10001:10001"  # the image's own non-root user
        assert attrs["Config"]["Labels"][LABEL] == "testlimits01"
        if report.engine_info["nvidia_runtime"] or report.engine_info["cdi_devices"]:
            pytest.skip("this engine has an NVIDIA runtime")
        live.gpu_request = docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])  # ask anyway
        positive = live.run_smoke(gpu=True)
        assert positive.status == "skipped"
        assert "no NVIDIA runtime configured in Docker: install nvidia-container-toolkit" in positive.detail
        assert "could not select device driver" in positive.detail
    finally:
        step = live.cleanup()
    assert step.status == "passed", step.detail


@pytest.mark.parametrize("sig,phase", [(signal.SIGINT, "healthcheck"), (signal.SIGTERM, "build")],
                         ids=["ctrl-c-while-waiting-for-health", "sigterm-during-the-build"])
def test_an_interrupted_run_cleans_up(tmp_path, sig, phase):
    if phase == "healthcheck":  # a HEALTHCHECK that takes minutes to decide: interrupt while live mode waits
        folder = project(tmp_path / "app", REFERENCE_SMOKE,
                         healthcheck="--interval=60s --timeout=10s --start-period=120s --retries=3")
    else:  # a slow build step: interrupt while it runs
        folder = project(tmp_path / "app", REFERENCE_SMOKE, extra=f"RUN sleep 60 # {tmp_path.name}\n")
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gpulint", "live", str(folder), "--build-network", "none"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None:
            if phase == "healthcheck":
                busy = CLIENT.containers.list(filters={"label": "io.gpulint.role=healthcheck.unhealthy"})
            else:
                busy = CLIENT.containers.list()  # the build's container running `sleep 60`
            if busy:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"live mode never reached the {phase}: {proc.communicate(timeout=60)}")
        time.sleep(1)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2, (out, err)
    assert "gpulint: interrupted" in err and "Traceback" not in err
    assert not CLIENT.containers.list(all=True)  # not even the build's own containers
    assert not CLIENT.images.list(filters={"dangling": True})  # nor the layers the build made
