"""Which installs leave their package cache in the image (``artifacts.dockerfile.caches``)."""

from __future__ import annotations

import pytest

from gpulint.artifacts.dockerfile.caches import cache_left
from gpulint.artifacts.dockerfile.model import parse_dockerfile
from gpulint.core.source import Source


def _left(body: str) -> str | None:
    dockerfile = parse_dockerfile(Source("FROM ubuntu:22.04\n" + body, "Dockerfile"))
    return cache_left(dockerfile.stages[-1], dockerfile)


@pytest.mark.parametrize("body", [
    "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    "RUN --mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt apt-get install -y curl\n",
    "RUN pip install --no-cache-dir torch\n",
    "ENV PIP_NO_CACHE_DIR=1\nRUN pip install torch\n",
    "RUN --mount=type=cache,target=/home/app/.cache/uv uv pip install torch\n",
    "RUN dnf install -y curl && dnf clean all\n",
    "RUN apk add --no-cache curl\n",
    "RUN conda install -y numpy\nRUN conda clean -afy\n",
    "COPY app /app\n",
])
def test_nothing_left(body: str) -> None:
    assert _left(body) is None


@pytest.mark.parametrize("body, shown", [
    ("RUN apt-get update && apt-get install -y curl && apt-get clean\n", "apt-get install"),  # lists stay
    ("RUN --mount=type=bind,target=/var/lib/apt,source=x apt-get install -y curl\n", "apt-get install"),
    ("RUN pip install torch\n", "pip install"),
    ("ENV PIP_NO_CACHE_DIR=0\nRUN pip install torch\n", "pip install"),
    ("RUN conda install -y numpy\n", "conda install"),
])
def test_cache_left(body: str, shown: str) -> None:
    assert _left(body) == shown
