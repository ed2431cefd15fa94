"""The GitHub Action: action.yml's contract, and its shell step run locally the way a runner runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

ACTION = REPO / "action.yml"
_INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def test_action_metadata():
    action = _action()
    assert action["name"] and action["description"]
    inputs = action["inputs"]
    assert set(inputs) == {"path", "config", "fail-on", "sarif-file", "annotations", "python-version", "live",
                           "suggestions", "github-token"}
    assert inputs["suggestions"]["default"] == "false"
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert inputs["path"]["default"] == "."
    assert inputs["sarif-file"]["default"] == "gpulint.sarif"
    assert inputs["annotations"]["default"] == "true"
    assert inputs["python-version"]["default"] == "3.11"
    assert inputs["live"]["default"] == "false"
    assert all(spec.get("description") for spec in inputs.values())
    assert set(action["outputs"]) == {"findings", "errors", "sarif-file"}
    assert all("${{ steps." in spec["value"] for spec in action["outputs"].values())
    runs = action["runs"]
    assert runs["using"] == "composite"
    setup = next(step for step in runs["steps"] if "uses" in step)
    assert setup["uses"] == "actions/setup-python@v5" and "python-version" in setup["if"]
    step_ids = {step.get("id") for step in runs["steps"]}
    for spec in action["outputs"].values():
        assert re.search(r"steps\.([\w-]+)\.", spec["value"]).group(1) in step_ids
    for step in runs["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            # Every input the step reads is a declared input.
            assert set(_INPUT.findall(json.dumps(step))) <= set(inputs)


def _run_action(workspace: Path, tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """Run the action's shell steps as a runner would: inputs rendered into env, runner files set."""
    action = _action()
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()} | inputs
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("")
    summary.write_text("")
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "GITHUB_ACTION_PATH": str(REPO), "GITHUB_WORKSPACE": str(workspace),
           "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "GPULINT_ACTION_SKIP_INSTALL": "1", "GPULINT_PYTHON": sys.executable, "PYTHONPATH": path,
           "NO_COLOR": "1"}
    proc = None
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue  # `uses:` steps (setup-python) are the runner's business
        step_env = {key: _INPUT.sub(lambda m: str(values[m.group(1)]), str(value))
                    for key, value in (step.get("env") or {}).items()}
        proc = subprocess.run(["bash", "-c", step["run"]], cwd=workspace, env={**env, **step_env},
                              capture_output=True, text=True, timeout=120)
    assert proc is not None
    return proc, output, summary


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_action_fails_on_a_failing_dockerfile(tmp_path: Path):
    from test_reporters import _validate_sarif

    workspace = tmp_path / "ws"
    workspace.mkdir()
    shutil.copy(REPO / "fixtures/GL102/fail/no-user.Dockerfile", workspace / "Dockerfile")
    proc, output, summary = _run_action(workspace, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _outputs(output) == {"findings": "1", "errors": "1", "sarif-file": "gpulint.sarif"}
    assert re.search(r"^::error file=Dockerfile,line=4,col=1,.*title=GL102 dockerfile-nonroot::", proc.stdout, re.M)
    sarif = workspace / "gpulint.sarif"
    assert sarif.is_file()
    _validate_sarif(json.loads(sarif.read_text()))
    text = summary.read_text()
    assert "| Location | Severity | Rule | Message |" in text and "GL102" in text
    assert not list((tmp_path / "runner-temp").glob("*.json"))  # the JSON it counted from is cleaned up


def test_action_passes_on_the_reference(tmp_path: Path):
    workspace = tmp_path / "ws"
    shutil.copytree(REPO / "reference", workspace)
    proc, output, summary = _run_action(workspace, tmp_path, **{"sarif-file": "out/r.sarif"})
    assert proc.returncode == 2  # the SARIF folder does not exist: a usage error fails the step
    (workspace / "out").mkdir()
    proc, output, summary = _run_action(workspace, tmp_path, **{"sarif-file": "out/r.sarif"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _outputs(output) == {"findings": "0", "errors": "0", "sarif-file": "out/r.sarif"}
    assert (workspace / "out/r.sarif").is_file()
    assert "No findings." in summary.read_text()


def test_action_inputs(tmp_path: Path):
    workspace = tmp_path / "ws"
    (workspace / "svc").mkdir(parents=True)
    shutil.copy(REPO / "fixtures/GL105/fail/nvidia-smi.Dockerfile", workspace / "svc" / "Dockerfile")
    proc, output, _ = _run_action(workspace, tmp_path, path="svc", annotations="false")
    assert proc.returncode == 0  # a warning only, below the default fail-on
    assert "::warning" not in proc.stdout  # annotations off
    assert _outputs(output)["findings"] == "1" and _outputs(output)["errors"] == "0"
    # live: true runs live mode too; here it cannot prove the image (no engine, or a CUDA base
    # image that cannot be pulled), and an unproven image fails the step.
    proc, _, _ = _run_action(workspace, tmp_path, path="svc", annotations="false", live="true")
    assert proc.returncode == 1
    proc, _, summary = _run_action(workspace, tmp_path, path="svc", **{"fail-on": "warning"})
    assert proc.returncode == 1
    assert "::warning file=svc/Dockerfile," in proc.stdout  # the annotation lands on the repo's file
    assert "svc/Dockerfile:" in summary.read_text()
    proc, _, _ = _run_action(workspace, tmp_path, path="svc", **{"fail-on": "bogus"})
    assert proc.returncode == 2
    proc, _, _ = _run_action(workspace, tmp_path, path="svc", config="missing.yaml")
    assert proc.returncode == 2


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_script_is_valid_bash():
    assert subprocess.run(["bash", "-n", str(REPO / "scripts/action-run.sh")]).returncode == 0
