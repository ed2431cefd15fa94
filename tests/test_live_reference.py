"""gpulint's reference smoke test beside the project's, exit statuses, interrupts and grading from live
reports, with the host engine (no container engine, no GPU needed: on a GPU-less machine the GPU
steps are skipped and the runs without a GPU still decide).

Nothing is mocked: the reference and the project's tests run as real processes with this Python
(or the system's Python, which has no nvidia-ml-py, for an image-like environment without it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO
from test_live_host import HAS_GPU, assert_contract

REFERENCE = REPO / "reference" / "smoke_test.py"
SHIPPED = REPO / "gpulint" / "live" / "data" / "reference_smoke_test.py"


def steps(data: dict) -> dict:
    return {s["name"]: s for s in data["steps"]}


def smoke_project(folder, code: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "smoke_test.py").write_text(code)
    return folder


def test_the_shipped_reference_is_the_repository_reference():
    assert SHIPPED.read_bytes() == REFERENCE.read_bytes()


def test_the_reference_outcome_is_classified_from_its_own_output(tmp_path):
    from gpulint.live.reference import FAILS, MISSING, WORKS, classify, payload

    for name, content in payload().items():
        (tmp_path / name).write_bytes(content)
    runner = str(tmp_path / "run_reference.py")
    # This Python has nvidia-ml-py: without a driver NVML fails, a conclusive "no GPU".
    proc = subprocess.run([sys.executable, runner], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    outcome = classify(proc.returncode, proc.stdout, False)
    assert outcome.probe is not None and outcome.probe["modules"]["pynvml"] is True
    assert isinstance(outcome.devices, list)
    if HAS_GPU:
        assert outcome.kind in (FAILS, MISSING)  # CUDA hidden, or no torch here
    else:
        assert outcome.kind == FAILS and outcome.exit_code == 2 and outcome.said.startswith("FAIL nvml: ")
    # The system Python has no nvidia-ml-py: the reference cannot judge, and says why.
    system = shutil.which("python3", path="/usr/bin:/bin")
    if system is None or subprocess.run([system, "-c", "import pynvml"], capture_output=True).returncode == 0:
        pytest.skip("needs a system python3 without nvidia-ml-py")
    proc = subprocess.run([system, "-I", runner], capture_output=True, text=True, timeout=120)
    outcome = classify(proc.returncode, proc.stdout, False)
    assert outcome.kind == MISSING and "no nvidia-ml-py" in outcome.said
    assert outcome.probe["modules"] == {"pynvml": False, "torch": False}
    assert classify(0, "OK compute: fine\n", False).kind == WORKS
    assert classify(None, "", True).kind == "timeout"


@pytest.mark.skipif(HAS_GPU, reason="checks the GPU-less behaviour")
def test_a_smoke_test_that_always_exits_0_is_caught_by_the_reference(cli, tmp_path):
    project = smoke_project(tmp_path / "p", "print('OK: GPU ready')\n")
    result = cli("live", project, "--engine", "host", "--format", "json")
    data = result.json()
    assert_contract(data)
    by = steps(data)
    assert list(by) == ["preflight", "smoke.positive", "reference.positive", "smoke.negative", "reference.negative"]
    reference = by["reference.negative"]
    assert reference["status"] == "passed" and reference["exit_code"] == 2
    assert "FAIL nvml" in reference["detail"] and reference["condition"]["env"] == {"CUDA_VISIBLE_DEVICES": ""}
    (finding,) = data["findings"]
    assert finding["rule"] == "GL702" and finding["name"] == "smoke-test-lying"
    assert finding["criterion"] == "smoketest.negative" and finding["severity"] == "error"
    assert (finding["path"], finding["line"], finding["column"]) == ("smoke_test.py", 1, 1)
    assert finding["evidence"]["project"]["exit_code"] == 0
    assert finding["evidence"]["project"]["said"] == "OK: GPU ready"
    assert finding["evidence"]["reference"]["exit_code"] == 2
    assert finding["evidence"]["reference"]["outcome"] == "fails"
    assert data["outcome"] == "failed" and data["exit_code"] == 1 and result.returncode == 1
    text = cli("live", project, "--engine", "host")
    assert "GL702 smoke-test-lying" in text.stdout and "live mode FAILED" in text.stdout


@pytest.mark.skipif(HAS_GPU, reason="checks the GPU-less behaviour")
def test_no_gpu_is_exit_3_and_loud_and_require_gpu_fails(cli):
    result = cli("live", "reference", "--engine", "host")
    assert result.returncode == 3
    assert "!! NO GPU STEP RAN" in result.stdout and "NOT PROVEN (no GPU)" in result.stdout
    data = cli("live", "reference", "--engine", "host", "--format", "json").json()
    assert (data["outcome"], data["exit_code"], data["gpu_ran"], data["passed"]) == ("no-gpu", 3, False, False)
    assert data["findings"] == []
    required = cli("live", "reference", "--engine", "host", "--require-gpu", "--format", "json")
    assert required.returncode == 1
    by = steps(required.json())
    assert by["preflight"]["status"] == "failed" and "--require-gpu" in by["preflight"]["detail"]
    assert by["smoke.positive"]["status"] == "failed"
    assert required.json()["require_gpu"] is True


def test_a_timeout_is_inconclusive_never_a_pass(cli, tmp_path):
    project = smoke_project(tmp_path / "p", "import time\ntime.sleep(60)\n")
    result = cli("live", project, "--engine", "host", "--smoke-timeout", "2", "--format", "json")
    data = result.json()
    negative = steps(data)["smoke.negative"]
    assert negative["status"] == "inconclusive" and "not a pass" in negative["detail"]
    assert negative["exit_code"] is None and negative["seconds"] < 20
    if not HAS_GPU:
        assert data["outcome"] == "inconclusive" and result.returncode == 4


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["sigterm", "sigint"])
def test_an_interrupted_run_writes_its_partial_report(tmp_path, sig, code):
    marker = tmp_path / "started"
    project = smoke_project(tmp_path / "p", f"import pathlib, time\npathlib.Path({str(marker)!r}).touch()\n"
                                            "time.sleep(120)\n")
    out = tmp_path / "live.json"
    proc = subprocess.Popen([sys.executable, "-m", "gpulint", "live", str(project), "--engine", "host",
                             "--format", "json", "-o", str(out)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 60
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert marker.exists(), proc.communicate(timeout=30)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err and "partial report written" in err
    data = json.loads(out.read_text())
    assert data["interrupted"] is True and data["interrupted_by"] == ("SIGTERM" if code == 143 else "SIGINT")
    assert data["outcome"] == "interrupted" and data["exit_code"] == code
    assert steps(data)["preflight"]["status"] in ("passed", "failed")


def test_grade_reads_live_reports(cli, tmp_path):
    project = smoke_project(tmp_path / "lying", "print('OK')\n")
    report = tmp_path / "live.json"
    cli("live", project, "--engine", "host", "--format", "json", "-o", report)
    result = cli("grade", "reference", "--live-results", report, "--format", "json")
    assert result.returncode == 0, result.stderr
    criteria = {c["id"]: c for c in result.json()["criteria"]}
    negative = criteria["smoketest.negative"]
    assert negative["status"] == "failed" and negative["points"] == 0
    assert "GL702" in negative["feedback"]
    healthy = criteria["smoketest.healthy"]
    if not HAS_GPU:
        assert healthy["status"] == "skipped" and "live mode ran" in healthy["feedback"]
        assert "no step ran with a GPU" in healthy["feedback"]


def test_batch_grading_matches_live_reports_by_submission(cli, tmp_path):
    submissions = tmp_path / "subs"
    for name in ("alice", "bob"):
        shutil.copytree(REPO / "reference", submissions / name)
    reports = tmp_path / "live"
    reports.mkdir()
    honest = cli("live", "reference", "--engine", "host", "--format", "json", "--submission-id", "alice")
    (reports / "report-1.json").write_text(honest.stdout)
    lying = smoke_project(tmp_path / "lying", "print('OK')\n")
    (reports / "bob.json").write_text(cli("live", lying, "--engine", "host", "--format", "json").stdout)
    out = tmp_path / "grades"
    result = cli("grade", submissions, "--batch", "--live-results", reports, "-o", out, "--format", "json")
    assert result.returncode == 0, result.stderr
    alice = json.loads((out / "feedback" / "alice.json").read_text())
    bob = json.loads((out / "feedback" / "bob.json").read_text())
    status = {c["id"]: c["status"] for c in alice["criteria"]}
    assert status["smoketest.negative"] == "passed"
    assert {c["id"]: c["status"] for c in bob["criteria"]}["smoketest.negative"] == "failed"
    # A report that matches no submission, and a file that is not a live report: errors, nothing guessed.
    (reports / "carol.json").write_text(honest.stdout.replace('"submission": "alice"', '"submission": "carol"'))
    result = cli("grade", submissions, "--batch", "--live-results", reports, "-o", out)
    assert result.returncode == 2 and "carol.json: matches no submission" in result.stderr
    (reports / "carol.json").write_text(json.dumps({"smoketest.healthy": True}))
    result = cli("grade", submissions, "--batch", "--live-results", reports, "-o", out)
    assert result.returncode == 2 and "carol.json: not a live report" in result.stderr
    (reports / "carol.json").unlink()
    (reports / "alice.json").write_text(honest.stdout)
    result = cli("grade", submissions, "--batch", "--live-results", reports, "-o", out)
    assert result.returncode == 2 and "a second report for alice" in result.stderr
    result = cli("grade", submissions, "--batch", "--live-results", reports / "bob.json", "-o", out)
    assert result.returncode == 2 and "takes a folder of live reports" in result.stderr


@pytest.mark.skipif(HAS_GPU, reason="checks the GPU-less behaviour")
def test_grade_live_without_gpu_says_live_mode_ran(cli):
    result = cli("grade", "reference", "--live", "--engine", "host", "--format", "json")
    assert result.returncode == 0, result.stderr
    healthy = {c["id"]: c for c in result.json()["criteria"]}["smoketest.healthy"]
    assert healthy["status"] == "skipped" and "was not run" not in healthy["feedback"]
    assert "live mode ran" in healthy["feedback"]
    text = cli("grade", "reference", "--live", "--engine", "host")
    assert "live mode ran but could not decide" in text.stdout


@pytest.mark.parametrize("beside", [True, False])
def test_the_build_context_honours_the_ignore_file_buildkit_reads(tmp_path, beside):
    """`Dockerfile.gpu.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`,
    as in BuildKit (and in GL112's reading of the context)."""
    import tarfile

    pytest.importorskip("docker")
    from gpulint.live.docker_build import context_tar

    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile.gpu").write_text("FROM scratch\nCOPY . /\n")
    for name in ("secret.key", "keep.py", "notes.md"):
        (tmp_path / name).write_text(name)
    (tmp_path / ".dockerignore").write_text("# the context's own\nnotes.md\n")
    if beside:
        (tmp_path / "docker" / "Dockerfile.gpu.dockerignore").write_text("*.key\n")
    with tarfile.open(fileobj=context_tar(str(tmp_path), "docker/Dockerfile.gpu")) as tar:
        names = tar.getnames()
    assert names[0] == "docker/Dockerfile.gpu"
    assert "keep.py" in names
    assert ("secret.key" in names) is not beside and ("notes.md" in names) is beside
