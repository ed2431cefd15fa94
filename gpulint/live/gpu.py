"""The GPUs this machine has, through NVML (pynvml, from nvidia-ml-py)."""

from __future__ import annotations

from gpulint.live.model import Gpu


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def probe_gpus() -> tuple[list[Gpu], str | None]:
    """(GPUs, None) or ([], the one-line reason none can be used)."""
    try:
        import pynvml
    except ImportError:
        return [], "nvidia-ml-py is not installed, so no GPU can be found: pip install 'gpulint[live]'"
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as error:
        text = str(error)
        if "Library Not Found" in text or "Driver Not Loaded" in text:
            return [], f"no NVIDIA driver on this machine (NVML: {text})"
        return [], f"NVML cannot start: {text}"
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        try:
            cuda = pynvml.nvmlSystemGetCudaDriverVersion_v2()
        except (pynvml.NVMLError, AttributeError):
            cuda = pynvml.nvmlSystemGetCudaDriverVersion()
        cuda_text = f"{cuda // 1000}.{cuda % 1000 // 10}"
        gpus = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            try:
                memory = int(pynvml.nvmlDeviceGetMemoryInfo(handle).total // (1024 * 1024))
            except pynvml.NVMLError:
                memory = None
            try:
                uuid = _text(pynvml.nvmlDeviceGetUUID(handle))
            except pynvml.NVMLError:
                uuid = None
            gpus.append(Gpu(index, _text(pynvml.nvmlDeviceGetName(handle)), driver, cuda_text, memory, uuid))
    except pynvml.NVMLError as error:
        return [], f"NVML error: {error}"
    finally:
        try:
            pynvml.nvmlShutdown()
        except pynvml.NVMLError:
            pass
    if not gpus:
        return [], "NVML sees no GPU on this machine"
    return gpus, None
