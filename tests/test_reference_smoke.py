"""Checks of the lab's reference solution under reference/.

The smoke test is run for real on this (GPU-less) machine; the YAML artifacts are parsed and,
where the `kubernetes` client is importable, the Deployment is checked against its API models.
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REF = Path(__file__).resolve().parents[1] / "reference"
SMOKE = REF / "smoke_test.py"
DEPLOYMENT = REF / "k8s" / "deployment.yaml"
ROLLOUT = REF / "rollout.yaml"
WORKFLOW = REF / ".github" / "workflows" / "gpu-ci.yml"
SMOKE_CMD = ["python3", "/app/smoke_test.py"]


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


# --- smoke_test.py ------------------------------------------------------------------------

def test_smoke_test_fails_without_gpu() -> None:
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, str(SMOKE)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode in {2, 3}, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stdout.splitlines()
    assert lines, "smoke test printed nothing"
    assert all(line.startswith(("OK", "FAIL")) for line in lines), lines
    assert lines[-1].startswith("FAIL"), lines
    assert proc.stderr == "", proc.stderr  # failures are reported, not raised as tracebacks


def test_smoke_test_exit_codes_and_no_bare_except() -> None:
    tree = ast.parse(SMOKE.read_text())
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    assert {constants.get(n) for n in ("EXIT_NVML", "EXIT_CUDA", "EXIT_COMPUTE")} == {2, 3, 4}
    handlers = [n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)]
    assert handlers, "expected explicit exception handling"
    for handler in handlers:
        assert handler.type is not None, f"bare except: at line {handler.lineno}"
        names = {n.id if isinstance(n, ast.Name) else getattr(n, "attr", "")
                 for n in ast.walk(handler.type)}
        assert not names & {"Exception", "BaseException"}, f"over-broad except at line {handler.lineno}"
    src = SMOKE.read_text()
    for needle in ("nvmlInit", "nvmlShutdown", "finally", "torch.cuda.is_available",
                   "torch.cuda.synchronize", ".cpu()", "torch.allclose"):
        assert needle in src, needle


# --- YAML artifacts -----------------------------------------------------------------------

@pytest.mark.parametrize("path", [DEPLOYMENT, ROLLOUT, WORKFLOW], ids=lambda p: p.name)
def test_yaml_loads(path: Path) -> None:
    load(path)


def _container(dep: dict) -> dict:
    (container,) = dep["spec"]["template"]["spec"]["containers"]
    return container


def test_deployment_gpu_rollout_and_probes() -> None:
    dep = load(DEPLOYMENT)
    assert (dep["apiVersion"], dep["kind"]) == ("apps/v1", "Deployment")
    spec = dep["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    c = _container(dep)
    assert re.fullmatch(r"ghcr\.io/[^:@]+:[0-9a-f]{40}", c["image"]), c["image"]
    assert str(c["resources"]["limits"]["nvidia.com/gpu"]) == "1"
    probes = {k: c[k] for k in ("startupProbe", "readinessProbe", "livenessProbe")}
    for name, probe in probes.items():
        assert probe["exec"]["command"] == SMOKE_CMD, name
    ready, live = probes["readinessProbe"], probes["livenessProbe"]
    assert (live["failureThreshold"] * live["periodSeconds"]
            > ready["failureThreshold"] * ready["periodSeconds"])
    assert c["securityContext"]["allowPrivilegeEscalation"] is False


def _same_keys(original: object, roundtrip: object, where: str = "") -> None:
    """Every key in the manifest must survive a trip through the typed API model."""
    if isinstance(original, dict):
        assert isinstance(roundtrip, dict), where
        missing = set(original) - set(roundtrip)
        assert not missing, f"unknown or misspelled key(s) {sorted(missing)} at {where or '/'}"
        for key, value in original.items():
            _same_keys(value, roundtrip[key], f"{where}/{key}")
    elif isinstance(original, list):
        assert isinstance(roundtrip, list) and len(original) == len(roundtrip), where
        for i, (a, b) in enumerate(zip(original, roundtrip)):
            _same_keys(a, b, f"{where}[{i}]")


def test_deployment_matches_kubernetes_api_models() -> None:
    kubernetes = pytest.importorskip("kubernetes")
    client = kubernetes.client.ApiClient()
    data = load(DEPLOYMENT)
    dep = client._ApiClient__deserialize(data, "V1Deployment")
    assert isinstance(dep, kubernetes.client.V1Deployment)
    assert dep.spec.template.spec.containers[0].readiness_probe._exec.command == SMOKE_CMD
    _same_keys(data, client.sanitize_for_serialization(dep))


def test_rollout_playbook() -> None:
    doc = load(ROLLOUT)
    cmds = doc["rollback_commands"]
    assert all(isinstance(c, str) and "<" not in c for c in cmds)
    joined = "\n".join(cmds)
    assert "rollout history" in joined and "rollout undo" in joined
    stages = doc["image_promotion_flow"]
    assert [s["stage"] for s in stages] == ["dev", "staging", "prod"]
    for s in stages:
        assert s["env"] and s["gate"], s
        re.compile(s["tag_pattern"])
    dep_tag = _container(load(DEPLOYMENT))["image"].rsplit(":", 1)[1]
    assert re.search(stages[0]["tag_pattern"], dep_tag), "deployed tag is not a dev-stage tag"


def test_workflow_gpu_jobs_and_gated_push() -> None:
    wf = load(WORKFLOW)
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert set(triggers) == {"push", "pull_request"}
    assert wf["permissions"] == {"contents": "read"}
    jobs = wf["jobs"]
    assert set(jobs) == {"build", "gpu-test", "push"}
    for name, job in jobs.items():
        assert {"self-hosted", "gpu"} <= set(job["runs-on"]), name
        assert "timeout-minutes" in job, name
    assert jobs["gpu-test"]["needs"] == "build"
    assert set(jobs["push"]["needs"]) == {"build", "gpu-test"}
    assert "refs/heads/main" in jobs["push"]["if"]
    assert jobs["push"]["permissions"]["packages"] == "write"
    test_script = "\n".join(step.get("run", "") for step in jobs["gpu-test"]["steps"])
    assert "--gpus all" in test_script and "CUDA_VISIBLE_DEVICES=''" in test_script


def test_dockerfile_multistage_nonroot_gpu_healthcheck() -> None:
    lines = [ln.strip() for ln in (REF / "Dockerfile").read_text().splitlines()]
    froms = [ln for ln in lines if ln.startswith("FROM ")]
    assert len(froms) >= 2 and froms[-1].startswith("FROM nvidia/cuda:") and "runtime" in froms[-1]
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    health = [ln for ln in lines if ln.startswith("HEALTHCHECK ")]
    assert len(health) == 1
    hc_index = lines.index(health[0])
    assert "/app/smoke_test.py" in " ".join(lines[hc_index:hc_index + 2])
