"""A job whose `container:` gets the GPU (`options: --gpus all`) runs its test suite on the GPU,
inside that image: that is a GPU test of the image (GL202), as a `docker run --gpus` is."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.ci.commands import runs_tests
from gpulint.engine.run import run
from gpulint.project.config import Config

BUILD = """name: images
on:
  push:
    branches: [main]
jobs:
  gpu-image:
    runs-on: [self-hosted, gpu]
    steps:
      - uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          file: docker/gpu/Dockerfile
          push: true
          tags: acme/app:gpu-nightly
"""
NIGHTLY = """name: nightly
on:
  schedule:
    - cron: "0 2 * * *"
jobs:
  tests:
    runs-on: [self-hosted, gpu]
    container:
      image: acme/app:gpu-nightly
      options: {options}
    steps:
      - run: {command}
"""
DOCKERFILE = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir torch==2.3.0\n"


def _gl202(tmp_path: Path, options: str, command: str) -> list[str]:
    for name, text in {".github/workflows/images.yml": BUILD, "docker/gpu/Dockerfile": DOCKERFILE,
                       ".github/workflows/nightly.yml": NIGHTLY.format(options=options, command=command)}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".git").mkdir()
    result = run([tmp_path], config=Config(profile="production"))
    return [f.message for f in result.findings if f.rule == "GL202"]


@pytest.mark.parametrize("options", ["--gpus all", "--shm-size 16gb --gpus all", "--device nvidia.com/gpu=all",
                                     "--runtime nvidia"])
@pytest.mark.parametrize("command", ["make test", "python -m pytest -sv tests/", "pytest tests", "tox -e py311"])
def test_tests_in_a_gpu_container_are_a_gpu_test(tmp_path: Path, options: str, command: str) -> None:
    assert _gl202(tmp_path, f'"{options}"', command) == []


@pytest.mark.parametrize("options, command", [
    ('"--shm-size 16gb"', "make test"),  # the container gets no GPU
    ('"--gpus all"', "make quality"),  # a GPU container that runs no tests
])
def test_other_container_jobs_are_not(tmp_path: Path, options: str, command: str) -> None:
    assert len(_gl202(tmp_path, options, command)) == 1


@pytest.mark.parametrize("argv, expected", [
    (["pytest", "-x"], "pytest"),
    (["python3", "-m", "pytest"], "python -m pytest"),
    (["make", "-j4", "test_deepspeed"], "make test_deepspeed"),
    (["make", "VERBOSE=1", "tests"], "make tests"),
    (["make", "style"], None),
    (["python", "train.py"], None),
    (["/home/rapids/test_notebooks.py", "-i", "nb"], "test_notebooks.py"),
    (["python3", "ci/gpu_smoke.py"], "gpu_smoke.py"),
    (["bash", "scripts/run-tests.sh"], "run-tests.sh"),
    (["./hack/e2e-runner-lock.sh"], None),  # guards the tests, does not run them
    (["bash", "build-test-image.sh"], None),  # builds what the tests use
])
def test_runs_tests(argv: list[str], expected: str | None) -> None:
    assert runs_tests(argv) == expected


def test_a_container_given_the_gpu_by_nvidia_visible_devices_runs_its_tests_on_the_gpu(tmp_path: Path) -> None:
    """Only the NVIDIA runtime reads NVIDIA_VISIBLE_DEVICES: setting it in the job container
    relies on a runner whose Docker uses that runtime by default."""
    nightly = NIGHTLY.replace("      options: {options}\n", "      env:\n        NVIDIA_VISIBLE_DEVICES: {options}\n")
    for name, text in {".github/workflows/images.yml": BUILD, "docker/gpu/Dockerfile": DOCKERFILE,
                       ".github/workflows/nightly.yml": nightly.format(options="all", command="pytest tests")}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".git").mkdir()
    assert [f for f in run([tmp_path], config=Config(profile="production")).findings if f.rule == "GL202"] == []
    (tmp_path / ".github/workflows/nightly.yml").write_text(nightly.format(options="void", command="pytest tests"))
    assert len([f for f in run([tmp_path], config=Config(profile="production")).findings if f.rule == "GL202"]) == 1


def test_a_test_suite_in_a_repository_script_on_a_gpu_runner_is_seen(tmp_path: Path) -> None:
    """`bash ./ci/run.sh` on a GPU runner, whose function runs ctest: a test of the code on a GPU."""
    files = {".github/workflows/images.yml": BUILD, "docker/gpu/Dockerfile": DOCKERFILE,
             ".github/workflows/tests.yml": SUITE_ON_GPU_RUNNER.format(runner="[self-hosted, Linux, NVIDIA]")
             .replace("pytest tests/test_llm.py", "GG_BUILD_CUDA=1 bash ./ci/run.sh ./tmp/results"),
             "ci/run.sh": "#!/bin/bash\nset -e\nfunction gg_run_ctest {\n  (cd build && ctest -L main)\n}\n"
                          "gg_run_ctest\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".git").mkdir()
    found = [f for f in run([tmp_path], config=Config(profile="production")).findings if f.rule == "GL202"]
    assert [f.severity.value for f in found] == ["info"]
    assert "ctest (in ./ci/run.sh)" in found[0].message


SUITE_ON_GPU_RUNNER = """name: tests
on:
  push:
    branches: [main]
