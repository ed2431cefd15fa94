"""Production judges the CI rules for repositories that push GPU images: which image a push
publishes is found across steps and jobs (by the reference as written), for Cloud Build too,
and the one "no GPU test" finding sits on a pipeline that pushes a GPU image."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.artifacts.dockerfile.model import parse_dockerfile
from gpulint.artifacts.dockerfile.role import image_role
from gpulint.core.source import Source
from gpulint.engine.run import run
from gpulint.project.config import Config

CPU = 'FROM debian:bookworm\nARG cuda="0"\nRUN apt-get update && apt-get install -y python3\nCMD ["bash"]\n'
GPU = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir torch==2.3.0\n" \
      'CMD ["python3", "-m", "vllm.entrypoints.openai.api_server"]\n'
GITLAB_SPLIT = """stages: [build, release]
build:
  stage: build
  script:
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA .
release:
  stage: release
  script:
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
"""
CLOUDBUILD = """steps:
- name: 'gcr.io/cloud-builders/docker'
  args: ['build', '-t', 'gcr.io/example/app:1', '.']
- name: 'gcr.io/cloud-builders/docker'
  args: ['push', 'gcr.io/example/app:1']
"""


def _gl202(root: Path, files: dict[str, str]) -> list:
    (root / ".git").mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return [f for f in run([root], config=Config(profile="production")).findings if f.rule == "GL202"]


@pytest.mark.parametrize("ci", [{".gitlab-ci.yml": GITLAB_SPLIT}, {"cloudbuild.yaml": CLOUDBUILD}])
def test_a_pushed_cpu_image_is_not_judged(tmp_path: Path, ci: dict[str, str]) -> None:
    assert _gl202(tmp_path, {"Dockerfile": CPU, **ci}) == []


@pytest.mark.parametrize("ci", [{".gitlab-ci.yml": GITLAB_SPLIT}, {"cloudbuild.yaml": CLOUDBUILD}])
def test_a_pushed_gpu_image_is(tmp_path: Path, ci: dict[str, str]) -> None:
    assert [f.severity.value for f in _gl202(tmp_path, {"Dockerfile": GPU, **ci})] == ["warning"]


def _workflow(target: str) -> str:
    return ("on:\n  push:\n    branches: [main]\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - run: docker build --target {target} -t acme/app:{target} . && docker push acme/app:{target}\n")


def test_missing_gpu_test_is_reported_on_the_gpu_image_pipeline(tmp_path: Path) -> None:
    dockerfile = GPU.replace("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n",
                             "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS nvidia\n") + \
        'FROM debian:bookworm AS cpu\nCMD ["bash"]\n'
    found = _gl202(tmp_path, {"Dockerfile": dockerfile, ".github/workflows/a-cpu.yml": _workflow("cpu"),
                              ".github/workflows/b-nvidia.yml": _workflow("nvidia")})
    assert [f.path for f in found] == [".github/workflows/b-nvidia.yml"]


@pytest.mark.parametrize("argument, gpu", [('ARG cuda="0"', False), ("ARG USE_GPU=false", False),
                                           ("ARG CUDA_VERSION=12.4", True), ("ARG CUDA_VERSION", True)])
def test_build_argument_defaults(argument: str, gpu: bool) -> None:
    text = f"FROM debian:bookworm\n{argument}\nRUN apt-get update\nCMD [\"app\"]\n"
    assert image_role(parse_dockerfile(Source(text, "Dockerfile"))).gpu is gpu


LOCAL_REGISTRY_PR = """name: test
on:
  pull_request:
jobs:
  build:
    runs-on: ubuntu-latest
    services:
      registry:
        image: registry:2
        ports: ["5000:5000"]
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: REF
"""


@pytest.mark.parametrize("ref, reported", [("localhost:5000/acme/app:pr", False), ("ghcr.io/acme/app:pr", True)])
def test_a_push_to_the_job_s_own_registry_publishes_nothing(tmp_path: Path, ref: str, reported: bool) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(GPU)
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/test.yml").write_text(LOCAL_REGISTRY_PR.replace("REF", ref))
    found = [f for f in run([tmp_path], config=Config(profile="production")).findings if f.rule == "GL206"]
    assert bool(found) is reported
