"""One vocabulary for GPU infrastructure daemons and workbenches, read from commands (image
roles) and from image names (workload roles)."""

from __future__ import annotations

import pytest

from gpulint.artifacts.process_kinds import daemon_command, daemon_image, workbench_image, workbench_program


@pytest.mark.parametrize("repository, daemon", [
    ("nvcr.io/nvidia/k8s-device-plugin", True),
    ("nvcr.io/nvidia/k8s/dcgm-exporter", True),
    ("nvcr.io/nvidia/gpu-operator-validator", True),
    ("nvcr.io/nvidia/driver", True),
    ("nvcr.io/nvidia/k8s/container-toolkit", True),
    ("registry.k8s.io/nfd/node-feature-discovery", True),
    ("rocm/k8s-device-plugin", True),
    ("vllm/vllm-openai", False),
    ("acme/driver-scheduler-api", False),
])
def test_daemon_image(repository: str, daemon: bool) -> None:
    assert daemon_image(repository) is daemon


@pytest.mark.parametrize("words, daemon", [
    (["nv-hostengine", "-n"], True),
    (["/usr/bin/dcgm-exporter"], True),
    (["nvidia-device-plugin", "--fail-on-init-error"], True),
    (["python3", "-m", "vllm.entrypoints.openai.api_server"], False),
])
def test_daemon_command(words: list[str], daemon: bool) -> None:
    assert daemon_command(words) is daemon


@pytest.mark.parametrize("repository, tag, workbench", [
    ("jupyter/pytorch-notebook", "cuda12", True),
    ("codercom/code-server", "4.9", True),
    ("rocker/rstudio", "4.3", True),
    ("quay.io/opendatahub/workbench-images", "jupyter-pytorch-cuda", True),
    ("vllm/vllm-openai", "v0.6.0", False),
])
def test_workbench_image(repository: str, tag: str, workbench: bool) -> None:
    assert workbench_image(repository, tag) is workbench


def test_workbench_program() -> None:
    assert workbench_program({"start-notebook.sh"}) and workbench_program({"jupyter", "lab"})
    assert not workbench_program({"python3", "serve.py"})
