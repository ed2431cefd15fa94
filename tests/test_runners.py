"""GPU runner labels as teams write them (token-based), config labels, per-leg `if:`, profiles."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gpulint.project.config import Config
from gpulint.engine.run import run
from gpulint.ci.github.matrix import is_gpu_label, is_hosted_label


@pytest.mark.parametrize("label", ["gpu", "a100", "h100", "l4", "t4", "3090", "linux-a100", "gpu-h100-x8",
                                   "3090-r1", "5080-r1", "linux-a100-pr", "ci-gpu", "regression-test-gpu",
                                   "8xh100", "a100x8", "H100", "mi300x", "gaudi2", "l40s", "rtx4090",
                                   "linux.g5.4xlarge.nvidia.gpu", "cuda12", "ubuntu-t4", "a10g"])
def test_gpu_labels(label):
    assert is_gpu_label(label)


@pytest.mark.parametrize("label", ["self-hosted", "linux", "x64", "arm64", "linux-amd64-cpu4", "linux-l4t",
                                   "v2", "runner-2024", "cncf-ubuntu-16-64-x86", "graviton-test",
                                   "image-sync-inner", "ubuntu-latest", "large", "",
                                   # labels that say the machine has none
                                   "no-gpu", "nogpu", "non-gpu", "not-gpu", "without-gpu", "gpuless", "gpu-less"])
def test_not_gpu_labels(label):
    assert not is_gpu_label(label)


def test_config_labels():
    assert is_gpu_label("big-iron", ("Big-Iron",))
    assert not is_gpu_label("big-iron")


@pytest.mark.parametrize("label,hosted", [("ubuntu-latest", True), ("ubuntu-22.04", True), ("ubuntu-24.04-arm", True),
                                          ("windows-2022", True), ("macos-14", True), ("ubuntu-gpu-t4", False),
                                          ("ubuntu-t4", False)])
def test_hosted_labels(label, hosted):
    assert is_hosted_label(label) is hosted


def _workflow(tmp_path: Path, runs_on: str, extra: str = "", step_if: str = "") -> Path:
    lines = ["on:", "  push:", "    branches: [main]", "jobs:", "  gpu-test:", f"    runs-on: {runs_on}"]
    lines += ["    " + line for line in extra.splitlines()]
    lines += ["    steps:", "      - name: gpu"]
    if step_if:
        lines.append(f"        if: {step_if}")
    lines.append("        run: docker run --rm --gpus all app python3 /app/smoke_test.py")
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ci.yml").write_text("\n".join(lines) + "\n")
    return tmp_path


def _rules(tmp_path, profile=None, labels=()):
    config = Config(profile=profile, gpu_runner_labels=tuple(labels), select=("GL203", "GL204"))
    return sorted(f.rule for f in run([tmp_path], config=config).findings)


@pytest.mark.parametrize("runs_on", ["[self-hosted, linux-a100]", "[self-hosted, 3090-r1]", "[self-hosted, gpu-h100-x8]",
                                     "[self-hosted, l4]", "{group: a100-runners}", "{group: ci, labels: [t4]}"])
def test_team_labels_pass_in_lab(tmp_path, runs_on):
    assert _rules(_workflow(tmp_path, runs_on), "lab") == []


@pytest.mark.parametrize("runs_on", ["[self-hosted, linux]", "self-hosted", "ubuntu-latest", "[self-hosted, linux-l4t]",
                                     "[self-hosted, ubuntu-latest]"])
def test_non_gpu_labels_fail_in_lab(tmp_path, runs_on):
    assert _rules(_workflow(tmp_path, runs_on), "lab") == ["GL203"]


@pytest.mark.parametrize("runs_on, production", [
    ("ubuntu-latest", ["GL203"]),  # GitHub-hosted: certainly no GPU
    ("self-hosted", ["GL203"]),  # any self-hosted machine may take it
    ("[self-hosted, linux]", ["GL204"]),  # a team's own labels: cannot tell
    ("[self-hosted, linux-l4t]", ["GL204"]),
    ("[my-self-hosted-pool, x64]", ["GL204"]),
    ("[self-hosted, ubuntu-latest]", ["GL204"]),  # a hosted runner never carries self-hosted: a custom label
    ("[self-hosted, 2T4]", []),  # card names with a count
    ("[self-hosted, l4-x2]", []),
])
def test_unknown_labels_are_cannot_tell_in_production(tmp_path, runs_on, production):
    assert _rules(_workflow(tmp_path, runs_on), "production") == production


def test_gpu_label_without_self_hosted_lab_vs_production(tmp_path):
    root = _workflow(tmp_path, "linux-a100")
    assert _rules(root, "lab") == ["GL203"]
    assert _rules(root, "production") == []
    assert _rules(root) == ["GL203"]  # the library's default profile is lab


def test_config_gpu_runner_labels(tmp_path):
    root = _workflow(tmp_path, "[self-hosted, big-iron]")
    assert _rules(root, "lab") == ["GL203"]
    assert _rules(root, "lab", ["big-iron"]) == []


def test_matrix_leg_skipping_gpu_step_is_not_judged(tmp_path):
    extra = "strategy:\n  matrix:\n    hw: [ubuntu-22.04, [self-hosted, gpu]]"
    root = _workflow(tmp_path, "${{ matrix.hw }}", extra, "\"!contains(matrix.hw, 'ubuntu')\"")
    assert _rules(root, "lab") == []
    root = _workflow(tmp_path, "${{ matrix.hw }}", extra)
    assert _rules(root, "lab") == ["GL203"]


def test_input_without_default_is_unknown(tmp_path):
    text = textwrap.dedent("""\
        on:
          workflow_dispatch:
            inputs:
              runner: {type: string}
        jobs:
          t:
            runs-on: ${{ inputs.runner }}
            steps:
              - run: docker run --rm --gpus all app python3 /app/smoke_test.py
        """)
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(text)
    findings = run([tmp_path], config=Config(select=("GL203", "GL204"))).findings
    assert [f.rule for f in findings] == ["GL204"]
    (folder / "ci.yml").write_text(text.replace("{type: string}", "{type: string, default: gpu-a100}")
                                   .replace("${{ inputs.runner }}", "[self-hosted, '${{ inputs.runner }}']"))
    assert run([tmp_path], config=Config(select=("GL203", "GL204"))).findings == []
