"""GL304 in production: a GPU Deployment that nothing can be told to send traffic to (no
container port, no known inference server, no Service of the project selecting its pods) may be
a benchmark or a queue worker, so its missing probes are advice; any sign that it serves keeps
them errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.project.config import Config

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: gpu-worker
spec:
  selector:
    matchLabels: {{app: gpu-worker}}
  template:
    metadata:
      labels: {{app: gpu-worker, tier: gpu}}
    spec:
      containers:
        - name: worker
          image: {image}
          args: ["nbody", "-benchmark"]
{ports}          resources:
            limits:
              nvidia.com/gpu: 1
"""
SERVICE = """---
apiVersion: v1
kind: Service
metadata:
  name: gpu-worker
spec:
  selector: {selector}
  ports: [{{port: 80, targetPort: 8080}}]
"""
SAMPLE = "nvcr.io/nvidia/k8s/cuda-sample:nbody-cuda11.7.1"


def _gl304(tmp_path: Path, text: str) -> list[tuple[str, int]]:
    (tmp_path / "deploy.yaml").write_text(text)
    result = run([tmp_path / "deploy.yaml"], config=Config(profile="production"))
    return sorted((f.severity.value, f.line) for f in result.findings if f.rule == "GL304")


def test_unreached_worker_gets_advice(tmp_path: Path) -> None:
    found = _gl304(tmp_path, DEPLOYMENT.format(image=SAMPLE, ports=""))
    assert [severity for severity, _ in found] == ["info", "info"]


@pytest.mark.parametrize("text", [
    DEPLOYMENT.format(image=SAMPLE, ports="          ports: [{containerPort: 8080}]\n"),
    DEPLOYMENT.format(image=SAMPLE, ports="") + SERVICE.format(selector="{app: gpu-worker}"),
    DEPLOYMENT.format(image="ghcr.io/huggingface/text-generation-inference:2.4.0", ports=""),  # a known server
])
def test_signs_of_traffic_keep_the_findings(tmp_path: Path, text: str) -> None:
    assert [severity for severity, _ in _gl304(tmp_path, text)] == ["error", "warning"]


def test_a_service_selecting_other_pods_does_not_count(tmp_path: Path) -> None:
    text = DEPLOYMENT.format(image=SAMPLE, ports="") + SERVICE.format(selector="{app: gpu-worker, tier: cpu}")
    assert [severity for severity, _ in _gl304(tmp_path, text)] == ["info", "info"]
