"""Names that say what kind of GPU process something is, read the same way for the command an
image runs (``dockerfile.role``) and for the images a pod runs (``kubernetes.gpu_workload``).

* GPU infrastructure daemons hold or watch the GPUs for the whole cluster: device plugins,
  feature discovery, DCGM and its exporter, the GPU operator and its validators, driver managers
  and installers, MIG and DRA managers, node problem detectors. They are not GPU services, so the
  service rules (probes, HEALTHCHECK, rollout) do not judge them.
* Workbenches are interactive notebooks and IDEs (Jupyter, code-server, RStudio): a developer's
  session, not a service.
"""

from __future__ import annotations

import re

# Daemon names, found anywhere in a command's first words or in an image's name.
_DAEMON_WORDS = (r"dcgm|nv-hostengine|device-plugin|gpu-feature-discovery|node-feature-discovery|gpu-operator"
                 r"|mig-manager|node-problem-detector|driver-manager|dra-driver|nvidia-dra|kube-gpu-monitor"
                 r"|gpu-monitoring-tools")
_DAEMON_IN_COMMAND = re.compile(_DAEMON_WORDS, re.IGNORECASE)
# Images also by a whole name that only an installer image has (`nvidia/driver`, `container-toolkit`).
_DAEMON_IMAGE = re.compile(rf"(?:{_DAEMON_WORDS})|(?:^|[-_/])(?:driver|driver-installer|[a-z-]*nvidia-installer"
                           r"|container-toolkit)$", re.IGNORECASE)

# Programs that start a workbench, and words of the images that ship one.
_WORKBENCH_PROGRAMS = frozenset({"jupyter", "jupyterhub", "jupyter-lab", "jupyterlab", "jupyterhub-singleuser",
                                 "code-server", "rstudio-server"})
# docker-stacks' launchers, as `.sh` (older images) or `.py` (since 2023) or without a suffix.
_WORKBENCH_LAUNCHERS = frozenset({"start-notebook", "start-singleuser"})
_WORKBENCH_IMAGE_WORDS = frozenset({"jupyter", "jupyterlab", "jupyterhub", "notebook", "notebooks", "rstudio"})


def daemon_command(words: list[str]) -> bool:
    """The command (its program and first argument) runs a GPU infrastructure daemon."""
    return bool(_DAEMON_IN_COMMAND.search(" ".join(words[:2])))


def daemon_image(repository: str) -> bool:
    """An image repository (``nvcr.io/nvidia/k8s-device-plugin``) of a GPU infrastructure daemon,
    judged by its last path component."""
    return bool(_DAEMON_IMAGE.search(repository.lower().rsplit("/", 1)[-1]))


def workbench_program(names: set[str]) -> bool:
    """One of the names (program, module, first arguments) starts a workbench."""
    return bool(names & _WORKBENCH_PROGRAMS) or any(
        name.removesuffix(".sh").removesuffix(".py") in _WORKBENCH_LAUNCHERS for name in names)


def workbench_image(repository: str, tag: str | None = None) -> bool:
    """An image whose name or tag says it ships a workbench (``jupyter/pytorch-notebook``,
    ``codercom/code-server``, ``rocker/rstudio``)."""
    text = f"{repository} {tag or ''}".lower()
    words = {w for w in re.split(r"[^a-z0-9]+", text) if w}
    return bool(words & _WORKBENCH_IMAGE_WORDS) or "code-server" in text
