"""Live mode: build the image, run its smoke test beside gpulint's reference smoke test with and
without a GPU, watch its HEALTHCHECK.

Static rules say the artifacts look right; live mode proves the image works. Three engines:
``docker`` (the Docker Engine API through the docker SDK, honouring ``DOCKER_HOST``; Podman's
Docker-compatible socket works too), ``host`` (both smoke tests with the local Python, for GPU
machines without a container engine) and ``kubernetes`` (an already pushed image as Jobs on a GPU
node pool, through the official client). GPUs are read through NVML (pynvml, from nvidia-ml-py).

This package imports nothing heavy at import time: docker, kubernetes, pynvml and rich load only when
a live run starts, so ``gpulint --version`` and a static ``check`` stay light.
"""

from __future__ import annotations

import importlib

INSTALL_HINT = "pip install 'gpulint[live]'"

_EXPORTS = {"FAILED": "model", "PASSED": "model", "SKIPPED": "model", "LiveReport": "model", "Step": "model",
            "LiveOptions": "options"}
__all__ = sorted([*_EXPORTS, "INSTALL_HINT"])


def __getattr__(name: str):  # loaded on first use: building the command line stays fast
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"gpulint.live.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'gpulint.live' has no attribute {name!r}")
