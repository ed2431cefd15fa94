"""Well-known GPU inference servers: how to recognise one, and which health endpoint checks its engine.

An HTTP probe is not GPU-aware in general (a web framework answers while CUDA is gone), but the
inference servers below answer their health endpoint from the engine that owns the GPU, so a pod
whose GPU or engine died fails the probe:

* vLLM ``/health`` awaits ``engine_client.check_health()`` and answers 503 when the engine is dead
  (vllm/entrypoints/serve/instrumentator/health.py).
* Text Generation Inference (and LoRAX, built on it) ``/health`` checks the model shards, running
  a one-token prefill when nothing was generated recently; Text Embeddings Inference ``/health``
  asks the backend.
* SGLang ``/health`` and ``/health_generate`` run a generation request through the scheduler.
* Triton and KServe's v2 protocol ``/v2/health/ready`` is ready only when the models are loaded and
  ready; NVIDIA NIM ``/v1/health/ready`` likewise.
* llama.cpp's ``llama-server`` ``/health`` answers 503 until the model is loaded and on error.
* TensorFlow Serving ``/v1/models/<name>`` reports the model's state; TorchServe ``/ping`` reports
  whether the model workers are healthy.

Several of them claim nearly all GPU memory at start (vLLM ``--gpu-memory-utilization`` 0.9, SGLang
``--mem-fraction-static``, TGI ``CUDA_MEMORY_FRACTION`` 1.0, TensorRT-LLM's KV-cache fraction): an
``exec`` probe that starts Python and creates a second CUDA context there can itself fail with
out-of-memory, so for them the advice is the engine's own endpoint, never an exec smoke test.
Ollama's ``/`` only says the process runs, so it is not in the list.
"""

from __future__ import annotations

import re

from gpulint.core.records import Record
from gpulint.syntax.images import parse_image


class GpuServer(Record, frozen=True):
    name: str
    health_paths: tuple[str, ...]  # GET paths answered by the engine (a prefix ends with "/")
    default_port: int
    preallocates: bool  # claims (nearly) all GPU memory at start


VLLM = GpuServer("vLLM", ("/health",), 8000, True)
TGI = GpuServer("Text Generation Inference", ("/health",), 80, True)
LORAX = GpuServer("LoRAX", ("/health",), 80, True)
TEI = GpuServer("Text Embeddings Inference", ("/health",), 80, False)
SGLANG = GpuServer("SGLang", ("/health", "/health_generate"), 30000, True)
TRITON = GpuServer("Triton Inference Server", ("/v2/health/ready", "/v2/health/live"), 8000, False)
TRTLLM = GpuServer("TensorRT-LLM (trtllm-serve)", ("/health",), 8000, True)
NIM = GpuServer("NVIDIA NIM", ("/v1/health/ready", "/v1/health/live"), 8000, True)
KSERVE = GpuServer("KServe model server", ("/v2/health/ready", "/v1/models/"), 8080, False)
LLAMA_CPP = GpuServer("llama.cpp server", ("/health",), 8080, False)
TF_SERVING = GpuServer("TensorFlow Serving", ("/v1/models/",), 8501, False)
TORCHSERVE = GpuServer("TorchServe", ("/ping",), 8080, False)

