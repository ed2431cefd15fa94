"""Live mode with ``--engine host``: the real smoke test, run by this Python, with and without the GPUs.

Nothing is mocked: the GPU (or its absence) is whatever NVML finds on this machine. On a GPU-less
machine (CI) the positive case is skipped with its reason and the negative case must still fail the
reference smoke test; on a GPU machine (tests marked ``gpu``) the positive case must pass and the
negative one exit 3 (CUDA unavailable).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

STATUSES = {"passed", "failed", "skipped", "inconclusive"}


def _gpus() -> int:
    try:
        import pynvml
    except ImportError:
        return 0
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return 0
    try:
        return pynvml.nvmlDeviceGetCount()
    finally:
        pynvml.nvmlShutdown()


HAS_GPU = _gpus() > 0


def _torch_cuda() -> bool:
    try:
        import torch
    except Exception:  # noqa: BLE001
        return False
    return bool(torch.cuda.is_available())


def _steps(data: dict) -> dict:
    return {step["name"]: step for step in data["steps"]}


def assert_contract(data: dict) -> None:
    """The public --format json contract."""
    assert isinstance(data["engine"], str) and data["engine"] in ("docker", "host", "kubernetes")
    assert data["outcome"] in ("passed", "failed", "inconclusive", "no-gpu", "interrupted")
    assert data["exit_code"] in (0, 1, 3, 4, 130, 143) and isinstance(data["gpu_ran"], bool)
    assert data["passed"] is (data["outcome"] == "passed")
    for finding in data["findings"]:
        assert {"rule", "name", "severity", "path", "line", "column", "message", "fix", "evidence"} <= set(finding)
    assert isinstance(data["gpus"], list)
    for gpu in data["gpus"]:
        assert {"index", "name", "driver", "cuda_driver"} <= set(gpu)
    assert isinstance(data["steps"], list) and data["steps"]
    for step in data["steps"]:
        assert set(step) >= {"name", "status", "exit_code", "seconds", "detail"}
        assert step["status"] in STATUSES
        assert step["exit_code"] is None or isinstance(step["exit_code"], int)
        assert isinstance(step["seconds"], (int, float)) and step["seconds"] >= 0
        assert isinstance(step["detail"], str)
        if step["status"] == "skipped":
            assert step["detail"], f"a skipped step says why: {step}"


def write_project(folder, smoke: str, healthcheck: str = 'CMD ["python3", "/app/smoke_test.py"]'):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "smoke_test.py").write_text(smoke)
    (folder / "Dockerfile").write_text(
        "FROM python:3.11-slim AS builder\nRUN true\n"
        "FROM python:3.11-slim\nCOPY smoke_test.py /app/smoke_test.py\nUSER 10001\n"
        f"HEALTHCHECK --interval=1s --retries=1 {healthcheck}\n")
    return folder


@pytest.mark.skipif(HAS_GPU, reason="this machine has a GPU: test_host_reference_on_gpu covers it")
def test_host_reference_without_gpu(cli):
    result = cli("live", "reference", "--engine", "host", "--format", "json")
    data = result.json()
    assert_contract(data)
    assert data["engine"] == "host" and data["gpus"] == [] and data["gpu_problem"]
    steps = _steps(data)
    assert list(steps) == ["preflight", "smoke.positive", "reference.positive", "smoke.negative",
                           "reference.negative"]
    assert steps["smoke.positive"]["status"] == "skipped"
    assert steps["smoke.positive"]["detail"].startswith("needs a GPU: ")
    negative = steps["smoke.negative"]
    assert negative["status"] == "passed", negative
    assert negative["exit_code"] in (2, 3)  # NVML (no driver / no nvidia-ml-py) or CUDA unavailable
    assert "FAIL " in negative["detail"]  # the line the test printed
    assert steps["reference.negative"]["status"] == "passed"  # gpulint's reference agrees: no usable GPU
    assert data["findings"] == []
    assert result.returncode == 3  # no GPU step ran: not a pass


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_GPU, reason="needs an NVIDIA GPU (NVML finds none)")
@pytest.mark.skipif(not _torch_cuda(), reason="needs torch with CUDA in this Python")
def test_host_reference_on_gpu(cli):
    result = cli("live", "reference", "--engine", "host", "--format", "json", timeout=600)
    data = result.json()
    assert_contract(data)
    assert data["gpus"] and data["gpus"][0]["name"]
    steps = _steps(data)
    assert steps["smoke.positive"]["status"] == "passed" and steps["smoke.positive"]["exit_code"] == 0
    assert "OK compute" in steps["smoke.positive"]["detail"]
    assert steps["smoke.negative"]["status"] == "passed" and steps["smoke.negative"]["exit_code"] == 3
    assert "FAIL cuda" in steps["smoke.negative"]["detail"]
    assert steps["reference.positive"]["status"] == "passed" and steps["reference.positive"]["gpu"] is True
    assert steps["reference.negative"]["status"] == "passed" and data["findings"] == []
    assert data["gpu_ran"] is True and data["outcome"] == "passed"
    assert result.returncode == 0


def test_host_text_report(cli):
    result = cli("live", "reference", "--engine", "host")
    assert "gpulint live (host engine): smoke_test.py" in result.stdout
    assert "smoke.negative" in result.stdout and "live mode " in result.stdout


def test_not_gpu_aware_smoke_test_fails(cli, tmp_path):
    project = write_project(tmp_path / "p", "print('OK all good')\n")
    result = cli("live", project, "--engine", "host", "--format", "json")
    data = result.json()
    assert_contract(data)
    negative = _steps(data)["smoke.negative"]
    assert negative["status"] == "failed" and negative["exit_code"] == 0
    assert "not GPU-aware" in negative["detail"] and "OK all good" in negative["detail"]
    assert result.returncode == 1


def test_negative_reports_code_and_line(cli, tmp_path):
    project = write_project(tmp_path / "p", "import os, sys\nprint('starting')\n"
                            "if not os.environ.get('CUDA_VISIBLE_DEVICES', 'x'):\n"
                            "    print('FAIL cuda: no device'); sys.exit(3)\n")
    data = cli("live", project, "--engine", "host", "--format", "json").json()
    negative = _steps(data)["smoke.negative"]
    assert negative["status"] == "passed" and negative["exit_code"] == 3
    assert negative["detail"].endswith(": FAIL cuda: no device")


def test_smoke_override_and_timeout(cli, tmp_path):
    project = write_project(tmp_path / "p", "print('never run')\n")
    data = cli("live", project, "--engine", "host", "--smoke", "echo custom; exit 5", "--format", "json").json()
    negative = _steps(data)["smoke.negative"]
    assert negative["exit_code"] == 5 and negative["detail"].endswith(": custom")
    result = cli("live", project, "--engine", "host", "--smoke", "sleep 30", "--smoke-timeout", "1",
                 "--format", "json")
    negative = _steps(result.json())["smoke.negative"]
    assert negative["status"] == "inconclusive" and "timed out after 1 s" in negative["detail"]
    assert negative["seconds"] < 10
    assert result.returncode == 4  # inconclusive, never a pass


def test_nothing_to_run_is_a_usage_error(cli, tmp_path):
    (tmp_path / "k8s.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    result = cli("live", tmp_path, "--engine", "host")
    assert result.returncode == 2 and "no smoke test found" in result.stderr and "--smoke" in result.stderr
    result = cli("live", tmp_path)
    assert result.returncode == 2 and "no Dockerfile found" in result.stderr


def test_missing_extra_says_what_to_install(tmp_path):
    # The docker SDK made unimportable in this one process: live mode must say exactly what to install.
    code = ("import sys; sys.modules['docker'] = None\nfrom gpulint.cli import main\n"
            "sys.exit(main(['live', 'reference']))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "pip install 'gpulint[live]'" in proc.stderr and "Traceback" not in proc.stderr


def test_check_live_adds_the_live_report(cli):
    result = cli("check", "reference", "--live", "--engine", "host", "--format", "json")
    data = result.json()
    assert data["findings"] == [] or isinstance(data["findings"], list)
    assert_contract(data["live"])
    assert data["live"]["engine"] == "host"
    text = cli("check", "reference", "--live", "--engine", "host")
    assert "gpulint live (host engine)" in text.stdout


def test_check_without_live_has_no_live_key(cli):
    assert "live" not in cli("check", "reference", "--format", "json").json()


def test_grade_live_fills_the_live_criteria(cli):
    result = cli("grade", "reference", "--live", "--engine", "host", "--format", "json")
    assert result.returncode == 0, result.stderr
    criteria = {c["id"]: c for c in result.json()["criteria"]}
    negative = criteria["smoketest.negative"]
    assert negative["status"] == "passed" and negative["points"] == negative["max_points"]
    healthy = criteria["smoketest.healthy"]
    if HAS_GPU and _torch_cuda():
        assert healthy["status"] == "passed"
    elif not HAS_GPU:
        assert healthy["status"] == "skipped" and healthy["points"] == 0


def test_grade_without_live_skips_the_live_criteria(cli):
    criteria = {c["id"]: c for c in cli("grade", "reference", "--format", "json").json()["criteria"]}
    assert criteria["smoketest.healthy"]["status"] == "skipped"
    assert criteria["smoketest.negative"]["status"] == "skipped"


def test_grade_live_conflicts(cli, tmp_path):
    results = tmp_path / "live.json"
    results.write_text(json.dumps({"smoketest.healthy": True}))
    result = cli("grade", "reference", "--live", "--live-results", results)
    assert result.returncode == 2 and "--live-results" in result.stderr
    result = cli("grade", "reference", "--live", "--batch")
    assert result.returncode == 2 and "--batch" in result.stderr


def test_live_code_is_not_imported_without_live():
    code = ("from gpulint.cli import build_parser\nbuild_parser().parse_args(['check', '.', '--live'])\n"
            "import sys\nprint('\\n'.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    loaded = {line.split(".")[0] for line in out.splitlines()}
    assert not loaded & {"docker", "kubernetes", "pynvml", "rich", "requests"}


def test_grade_live_on_a_lab_answers_file(cli, tmp_path):
    """Inline artifacts (the answers file's smoke_test_py) are written out and run, never the answers file."""
    answers = REPO / "tests" / "adversarial" / "ok-json-answers" / "answers.json"
    if not answers.is_file():
        pytest.skip("the adversarial answers file is not here")
    result = cli("grade", answers, "--live", "--engine", "host", "--format", "json")
    criteria = {c["id"]: c for c in result.json()["criteria"]}
    assert criteria["smoketest.negative"]["status"] == "passed"
    assert "answers.json" not in result.stderr.split("smoke test:")[1].splitlines()[0]