jobs:
  gpu_tests:
    runs-on: {runner}
    steps:
      - run: pytest tests/test_llm.py
"""


@pytest.mark.parametrize("runner, severity", [("gpu-t4", "info"), ("[self-hosted, a100]", "info"),
                                              ("ubuntu-latest", "warning")])
def test_suite_on_a_gpu_runner_makes_the_missing_image_test_advice(tmp_path: Path, runner: str,
                                                                   severity: str) -> None:
    for name, text in {".github/workflows/images.yml": BUILD, "docker/gpu/Dockerfile": DOCKERFILE,
                       ".github/workflows/tests.yml": SUITE_ON_GPU_RUNNER.format(runner=runner)}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".git").mkdir()
    found = [f for f in run([tmp_path], config=Config(profile="production")).findings if f.rule == "GL202"]
    assert [f.severity.value for f in found] == [severity]
    if severity == "info":
        assert "job 'gpu_tests'" in found[0].message
        assert [(r.path, r.line) for r in found[0].related] == [(".github/workflows/tests.yml", 9)]


@pytest.mark.parametrize("action, named", [
    ("mosaicml/ci-testing/.github/actions/pytest-gpu", True),
    ("acme/gpu-smoke-test", True),
    ("acme/gpu-build", False),
    ("./.github/actions/gpu-test", False),  # local actions are read, not named
    ("docker/build-push-action", False),
])
def test_gpu_test_action(action: str, named: bool) -> None:
    from gpulint.ci.commands import gpu_test_action

    assert gpu_test_action(action) is named


REMOTE_GPU_TESTS = """name: gpu tests
on:
  push:
    branches: [main]
jobs:
  gpu:
    runs-on: ubuntu-latest
    steps:
      - uses: mosaicml/ci-testing/.github/actions/pytest-gpu@0123456789abcdef0123456789abcdef01234567
        with:
          pytest_markers: gpu
          gpu_num: 2
"""


def test_remote_gpu_test_action_counts_and_needs_no_gpu_runner(tmp_path: Path) -> None:
    for name, text in {".github/workflows/images.yml": BUILD, "docker/gpu/Dockerfile": DOCKERFILE,
                       ".github/workflows/gpu.yml": REMOTE_GPU_TESTS}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".git").mkdir()
    rules = {f.rule for f in run([tmp_path], config=Config(profile="production")).findings
             if f.severity.value != "info"}
    assert not rules & {"GL202", "GL203"}
    # The same job running the GPU test itself needs a GPU runner: GL203 is there and judging.
    (tmp_path / ".github/workflows/gpu.yml").write_text(REMOTE_GPU_TESTS.replace(
        "      - uses: mosaicml/ci-testing/.github/actions/pytest-gpu@0123456789abcdef0123456789abcdef01234567\n"
        "        with:\n          pytest_markers: gpu\n          gpu_num: 2\n",
        "      - run: docker run --rm --gpus all acme/app:gpu-nightly python3 /app/smoke_test.py\n"))
    rules = {f.rule for f in run([tmp_path], config=Config(profile="production")).findings
             if f.severity.value != "info"}
    assert "GL203" in rules and "GL202" not in rules


def test_lab_counts_only_runs_of_the_image(tmp_path: Path) -> None:
    # The lab asks for the image's GPU check; a suite in some GPU container or a named action is not it.
    for name, text in {".github/workflows/images.yml": BUILD, "docker/gpu/Dockerfile": DOCKERFILE,
                       ".github/workflows/nightly.yml": NIGHTLY.format(options='"--gpus all"', command="make test"),
                       ".github/workflows/gpu.yml": REMOTE_GPU_TESTS}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".git").mkdir()
    lab = [f for f in run([tmp_path], config=Config(profile="lab")).findings if f.rule == "GL202"]
    assert [f.severity.value for f in lab] == ["error"]
