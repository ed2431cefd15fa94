"""What really runs, read from the files that decide it: the command an `sh -c` script ends in,
a Kubernetes command that replaces the image's server, a server named by a project's own image,
a Cloud Build configuration nested in its repository, a build in a reusable workflow called by a
reusable workflow, and a Python health check that never touches the GPU."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.artifacts.dockerfile.model import parse_dockerfile
from gpulint.artifacts.dockerfile.role import image_role
from gpulint.artifacts.gpu_servers import server_of_image
from gpulint.artifacts.kubernetes.probes import container_server
from gpulint.core.source import Source
from gpulint.engine.run import run
from gpulint.project.config import Config
from gpulint.syntax.yamlfile import load_yaml
from gpulint.core.limits import Limits


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".git").mkdir(exist_ok=True)


def _found(root: Path, rule: str, profile: str = "production") -> list:
    return [f for f in run([root], config=Config(profile=profile)).findings if f.rule == rule]


@pytest.mark.parametrize("cmd, kind, shown", [
    ('["/bin/bash", "-c", "rm -rf /x && ln -s /models /app/models && exec bash"]', "shell", "bash"),
    ('["sh", "-c", "pip install -r req.txt; python -m vllm.entrypoints.openai.api_server --port 8000"]',
     "server", "vLLM"),
    # an unknown program with a published port: a server (it was `umask 0002 export`, the set-up)
    ('["sh", "-c", "umask 0002 && export HOME=/app && ./start_linux.sh --listen"]', "server",
     "./start_linux.sh --listen"),
])
def test_an_sh_c_script_is_the_process_it_ends_in(cmd: str, kind: str, shown: str) -> None:
    text = f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nEXPOSE 9880\nCMD {cmd}\n"
    dockerfile = parse_dockerfile(Source(text, "Dockerfile"))
    role = image_role(dockerfile)
    assert shown in role.reason
    assert role.kind == kind


def _container(text: str):
    document = load_yaml(Source(text, "c.yaml"), Limits()).documents[0]
    return document


@pytest.mark.parametrize("container, server", [
    ("image: nvcr.io/nvidia/tritonserver:24.08-py3-sdk\ncommand: [sleep, infinity]\n", None),
    ("image: nvcr.io/nvidia/tritonserver:24.08-py3\ncommand: [sleep, infinity]\n", None),
    ("image: vllm/vllm-openai:v0.6.0\ncommand: [tail, -f, /dev/null]\n", None),
    ("image: vllm/vllm-openai:v0.6.0\nargs: [--model, m]\n", "vLLM"),  # the image's ENTRYPOINT runs
    ("image: vllm/vllm-openai:v0.6.0\ncommand: [/entrypoint.sh]\n", "vLLM"),  # a wrapper may start it
    ("image: nvcr.io/nvidia/tritonserver:24.08-py3\n", "Triton Inference Server"),
])
def test_a_command_that_only_waits_replaces_the_images_server(container: str, server: str | None) -> None:
    found = container_server(_container(container))
    assert (found.name if found is not None else None) == server


@pytest.mark.parametrize("image, server", [
    ("quay.io/rh-aiservices-bu/vllm-openai-ubi9:0.4.2", "vLLM"),
    ("ghcr.io/acme/sglang-server:1.0", "SGLang"),
    ("ghcr.io/acme/vllm-benchmark:1.0", None),
    ("nvcr.io/nvidia/tritonserver:24.08-py3-sdk", None),
    ("ghcr.io/acme/vllmish:1.0", None),  # not the whole word
    ("python:3.12-slim", None),
])
def test_a_project_image_named_for_its_server(image: str, server: str | None) -> None:
    found = server_of_image(image)
    assert (found.name if found is not None else None) == server


def test_a_nested_cloud_build_configuration_finds_its_dockerfile(tmp_path: Path) -> None:
    """backend/cloudbuild.yaml builds ./backend/: a trigger runs it from the repository, so the
    Dockerfile is backend/Dockerfile, a CPU image: no GPU test is owed."""
    _write(tmp_path, {
        "backend/cloudbuild.yaml": "steps:\n"
                                   "  - name: gcr.io/cloud-builders/docker\n"
                                   "    args: [build, -t, gcr.io/$PROJECT_ID/backend:$SHORT_SHA, ./backend/]\n"
                                   "images: [gcr.io/$PROJECT_ID/backend:$SHORT_SHA]\n",
        "backend/Dockerfile": "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nCMD [\"python3\", \"app.py\"]\n",
    })
    assert [f.severity.value for f in _found(tmp_path, "GL202")] == []


NESTED = {
    ".github/workflows/pr.yml": "name: ci\non:\n  push:\n    branches: [main]\n  pull_request:\n"
                                "jobs:\n  docker:\n    uses: ./.github/workflows/outer.yml\n",
    ".github/workflows/outer.yml": "name: outer\non:\n  workflow_call:\njobs:\n  build:\n"
                                   "    uses: ./.github/workflows/build.yml\n",
    ".github/workflows/build.yml": "name: build\non:\n  workflow_call:\njobs:\n  build:\n"
                                   "    runs-on: ubuntu-latest\n    steps:\n"
                                   "      - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .\n",
    "Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCMD [\"nvidia-smi\"]\n",
}


def test_a_build_in_a_reusable_workflow_called_by_a_reusable_workflow_is_a_build(tmp_path: Path) -> None:
    _write(tmp_path, NESTED)
    assert _found(tmp_path, "GL201", "lab") == []
    assert _found(tmp_path, "GL201") == []


def test_a_python_health_check_without_gpu_use_needs_no_start_period(tmp_path: Path) -> None:
    """GL514 judges the warm-up of a GPU check; an HTTP request from Python is GL104's business."""
    healthcheck = 'HEALTHCHECK CMD python3 -c "import urllib.request; urllib.request.urlopen(\'http://localhost:8000/\')"'
    _write(tmp_path, {
        "Dockerfile": f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir torch==2.3.0\n"
                      f"USER 1000\n{healthcheck}\nCMD [\"python3\", \"serve.py\"]\n",
        ".github/workflows/ci.yml": "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  build:\n"
                                   "    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t app .\n",
    })
    assert _found(tmp_path, "GL514") == []
    (tmp_path / "Dockerfile").write_text((tmp_path / "Dockerfile").read_text().replace(
        healthcheck, "HEALTHCHECK CMD [\"python3\", \"-c\", \"import torch; assert torch.cuda.is_available()\"]"))
    assert len(_found(tmp_path, "GL514")) == 1
