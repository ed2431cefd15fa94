"""What a container runs and whether its probes can notice a broken GPU, as the production profile
reads them.

``container_server`` names the GPU inference server a container runs (by its image, or by its
``command``/``args``, ``sh -c`` scripts included). ``probe_is_gpu_aware`` accepts an ``exec``
probe whose command exercises the GPU (the shared ``gpucheck`` verdict) and, in production, an
``httpGet`` probe on the health endpoint that server answers from its engine (vLLM ``/health``,
Triton ``/v2/health/ready``, NIM ``/v1/health/ready``...; see ``gpulint.artifacts.gpu_servers``).
"""

from __future__ import annotations


from gpulint.artifacts import gpucheck
from gpulint.artifacts.gpu_servers import GpuServer, engine_health_path, server_of_command, server_of_image
from gpulint.artifacts.kubernetes.model import PROBE_HANDLERS
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.shell import command_string, is_shell, split_words



def container_command(container: Y.Node) -> list[str]:
    """``command`` + ``args`` as words; an ``sh -c`` command string is split into its words (the
    words after it are the script's ``$0``, ``$1``..., not commands)."""
    words = [Y.text(w) or "" for w in Y.items(Y.get(container, "command")) + Y.items(Y.get(container, "args"))]
    out: list[str] = []
    for index, word in enumerate(words):
        invoked = command_string(words[index:]) if is_shell(word) else None
        if invoked is not None:
            out.extend(split_words(invoked.text, comments=True))
            break
        out.append(word)
    return out


def container_server(container: Y.Node) -> GpuServer | None:
    """The GPU inference server a container runs, or None when it is not a well-known one. A
    ``command`` that only keeps the container alive (``sleep infinity``, ``tail -f /dev/null``)
    replaces the image's entrypoint: the server the image would start never runs (a toolbox pod
    on a Triton SDK image)."""
    command = container_command(container)
    server = server_of_command(command)
    if server is not None:
        return server
    if Y.get(container, "command") is not None and idle_command(command):
        return None
    return server_of_image(Y.text(Y.get(container, "image")))


def idle_command(words: list[str]) -> bool:
    """A command that runs nothing but waits: ``sleep``, ``pause``, ``tail -f /dev/null``, ``cat``."""
    if not words:
        return False
    program = words[0].rsplit("/", 1)[-1]
    return program in ("sleep", "pause") or program == "cat" and len(words) == 1 or \
        program == "tail" and "/dev/null" in words


def probe_handler(container: Y.Node, probe: str) -> tuple[Y.Node, Y.Node] | None:
    handlers = [(k, v) for k, v in Y.pairs(Y.get(container, probe)) if Y.is_scalar(k) and k.value in PROBE_HANDLERS]
    return handlers[0] if len(handlers) == 1 else None


def engine_health_probe(container: Y.Node, probe: str) -> bool:
    """An httpGet probe on the engine-checked health endpoint of the server the container runs."""
    found = probe_handler(container, probe)
    server = container_server(container)
    if found is None or server is None or found[0].value != "httpGet":
        return False
    return engine_health_path(server, Y.text(Y.get(found[1], "path")))


def probe_is_gpu_aware(container: Y.Node, probe: str) -> bool:
    """The probe notices a broken GPU: an exec GPU check, or the engine's own health endpoint."""
    found = probe_handler(container, probe)
    if found is None:
        return False
    key, handler = found
    if key.value == "exec":
        argv = [Y.text(word) for word in Y.items(Y.get(handler, "command"))]
        if not argv or any(word is None for word in argv):
            return False
        verdict = gpucheck.judge_exec(argv, lambda path: "it runs inside the image")  # type: ignore[arg-type]
        return verdict.passes and verdict.kind != gpucheck.NVIDIA_SMI
    return engine_health_probe(container, probe)


def probe_advice(container: Y.Node, probe: str) -> str:
    """How to make a probe GPU-aware for this container, never an exec that opens a second CUDA
    context beside a server that has claimed the GPU's memory."""
    server = container_server(container)
    if server is not None:
        port = _container_port(container) or server.default_port
        return (f"use {server.name}'s engine health endpoint: `{probe}: {{httpGet: {{path: {server.health_paths[0]}, "
                f"port: {port}}}}}`" + ("; an exec probe that starts CUDA would need GPU memory the server has "
                                        "already claimed" if server.preallocates else ""))
    return (f"give `{probe}` a check that fails when the GPU is gone: the server's own health endpoint if it "
            "checks its engine, or `exec` of the GPU smoke test if the server leaves GPU memory free")


def _container_port(container: Y.Node) -> int | None:
    for port in Y.items(Y.get(container, "ports")):
        value = Y.scalar(Y.get(port, "containerPort"))
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None
