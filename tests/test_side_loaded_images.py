"""GL309 in production: a tutorial's image, named without a registry, built by a Dockerfile beside
its manifests and pushed by no pipeline, is loaded into the nodes (kind load), not pulled: advice."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.project.config import Config

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: chat
spec:
  selector:
    matchLabels: {{app: chat}}
  template:
    metadata:
      labels: {{app: chat}}
    spec:
      containers:
      - name: server
        image: {image}
"""
PUSH = """name: images
on:
  push:
    branches: [main]
jobs:
  push:
    runs-on: ubuntu-latest
    steps:
      - run: docker build -t private-chat:latest examples/chat && docker push private-chat:latest
"""


def _gl309(tmp_path: Path, image: str, dockerfile: str | None, workflow: bool = False) -> list[str]:
    (tmp_path / ".git").mkdir()
    manifest = tmp_path / "examples/chat/manifests/deployment.yaml"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(DEPLOYMENT.format(image=image))
    if dockerfile is not None:
        (tmp_path / dockerfile).write_text("FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"http.server\"]\n")
    if workflow:
        (tmp_path / ".github/workflows").mkdir(parents=True)
        (tmp_path / ".github/workflows/images.yml").write_text(PUSH)
    result = run([tmp_path], config=Config(profile="production"))
    return [f.severity.value for f in result.findings if f.rule == "GL309"]


@pytest.mark.parametrize("dockerfile", ["examples/chat/Dockerfile", "examples/chat/manifests/Dockerfile"])
def test_tutorial_image_built_beside_its_manifests(tmp_path: Path, dockerfile: str) -> None:
    assert _gl309(tmp_path, "private-chat:latest", dockerfile) == ["info"]


@pytest.mark.parametrize("image, dockerfile, workflow", [
    ("private-chat:latest", None, False),  # nothing builds it here
    ("ghcr.io/acme/private-chat:latest", "examples/chat/Dockerfile", False),  # pulled from a registry
    ("acme/private-chat:latest", "examples/chat/Dockerfile", False),  # a Docker Hub namespace
    ("private-chat:latest", "examples/chat/Dockerfile", True),  # a pipeline pushes it
])
def test_other_images_are_judged(tmp_path: Path, image: str, dockerfile: str | None, workflow: bool) -> None:
    # judged (a warning, not the error a rolled-out workload gets: these manifests are an example)
    assert _gl309(tmp_path, image, dockerfile, workflow) == ["warning"]
