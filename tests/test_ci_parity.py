"""The same pipeline in four CI systems gets the same lifecycle findings.

The reference project (Dockerfile, smoke test, Deployment, rollout plan) is paired with one CI
file per system: GitHub Actions, GitLab CI, Cloud Build and Tekton, each building the image,
running the smoke test with a GPU and without one (required to fail), and pushing from main only.
Then the same defect is written into each: the GPU test runs another image, runs nvidia-smi
instead of the smoke test, the negative run is missing, the build reads a Dockerfile that does
not exist, the push goes to another registry than the Deployment pulls from. The cross-file
rules (GL504-GL506, GL520, GL521) must answer each defect the same way in every system.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO
from gpulint.engine.run import run

IMAGE = "ghcr.io/example/gpu-inference"
SMOKE = "python3 /app/smoke_test.py"
LIFECYCLE = {"GL504", "GL505", "GL506", "GL520", "GL521"}

# One pipeline, written for each system. {build}, {test}, {negative} and {push} are the commands.
GITHUB = """\
on:
  push: {{branches: [main]}}
  pull_request: {{branches: [main]}}
jobs:
  build:
    if: github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository
    runs-on: [self-hosted, gpu]
    steps:
      - uses: actions/checkout@v4
      - run: {build}
  gpu-test:
    needs: build
    if: github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository
    runs-on: [self-hosted, gpu]
    steps:
      - run: {test}
      - run: |
          if {negative}; then
            echo "the smoke test passed without a GPU"; exit 1
          fi
  push:
    needs: [build, gpu-test]
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    runs-on: [self-hosted, gpu]
    steps:
      - run: {push}
"""

GITLAB = """\
stages: [build, test, push]
build:
  stage: build
  tags: [gpu]
  script:
    - {build}
gpu-test:
  stage: test
  tags: [gpu]
  script:
    - {test}
    - if {negative}; then echo "the smoke test passed without a GPU"; exit 1; fi
push:
  stage: push
  tags: [gpu]
  rules:
    - if: $CI_COMMIT_BRANCH == "main" && $CI_PIPELINE_SOURCE == "push"
  script:
    - {push}
"""

CLOUDBUILD = """\
steps:
  - id: build
    name: gcr.io/cloud-builders/docker
    entrypoint: bash
    args: [-ceu, '{build}']
  - id: gpu-test
    name: gcr.io/cloud-builders/docker
    entrypoint: bash
    args: [-ceu, '{test}']
  - id: gpu-negative
    name: gcr.io/cloud-builders/docker
    entrypoint: bash
    args: [-ceu, 'if {negative}; then echo "the smoke test passed without a GPU"; exit 1; fi']
  - id: push
    name: gcr.io/cloud-builders/docker
    entrypoint: bash
    args: [-ceu, '{push}']
options:
  pool: {{name: projects/acme/locations/us-central1/workerPools/gpu}}
"""
CLOUDBUILD_TRIGGER = """\
name: gpu-inference
filename: cloudbuild.yaml
github: {owner: example, name: gpu-inference, push: {branch: ^main$}}
"""

TEKTON = """\
apiVersion: tekton.dev/v1
kind: Task
metadata: {{name: docker-sh}}
spec:
  params: [{{name: script, type: string}}]
  steps:
    - name: run
      image: docker:27
      computeResources: {{limits: {{nvidia.com/gpu: 1}}}}
      script: |
        #!/bin/sh
        set -eu
        $(params.script)
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {{name: build}}
spec:
  steps:
    - name: build
      image: docker:27
      script: |
        #!/bin/sh
        set -eu
        {build}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {{name: gpu-test}}
spec:
  steps:
    - name: test
      image: docker:27
      computeResources: {{limits: {{nvidia.com/gpu: 1}}}}
      script: |
        #!/bin/sh
        set -eu
        {test}
        if {negative}; then echo "the smoke test passed without a GPU"; exit 1; fi
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {{name: push}}
spec:
  steps:
    - name: push
      image: docker:27
      script: |
        #!/bin/sh
        set -eu
        {push}
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {{name: gpu-ci}}
spec:
  params: [{{name: revision, type: string}}]
  tasks:
    - name: build
      taskRef: {{name: build}}
    - name: gpu-test
      runAfter: [build]
      taskRef: {{name: gpu-test}}
    - name: push
      runAfter: [gpu-test]
      when: [{{input: $(params.revision), operator: in, values: [refs/heads/main]}}]
      taskRef: {{name: push}}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {{name: gpu-ci}}
