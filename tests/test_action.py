"""The GitHub Action: action.yml's contract, and its shell step run locally the way a runner runs
it, for each combination of inputs; one slow test installs it for real, `live` extra included."""

from __future__ import annotations

import itertools
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
_SHA = re.compile(r"^[0-9a-f]{40}$")


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def test_action_metadata():
    action = _action()
    assert action["name"] and action["description"]
    inputs = action["inputs"]
    assert set(inputs) == {"path", "config", "fail-on", "sarif-file", "annotations", "allow-empty", "python", "live",
                           "suggestions", "github-token"}
    assert inputs["suggestions"]["default"] == "false"
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert inputs["path"]["default"] == "."
    assert inputs["sarif-file"]["default"] == "gpulint.sarif"
    assert inputs["annotations"]["default"] == "true"
    assert inputs["allow-empty"]["default"] == "false"
    assert inputs["python"]["default"] == "python3"
    assert inputs["live"]["default"] == "false"
    assert all(spec.get("description") for spec in inputs.values())
    assert set(action["outputs"]) == {"findings", "errors", "sarif-file"}
    assert all("${{ steps." in spec["value"] for spec in action["outputs"].values())
    runs = action["runs"]
    assert runs["using"] == "composite"
    step_ids = {step.get("id") for step in runs["steps"]}
    for spec in action["outputs"].values():
        assert re.search(r"steps\.([\w-]+)\.", spec["value"]).group(1) in step_ids
    for step in runs["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            # Every input the step reads is a declared input, and every input is read.
            assert set(_INPUT.findall(json.dumps(step))) == set(inputs)
        # No action that sets up a Python for the job (it would change the job's later steps),
        # and any other action pinned by a full commit SHA.
        uses = step.get("uses")
        if uses:
            assert "setup-python" not in uses
            assert _SHA.match(uses.partition("@")[2]), uses


def test_gpulint_passes_its_own_pinning_rule_on_the_action(cli, tmp_path: Path):
    """The action's steps, as a workflow job, pass GL210 (third-party actions pinned by SHA) and
    GL208 (expression syntax); an unpinned step added to them is caught."""
    steps = _action()["runs"]["steps"]
    workflow = {"name": "action", "on": {"push": {"branches": ["main"]}}, "permissions": {"contents": "read"},
                "jobs": {"gpulint": {"runs-on": "ubuntu-latest", "steps": steps}}}
    folder = tmp_path / "repo/.github/workflows"
    folder.mkdir(parents=True)
    (folder / "action.yml").write_text(yaml.safe_dump(workflow, sort_keys=False))
    result = cli("check", tmp_path / "repo", "--select", "GL210,GL208", "--format", "json")
    assert result.returncode == 0 and result.json()["findings"] == []
    workflow["jobs"]["gpulint"]["steps"] = [{"uses": "some-owner/some-action@v1"}] + steps
    (folder / "action.yml").write_text(yaml.safe_dump(workflow, sort_keys=False))
    result = cli("check", tmp_path / "repo", "--select", "GL210", "--format", "json")
    assert [f["rule"] for f in result.json()["findings"]] == ["GL210"]


def _run_action(workspace: Path, tmp_path: Path, install: bool = False, **inputs: str):
    """Run the action's shell steps as a runner would: inputs rendered into env, runner files set.
    Returns (process, outputs, step summary, GITHUB_ENV and GITHUB_PATH contents)."""
    action = _action()
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()} | inputs
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    files = {name: tmp_path / name for name in ("github_output", "step_summary", "github_env", "github_path")}
    for path in files.values():
        path.write_text("")
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "GITHUB_ACTION_PATH": str(REPO), "GITHUB_WORKSPACE": str(workspace),
           "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(files["github_output"]),
           "GITHUB_STEP_SUMMARY": str(files["step_summary"]), "GITHUB_ENV": str(files["github_env"]),
           "GITHUB_PATH": str(files["github_path"]), "NO_COLOR": "1"}
    if install:
        env.pop("PYTHONPATH", None)
    else:
        env.update(GPULINT_ACTION_SKIP_INSTALL="1", GPULINT_PYTHON=sys.executable, PYTHONPATH=path)
    proc = None
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        step_env = {key: _INPUT.sub(lambda m: str(values[m.group(1)]), str(value))
                    for key, value in (step.get("env") or {}).items()}
        proc = subprocess.run(["bash", "-c", step["run"]], cwd=workspace, env={**env, **step_env},
                              capture_output=True, text=True, timeout=900)
    assert proc is not None
    outputs = dict(line.split("=", 1) for line in files["github_output"].read_text().splitlines() if "=" in line)
    touched = files["github_env"].read_text() + files["github_path"].read_text()
    return proc, outputs, files["step_summary"].read_text(), touched


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout: a service Dockerfile with a warning (GL105) and one with an error (GL102)."""
    root = tmp_path / "ws"
    (root / "svc").mkdir(parents=True)
    (root / "api").mkdir()
    (root / "docs").mkdir()
    (root / "docs/notes.md").write_text("nothing to lint\n")
    shutil.copy(REPO / "fixtures/GL105/fail/nvidia-smi.Dockerfile", root / "svc/Dockerfile")
    shutil.copy(REPO / "fixtures/GL102/fail/no-user.Dockerfile", root / "api/Dockerfile")
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    return root


COMBINATIONS = list(itertools.product(("svc", "api", "docs"), ("", "warning"), ("true", "false"),
                                      ("gpulint.sarif", ""), ("false", "true")))


@pytest.mark.parametrize(("path", "fail_on", "annotations", "sarif_file", "allow_empty"), COMBINATIONS,
                         ids=["-".join(c or "default" for c in combo) for combo in COMBINATIONS])
def test_each_input_combination(workspace: Path, tmp_path: Path, path: str, fail_on: str, annotations: str,
                                sarif_file: str, allow_empty: str):
    proc, outputs, summary, touched = _run_action(
        workspace, tmp_path, path=path, **{"fail-on": fail_on, "annotations": annotations,
                                           "sarif-file": sarif_file, "allow-empty": allow_empty})
    log = proc.stdout + proc.stderr
    assert touched == ""  # the job's environment and PATH are left alone
    assert not list((tmp_path / "runner-temp").glob("gpulint-*.json"))  # its scratch JSON is cleaned up
    if path == "docs" and allow_empty == "false":  # nothing to lint: a usage error, no outputs at all
        assert proc.returncode == 2, log
        assert "no artifact found in docs" in log and "::error title=gpulint::gpulint could not run" in log
        assert outputs == {} and not (workspace / "gpulint.sarif").exists()
        return
    errors = 1 if path == "api" else 0
    findings = 0 if path == "docs" else 1
    failing = errors or (fail_on == "warning" and findings)
    assert proc.returncode == (1 if failing else 0), log
    expected = {"findings": str(findings), "errors": str(errors)}
    if sarif_file:
        expected["sarif-file"] = sarif_file
        from test_reporters import _validate_sarif

        _validate_sarif(json.loads((workspace / sarif_file).read_text()))
    else:
        assert not (workspace / "gpulint.sarif").exists()
    assert outputs == expected
    annotated = re.findall(r"^::(error|warning) file=([^,]+),", proc.stdout, re.M)
    if annotations == "true" and findings:
        assert annotated == [("error" if errors else "warning", f"{path}/Dockerfile")]
    else:
        assert annotated == []
    assert summary.startswith("## gpulint")  # the step summary, annotations or not
    assert (f"{path}/Dockerfile:" in summary) == bool(findings)


@pytest.mark.parametrize("inputs, message", [
    ({"fail-on": "bogus"}, "invalid choice: 'bogus'"),
    ({"config": "missing.yaml"}, "config file not found: missing.yaml"),
    ({"annotations": "yes"}, "input annotations must be true or false, not 'yes'"),
    ({"live": "1"}, "input live must be true or false, not '1'"),
    ({"sarif-file": "out/r.sarif"}, "cannot write sarif output to out/r.sarif"),
])
def test_bad_inputs_fail_the_step_with_no_outputs(workspace: Path, tmp_path: Path, inputs: dict, message: str):
    proc, outputs, _, _ = _run_action(workspace, tmp_path, path="svc", **inputs)
    assert proc.returncode == 2
    assert message in proc.stdout + proc.stderr
    assert outputs == {}


def test_the_reference_passes(tmp_path: Path):
    workspace = tmp_path / "ws"
    shutil.copytree(REPO / "reference", workspace)
    (workspace / "out").mkdir()
    proc, outputs, summary, _ = _run_action(workspace, tmp_path, **{"sarif-file": "out/r.sarif"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs == {"findings": "0", "errors": "0", "sarif-file": "out/r.sarif"}
    assert "No findings." in summary


def test_live_runs_live_mode(workspace: Path, tmp_path: Path):
    # live: true runs live mode too; here it cannot prove the image (no engine, or a CUDA base
    # image that cannot be pulled), and an unproven image fails the step.
    proc, outputs, _, _ = _run_action(workspace, tmp_path, path="svc", annotations="false", live="true")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "gpulint live" in proc.stdout + proc.stderr
    assert outputs["findings"] == "1" and outputs["sarif-file"] == "gpulint.sarif"


@pytest.mark.slow
@pytest.mark.parametrize("live", ["false", "true"])
def test_the_action_installs_into_its_own_environment(workspace: Path, tmp_path: Path, live: str):
    """No testing hook: the step makes its virtual environment under RUNNER_TEMP with the `python`
    input and pip-installs the action's checkout (with the live extra for live: true)."""
    proc, outputs, _, touched = _run_action(workspace, tmp_path, install=True, path="svc", annotations="false",
                                            python=sys.executable, live=live)
    log = proc.stdout + proc.stderr
    if "could not install" in log:
        pytest.skip("the package index is not reachable: " + log[-300:])
    venv = tmp_path / "runner-temp/gpulint-venv"
    assert (venv / "bin/python").is_file()
    assert touched == ""
    from gpulint import __version__

    assert f"gpulint: gpulint {__version__} from {REPO}" in log
    where = subprocess.run([str(venv / "bin/python"), "-c", "import gpulint; print(gpulint.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert where.stdout.startswith(str(venv)), where
    live_extra = subprocess.run([str(venv / "bin/python"), "-c", "import docker, pynvml"], capture_output=True)
    assert (live_extra.returncode == 0) == (live == "true")
    if live == "false":
        assert proc.returncode == 0, log
        assert outputs == {"findings": "1", "errors": "0", "sarif-file": "gpulint.sarif"}
    else:
        assert proc.returncode == 1 and "gpulint live" in log  # installed and ran; the image is unproven here


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_script_is_valid_bash():
    assert subprocess.run(["bash", "-n", str(REPO / "scripts/action-run.sh")]).returncode == 0


def test_an_old_python_is_refused(workspace: Path, tmp_path: Path):
    fake = tmp_path / "python3.9"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    proc, outputs, _, _ = _run_action(workspace, tmp_path, install=True, path="svc", python=str(fake))
    assert proc.returncode == 2 and outputs == {}
    assert f"input python: '{fake}' is not a Python 3.11 or newer" in proc.stdout
