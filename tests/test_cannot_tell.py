"""Where the scanned files cannot show what happens, the production profile says so (info) instead
of claiming a fault: a GPU test on a CI system gpulint does not read, a push whose image cannot be
linked to a build. The lab profile keeps judging what the lab asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import findings_of, write_repository
from gpulint.project.other_ci import ci_system

GPU_DOCKERFILE = """\
FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
RUN pip install --no-cache-dir torch==2.4.0
USER 1000
CMD ["python3", "-m", "http.server", "8000"]
"""
PUSH_WORKFLOW = """\
name: release
on:
  push:
    branches: [main]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .
      - run: docker push ghcr.io/acme/app:${{ github.sha }}
"""


_write = write_repository
_found = findings_of


@pytest.mark.parametrize("path, system", [
    ("Jenkinsfile", "Jenkins"), ("ci/Jenkinsfile.gpu", "Jenkins"), ("ci/gpu.jenkinsfile", "Jenkins"),
    (".buildkite/pipeline.yml", "Buildkite"), (".buildkite/scripts/test.sh", "Buildkite"),
    (".circleci/config.yml", "CircleCI"), ("azure-pipelines.yml", "Azure Pipelines"),
    ("build/azure-pipelines-gpu.yaml", "Azure Pipelines"), (".drone.yml", "Drone"),
    (".woodpecker/test.yaml", "Woodpecker CI"), (".teamcity/settings.kts", "TeamCity"),
    ("bitbucket-pipelines.yml", "Bitbucket Pipelines"),
    # read by gpulint, or offering no GPU machines, or not a CI file at all
    (".github/workflows/ci.yml", None), (".gitlab-ci.yml", None), (".travis.yml", None),
    ("docs/jenkins.md", None), (".buildkite/README.md", None), ("Jenkinsfile.md", None),
])
def test_ci_systems_gpulint_does_not_read(path: str, system: str | None) -> None:
    assert ci_system(path) == system


def test_a_gpu_test_on_jenkins_is_cannot_tell(tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": GPU_DOCKERFILE, ".github/workflows/release.yml": PUSH_WORKFLOW})
    # positive control: only GitHub Actions, which runs no GPU test before publishing a GPU image
    before = _found(tmp_path, "GL202")
    assert [f.severity.value for f in before] == ["warning"]
    (tmp_path / "Jenkinsfile").write_text("pipeline { agent { label 'gpu' } stages { stage('t') { steps {"
                                          " sh 'docker run --gpus all app python3 smoke_test.py' } } } }\n")
    after = _found(tmp_path, "GL202")
    assert [f.severity.value for f in after] == ["info"]
    assert "Jenkins (Jenkinsfile), which gpulint does not read" in after[0].message
    # the lab asks for the GPU test in the pipeline it reads
    assert [f.severity.value for f in _found(tmp_path, "GL202", "lab")] == ["error"]


def test_another_repository_s_jenkinsfile_does_not_count(tmp_path: Path) -> None:
    _write(tmp_path, {"app/Dockerfile": GPU_DOCKERFILE, "app/.github/workflows/release.yml": PUSH_WORKFLOW,
                      "tools/Jenkinsfile": "pipeline {}\n"})
    (tmp_path / "app" / ".git").mkdir()
    (tmp_path / "tools" / ".git").mkdir()
    assert [f.severity.value for f in _found(tmp_path, "GL202")] == ["warning"]


MANIFEST_PUSH = """\
name: image
on:
  push:
    branches: [main]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make docker-build
      - run: docker manifest push ghcr.io/acme/operator:${{ github.sha }}
"""


def test_an_unlinked_push_of_a_repository_with_only_cpu_dockerfiles_is_no_gpu_push(tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM golang:1.22 AS build\nRUN go build -o /manager .\n"
                                    "FROM gcr.io/distroless/static:nonroot\nCOPY --from=build /manager /\n"
                                    "USER 65532\nENTRYPOINT [\"/manager\"]\n",
                      ".github/workflows/image.yml": MANIFEST_PUSH})
    assert _found(tmp_path, "GL202") == []
    # positive control: the same push in a repository whose Dockerfile has a GPU stack
    (tmp_path / "Dockerfile").write_text(GPU_DOCKERFILE)
    assert [f.severity.value for f in _found(tmp_path, "GL202")] == ["warning"]


def test_an_unlinked_push_whose_images_cannot_be_told_is_advice(tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nUSER 1000\nCMD [\"serve\"]\n",
                      ".github/workflows/image.yml": MANIFEST_PUSH})
    found = _found(tmp_path, "GL202")
    assert [f.severity.value for f in found] == ["info"]
    assert "cannot tell whether the pushed images carry a GPU stack" in found[0].message


CAPTURED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: job-0
  namespace: default
{extra}spec:
  restartPolicy: Never
  containers:
    - name: mat-mul
      image: gcr.io/acme/mat-mul
      resources:
        limits:
          nvidia.com/gpu: 1
"""


def test_an_object_read_back_from_a_cluster_is_advice(tmp_path: Path) -> None:
    _write(tmp_path, {"pod.yaml": CAPTURED_POD.format(
        extra="  uid: 2f0c1a9e-5b7e-4a52-9b8e-6d1f3e7c2a10\n  resourceVersion: \"81234\"\n")})
    assert [f.severity.value for f in _found(tmp_path, "GL309")] == ["info"]
    # positive control: the same pod as written for `kubectl apply` (dry-run output included)
    (tmp_path / "pod.yaml").write_text(CAPTURED_POD.format(extra="  creationTimestamp: null\n"))
    assert [f.severity.value for f in _found(tmp_path, "GL309")] == ["warning"]


def test_a_builder_stage_named_for_gpus_is_not_what_an_unlinked_push_publishes(tmp_path: Path) -> None:
    """A Go operator whose builder stage takes a GPU-named build argument ships a distroless image."""
    _write(tmp_path, {"Dockerfile": "FROM golang:1.23 AS builder\n"
                                    "ARG NVIDIA_DRA_DRIVER_GPU_VERSION\n"
                                    "RUN go build -ldflags \"-X main.version=${NVIDIA_DRA_DRIVER_GPU_VERSION}\" -o /manager .\n"
                                    "FROM gcr.io/distroless/static:nonroot\nCOPY --from=builder /manager /\n"
                                    "USER 65532\nENTRYPOINT [\"/manager\"]\n",
                      ".github/workflows/image.yml": MANIFEST_PUSH})
    assert _found(tmp_path, "GL202") == []


def test_a_smoke_test_by_name_that_touches_no_gpu_is_an_api_test_in_production(tmp_path: Path) -> None:
    api_test = ("import unittest\nimport requests\n\nclass T(unittest.TestCase):\n    def test_vectors(self):\n"
                "        self.assertEqual(requests.get('http://localhost:8080/meta').status_code, 200)\n\n"
                "if __name__ == '__main__':\n    unittest.main()\n")
    _write(tmp_path, {"smoke_test.py": api_test, ".github/workflows/ci.yml":
                      "name: ci\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: python3 smoke_test.py\n"})
    assert _found(tmp_path, "GL507") == [] and _found(tmp_path, "GL508") == []
    assert _found(tmp_path, "GL507", "lab")  # the lab's smoke test is the GPU one, whatever it does