spec:
  triggers:
    - name: push-main
      interceptors:
        - ref: {{name: cel}}
          params:
            - name: filter
              value: "header.match('X-GitHub-Event', 'push') && body.ref == 'refs/heads/main'"
      bindings:
        - {{name: revision, value: $(body.ref)}}
      template: {{ref: gpu-ci}}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: {{name: gpu-ci}}
spec:
  params: [{{name: revision}}]
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata: {{generateName: gpu-ci-}}
      spec:
        pipelineRef: {{name: gpu-ci}}
        params: [{{name: revision, value: $(tt.params.revision)}}]
"""

# Each system's name for the commit's tag, as its own variables spell it.
SYSTEMS = {
    "github": (".github/workflows/gpu-ci.yml", GITHUB, "${{ github.sha }}"),
    "gitlab": (".gitlab-ci.yml", GITLAB, "$CI_COMMIT_SHA"),
    "cloudbuild": ("cloudbuild.yaml", CLOUDBUILD, "$COMMIT_SHA"),
    "tekton": ("tekton/pipeline.yaml", TEKTON, "$(params.revision)"),
}


def commands(tag: str, defect: str) -> dict[str, str]:
    image = f"{IMAGE}:{tag}"
    built = {
        "build": f"docker build -t {image} .",
        "test": f"docker run --rm --gpus all {image} {SMOKE}",
        "negative": f"docker run --rm --gpus all -e CUDA_VISIBLE_DEVICES= {image} {SMOKE}",
        "push": f"docker push {image}",
    }
    if defect == "other-image":
        built["test"] = f"docker run --rm --gpus all ghcr.io/acme/other-model:{tag} {SMOKE}"
    elif defect == "nvidia-smi":
        built["test"] = f"docker run --rm --gpus all {image} nvidia-smi"
    elif defect == "no-negative":
        built["negative"] = "false"
    elif defect == "missing-dockerfile":
        built["build"] = f"docker build -f docker/Dockerfile.gpu -t {image} ."
    elif defect == "other-registry":
        built["push"] = f"docker tag {image} quay.io/acme/gpu-inference:{tag} && docker push quay.io/acme/gpu-inference:{tag}"
    return built


def project(tmp_path: Path, system: str, defect: str) -> Path:
    root = tmp_path / f"{system}-{defect}"
    shutil.copytree(REPO / "reference", root, ignore=shutil.ignore_patterns(".github"))
    path, template, tag = SYSTEMS[system]
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(template.format(**commands(tag, defect)), encoding="utf-8")
    if system == "cloudbuild":
        (root / "cloudbuild.trigger.yaml").write_text(CLOUDBUILD_TRIGGER, encoding="utf-8")
    return root


def lifecycle_findings(root: Path) -> set[str]:
    result = run([root])
    assert not [f for f in result.findings if f.rule == "GL001"], [f.message for f in result.findings]
    return {f.rule for f in result.findings if f.rule in LIFECYCLE and not f.suppressed}


DEFECTS = {"none": set(), "other-image": {"GL504"}, "nvidia-smi": {"GL505"}, "no-negative": {"GL506"},
           "missing-dockerfile": {"GL520"}, "other-registry": {"GL521"}}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_each_system_gets_the_same_lifecycle_findings(tmp_path: Path, system: str, defect: str) -> None:
    expected = DEFECTS[defect]
    if system == "tekton" and defect == "missing-dockerfile":
        # A Tekton step's paths are relative to a workspace the files do not describe: cannot tell.
        expected = set()
    assert lifecycle_findings(project(tmp_path, system, defect)) == expected


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_the_clean_pipeline_passes_the_ci_rules(tmp_path: Path, system: str) -> None:
    """The templates themselves are honest pipelines: no CI finding at all (Cloud Build's private
    pool is a GL204 "cannot tell", which is the point of that rule)."""
    result = run([project(tmp_path, system, "none")])
    ci = {f.rule for f in result.findings if f.rule.startswith("GL2") and not f.suppressed}
    assert ci <= ({"GL204"} if system == "cloudbuild" else set()), [(f.rule, f.message) for f in result.findings]