# Image repositories (lower case, without registry for Docker Hub) and the server they run.
_IMAGES: tuple[tuple[str, GpuServer], ...] = (
    ("vllm/vllm-openai", VLLM), ("rocm/vllm", VLLM), ("llm-d", VLLM),
    ("huggingface/text-generation-inference", TGI), ("predibase/lorax", LORAX),
    ("huggingface/text-embeddings-inference", TEI),
    ("lmsysorg/sglang", SGLANG), ("nvidia/tritonserver", TRITON), ("nim/", NIM),
    ("ggml-org/llama.cpp", LLAMA_CPP), ("ggerganov/llama.cpp", LLAMA_CPP),
    ("tensorflow/serving", TF_SERVING), ("pytorch/torchserve", TORCHSERVE), ("kserve/huggingfaceserver", KSERVE),
)
# Programs (the command's first word, or ``python -m <module>``) and the server they start.
_PROGRAMS: dict[str, GpuServer] = {
    "vllm": VLLM, "vllm.entrypoints.openai.api_server": VLLM, "vllm.entrypoints.api_server": VLLM,
    "text-generation-launcher": TGI, "lorax-launcher": LORAX, "text-embeddings-router": TEI,
    "sglang.launch_server": SGLANG, "tritonserver": TRITON, "trtllm-serve": TRTLLM, "llama-server": LLAMA_CPP,
    "tensorflow_model_server": TF_SERVING, "torchserve": TORCHSERVE, "huggingfaceserver": KSERVE,
}
SERVER_PROGRAMS = frozenset(_PROGRAMS)


def server_of_image(image: str | None) -> GpuServer | None:
    """The server an image runs by default: a well-known repository, or a project's own build
    named for the server (``quay.io/acme/vllm-openai-ubi9``). Triton's ``-sdk`` tags are its
    client tools, not the server."""
    ref = parse_image(image)
    if ref is None:
        return None
    path = f"{ref.registry}/{ref.repository}".lower()
    tag = (ref.tag or "").lower()
    for fragment, server in _IMAGES:
        if fragment in path:
            return None if server is TRITON and tag.endswith("sdk") else server
    words = set(re.split(r"[-_.]+", path.rsplit("/", 1)[-1]))
    if words & _NOT_SERVING:
        return None
    return next((server for word, server in _SERVER_WORDS if word in words), None)


# Whole words of an image's name that say which server it runs, and words that say it does not.
_SERVER_WORDS = (("vllm", VLLM), ("sglang", SGLANG), ("tritonserver", TRITON))
_NOT_SERVING = frozenset({"bench", "benchmark", "benchmarks", "client", "sdk", "builder", "build", "base", "dev",
                          "devel", "test", "tests", "ci", "tools", "toolbox", "wheel", "wheels", "docs"})


# Images whose own ENTRYPOINT/CMD starts the server (an image built FROM them and setting neither
# still serves). lmsysorg/sglang and tritonserver images start a shell: they are not here.
_SERVING_BASES = ("vllm/vllm-openai", "huggingface/text-generation-inference", "huggingface/text-embeddings-inference",
                  "predibase/lorax", "ollama/ollama", "pytorch/torchserve", "tensorflow/serving", "nvcr.io/nim/",
                  "kserve/huggingfaceserver", "kserve/sklearnserver", "kserve/xgbserver")


def image_serves(image: str | None) -> bool:
    """The image's default process is an inference server (``FROM vllm/vllm-openai`` keeps serving)."""
    ref = parse_image(image)
    if ref is None:
        return False
    path = f"{ref.registry}/{ref.repository}".lower()
    if any(fragment in path for fragment in _SERVING_BASES):
        return True
    return "llama.cpp" in path and (ref.tag or "").lower().startswith("server")


def server_of_command(argv: list[str]) -> GpuServer | None:
    """The server a command line starts (``vllm serve``, ``python3 -m sglang.launch_server``)."""
    words = [w for w in argv if w]
    for index, word in enumerate(words):
        name = word.rsplit("/", 1)[-1]
        if name in _PROGRAMS:
            return _PROGRAMS[name]
        if name.startswith("python") and index + 2 < len(words) and words[index + 1] == "-m":
            module = words[index + 2]
            return _PROGRAMS.get(module) or _PROGRAMS.get(module.split(".", 1)[0] if module.startswith("vllm.")
                                                          else module)
    return None


def engine_health_path(server: GpuServer, path: str | None) -> bool:
    """The GET path is one the server answers from its engine."""
    if not path:
        return False
    clean = "/" + path.split("?", 1)[0].lstrip("/")
    return any(clean == p or (p.endswith("/") and clean.startswith(p)) for p in server.health_paths)
