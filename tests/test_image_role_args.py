"""Build arguments as evidence of a GPU image (``artifacts.dockerfile.role``): the image's own
stages and the builder stages it copies installed software from count; a stage that only fetches
files to serve (``pip download`` of CUDA wheels for a package mirror) does not."""

from __future__ import annotations

import pytest

from gpulint.artifacts.dockerfile.model import parse_dockerfile
from gpulint.artifacts.dockerfile.role import image_role
from gpulint.core.source import Source

MIRROR = """FROM python:3.12-slim AS downloader
ARG CUDA_SUFFIX=cu130
RUN pip download torch --index-url "https://download.pytorch.org/whl/${CUDA_SUFFIX}" -d /data/packages
FROM pypiserver/pypiserver:v2.3.2
COPY --from=downloader /data/packages/ /data/packages/
CMD ["run", "-p", "8080", "/data/packages"]
"""
MIRROR_WITH_TOOLS = MIRROR.replace("ARG CUDA_SUFFIX=cu130\n", "ARG CUDA_SUFFIX=cu130\nRUN pip install --no-cache-dir uv packaging\n")
BUILDER_BY_CONDITION = """FROM ubuntu:22.04 AS builder
ARG GPU_DRIVER=cuda
RUN if [ "$GPU_DRIVER" = "cuda" ]; then extra="--extra-index-url https://download.pytorch.org/whl/cu121"; fi; \\
    pip install $extra torch==2.3.0
FROM ubuntu:22.04
COPY --from=builder /opt/venv /opt/venv
CMD ["/opt/venv/bin/python", "-m", "app"]
"""
BUILDER = """FROM ubuntu:22.04 AS builder
ARG GPU_DRIVER=cuda
RUN pip install --extra-index-url "https://download.pytorch.org/whl/${GPU_DRIVER}" torch==2.3.0
FROM ubuntu:22.04
COPY --from=builder /opt/venv /opt/venv
CMD ["/opt/venv/bin/python", "-m", "app"]
"""
OWN = """FROM ubuntu:22.04
ARG CUDA_ARCH=sm_90
RUN echo build
CMD ["app"]
"""


@pytest.mark.parametrize("text, gpu", [(MIRROR, False), (MIRROR_WITH_TOOLS, False), (BUILDER, True),
                                       (BUILDER_BY_CONDITION, True), (OWN, True)])
def test_build_arguments(text: str, gpu: bool) -> None:
    assert image_role(parse_dockerfile(Source(text, "Dockerfile"))).gpu is gpu
