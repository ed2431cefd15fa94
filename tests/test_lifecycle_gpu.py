"""GL501-GL514: the lifecycle rules that ask the same GPU question of several artifacts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.ci.expected_failure import FAILS, IGNORED, REQUIRED, failure_expected
from gpulint.ci.github.adapter import normal_expressions
from gpulint.ci.images import image_form, same_image
from gpulint.project.lifecycle import scripts_run, starts_python


def image_forms(text: str, env: dict) -> tuple:
    """A GitHub step's image reference, as the GitHub adapter reads it."""
    return image_form(normal_expressions(text), env)
from gpulint.syntax.python import parse_python
from gpulint.artifacts.smoketest import analyse
from gpulint.core.source import Source

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"


def _rules(path: Path) -> set[str]:
    return {f.rule for f in run([path]).findings if not f.suppressed}


def _copy(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None, drop: tuple[str, ...] = ()) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(REFERENCE, dest)
    for rel in drop:
        target = dest / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    for rel, (old, new) in (edits or {}).items():
        text = (dest / rel).read_text()
        assert old in text
        (dest / rel).write_text(text.replace(old, new))
    return dest


def test_reference_has_no_lifecycle_finding():
    assert not {r for r in _rules(REFERENCE) if r.startswith("GL5")}


@pytest.mark.parametrize("text, expected", [
    ("if docker run a; then exit 1; fi", REQUIRED),
    ("if ! docker run a; then echo ok; else exit 1; fi", REQUIRED),
    ("docker run a && exit 1", REQUIRED),
    ("docker run a || rc=$?\n[ \"$rc\" -eq 3 ]", REQUIRED),
    ("! docker run a", REQUIRED),
    ("! docker run a\necho done", IGNORED),
    ("docker run a || true", IGNORED),
    ("if docker run a; then echo passed; fi", IGNORED),
    ("docker run a\necho next", FAILS),
    ("docker run a || exit 1", FAILS),
])
def test_failure_expected(text, expected):
    start = text.index("docker")
    end = text.index(" a", start) + 2
    assert failure_expected(text, start, end, errexit=True)[0] == expected


def test_image_matching():
    env = {"IMAGE": "ghcr.io/acme/app"}
    built = image_forms("$IMAGE:${{ github.sha }}", env)
    assert same_image(image_forms("${IMAGE,,}:${{github.sha}}", env), built)
    assert same_image(image_forms("${{ env.IMAGE }}:${{ github.sha }}", env), built)
    assert same_image(image_forms("ghcr.io/acme/app:latest", env), built) is False
    assert same_image(image_forms("$OTHER:latest", env), built) is None  # unknown: no claim


def test_scripts_run_follows_shells_and_interpreters():
    assert [s.path for s in scripts_run(["sh", "-c", "nvidia-smi && python3 -u /app/smoke_test.py"])] == \
        ["/app/smoke_test.py"]
    assert [s.path for s in scripts_run(shell="./check.sh || exit 1")] == ["./check.sh"]
    assert scripts_run(["python3", "-c", "import torch"]) == []
    assert starts_python(["bash", "-c", "python3 -c 'import torch'"])
    assert not starts_python(["cat", "/tmp/ready"])


def test_smoke_analysis_of_reference():
    script = parse_python(Source((REFERENCE / "smoke_test.py").read_text(), "smoke_test.py"))
    result = analyse(script)
    assert result.nvml_init and result.availability and result.round_trip
    assert {2, 3, 4} <= result.exit_codes and not result.swallowing


def test_print_does_not_count_as_round_trip():
    code = "import sys, torch\nx = torch.ones(2, device='cuda')\nprint(x.cpu() == 1)\nsys.exit(0)\n"
    assert not analyse(parse_python(Source(code, "smoke_test.py"))).round_trip


def test_bare_except_catching_system_exit_is_reported(tmp_path):
    project = _copy(tmp_path, {"smoke_test.py": ("    sys.exit(main())",
                                                 "    try:\n        sys.exit(main())\n    except:\n        pass")})
    assert "GL509" in _rules(project)


def test_cross_artifact_rules_need_both_artifacts(tmp_path):
    # Without the Dockerfile, the probe/CI/smoke-test comparisons have nothing to compare to.
    project = _copy(tmp_path, {"k8s/deployment.yaml": ('command: ["python3", "/app/smoke_test.py"]',
                                                       'command: ["nvidia-smi"]')}, drop=("Dockerfile",))
    found = _rules(project)
    assert not found & {"GL502", "GL503", "GL505", "GL506", "GL507", "GL512", "GL513"}


def test_probe_differs_only_with_dockerfile(tmp_path):
    project = _copy(tmp_path, {"k8s/deployment.yaml": (
        '          livenessProbe:\n            exec:\n              command: ["python3", "/app/smoke_test.py"]',
        '          livenessProbe:\n            exec:\n              command: ["nvidia-smi"]')})
    assert "GL503" in _rules(project)


def test_missing_negative_case_is_a_warning(tmp_path):
    project = _copy(tmp_path, {".github/workflows/gpu-ci.yml": (
        "CUDA_VISIBLE_DEVICES=''", "NOT_CUDA=''")})
    findings = [f for f in run([project]).findings if f.rule == "GL506"]
    assert findings and findings[0].severity.value == "warning"


def test_negative_run_that_fails_the_step_is_an_error(tmp_path):
    fixture = ROOT / "fixtures" / "GL506" / "fail" / "plain-fails-step"
    findings = [f for f in run([fixture]).findings if f.rule == "GL506"]
    assert findings and findings[0].severity.value == "error"


def test_odd_input_does_not_crash(tmp_path):
    project = _copy(tmp_path, {"k8s/deployment.yaml": ('command: ["python3", "/app/smoke_test.py"]',
                                                       "command: [1, null, {a: b}]")})
    (project / "smoke_test.py").write_text("def (:\n")
    run([project])
