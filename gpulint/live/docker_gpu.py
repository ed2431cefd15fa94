"""Which engine answers, and how to ask it for a GPU.

The GPU is requested, and the engine's answer decides: Docker's ``DeviceRequests`` with CDI device
names where the engine supports CDI (Docker 25+ with CDI enabled, Podman 5.4+), then the NVIDIA
driver's request (what ``--gpus all`` sends, served by the NVIDIA container toolkit with or without
an ``nvidia`` runtime entry). A refusal is the engine's own words. Podman before 5.4 accepts GPU
requests through its Docker-compatible API and silently ignores them, so none is made there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

PODMAN_GPU_MIN = (5, 4)
CDI_ALL = "nvidia.com/gpu=all"
_CDI_DIRS = ("/etc/cdi", "/var/run/cdi")
_REFUSALS = ("could not select device driver", "unknown or invalid runtime", "cdi", "nvidia-container-cli",
             "nvidia-container-runtime", "nvidia-container-toolkit", "device driver", "gpu")


def identify(version: dict) -> tuple[str, str, bool]:
    """(the engine's name, its version, whether it is Podman), from the version endpoint's components."""
    for component in version.get("Components") or []:
        if isinstance(component, dict) and "podman" in str(component.get("Name", "")).lower():
            return "Podman", str(component.get("Version") or version.get("Version") or "?"), True
    platform_name = str((version.get("Platform") or {}).get("Name") or "")
    if "podman" in platform_name.lower():
        return "Podman", str(version.get("Version") or "?"), True
    return platform_name or "Docker Engine", str(version.get("Version") or "?"), False


def version_tuple(text: str) -> tuple[int, ...]:
    match = re.match(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    return tuple(int(g) for g in match.groups() if g is not None) if match else ()


def cdi_devices(info: dict, url: str) -> list[str]:
    """NVIDIA CDI device names the engine reports (Docker 28.2+), or finds in the local spec dirs."""
    found = [str(d.get("ID")) for d in info.get("DiscoveredDevices") or []
             if isinstance(d, dict) and str(d.get("ID", "")).startswith("nvidia.com/gpu")]
    if found or not url.startswith("unix://"):
        return found
    for directory in info.get("CDISpecDirs") or _CDI_DIRS:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if name.endswith((".yaml", ".yml", ".json")):
                try:
                    text = Path(directory, name).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if "nvidia.com/gpu" in text or "kind: nvidia.com" in text:
                    return [CDI_ALL]
    return found


def gpu_requests(types: Any, info: dict, url: str, podman: bool,
                 version: str) -> tuple[list[tuple[str, Any]], str | None]:
    """The device requests to try, in order, as (what it is, DeviceRequest); or ([], why none is made)."""
    if podman and version_tuple(version) < PODMAN_GPU_MIN:
        return [], (f"Podman {version} ignores GPU requests made through its Docker-compatible API (fixed in "
                    "Podman 5.4): upgrade Podman and generate the CDI spec (sudo nvidia-ctk cdi generate "
                    "--output=/etc/cdi/nvidia.yaml)")
    requests: list[tuple[str, Any]] = []
    cdi = cdi_devices(info, url)
    if cdi or podman or info.get("CDISpecDirs"):
        names = cdi or [CDI_ALL]
        requests.append((f"CDI devices {', '.join(names)}", types.DeviceRequest(driver="cdi", device_ids=names)))
    requests.append(("all GPUs (NVIDIA driver, as --gpus all)", types.DeviceRequest(count=-1, capabilities=[["gpu"]])))
    return requests, None


def is_refusal(text: str) -> bool:
    """Whether an engine's create/start error is about the device request (not the image or the command)."""
    lowered = text.lower()
    return any(word in lowered for word in _REFUSALS) and "executable file not found" not in lowered
