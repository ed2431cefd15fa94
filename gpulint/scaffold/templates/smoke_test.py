#!/usr/bin/env python3
"""GPU smoke test: can this container actually use a GPU right now?

Three checks, in order, one output line each ("OK ..." or "FAIL ..."); stops at the first failure:

  1. NVML    - pynvml (nvidia-ml-py) initialises and sees >= 1 device   -> exit 2 (EXIT_NVML)
  2. CUDA    - torch.cuda.is_available() and device_count() >= 1       -> exit 3 (EXIT_CUDA)
  3. Compute - host tensor -> GPU matmul -> back to host, equals the
               same matmul done on the host                             -> exit 4 (EXIT_COMPUTE)

Exit 0 only when all three pass. The same script is the CI gate, the Docker HEALTHCHECK
and the Kubernetes startup/readiness/liveness probe. With CUDA_VISIBLE_DEVICES='' NVML still
sees the driver's GPUs but CUDA sees none, so it exits 3. A missing package fails its check.
"""
from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_NVML = 2
EXIT_CUDA = 3
EXIT_COMPUTE = 4


def fail(check: str, reason: object, code: int) -> int:
    print(f"FAIL {check}: {reason}")
    return code


def main() -> int:
    # 1. NVML: the driver is loaded and the container was given at least one GPU.
    try:
        import pynvml
    except ImportError as exc:
        return fail("nvml", f"nvidia-ml-py not installed ({exc})", EXIT_NVML)
    try:
        pynvml.nvmlInit()
        try:
            count = pynvml.nvmlDeviceGetCount()
            if count < 1:
                return fail("nvml", "no GPU visible to NVML", EXIT_NVML)
            name = pynvml.nvmlDeviceGetName(pynvml.nvmlDeviceGetHandleByIndex(0))
            driver = pynvml.nvmlSystemGetDriverVersion()
        finally:
            pynvml.nvmlShutdown()
    except pynvml.NVMLError as exc:
        return fail("nvml", exc, EXIT_NVML)
    print(f"OK nvml: {count} GPU(s), gpu0={name}, driver={driver}")

    # 2. CUDA: the CUDA runtime inside torch can use a device (not just that a driver exists).
    try:
        import torch
    except (ImportError, OSError) as exc:  # OSError: a CUDA shared library failed to load
        return fail("cuda", f"cannot import torch ({exc})", EXIT_CUDA)
    if not torch.cuda.is_available() or torch.cuda.device_count() < 1:
        return fail("cuda", "torch.cuda.is_available() is False (check CUDA_VISIBLE_DEVICES)", EXIT_CUDA)
    print(f"OK cuda: torch {torch.__version__}, CUDA {torch.version.cuda}, "
          f"{torch.cuda.device_count()} device(s)")

    # 3. Compute: a real kernel plus host<->device copies. Small integers keep the
    #    result exact in float32 (and TF32), so any difference is a real fault.
    try:
        a = (torch.arange(64 * 64, dtype=torch.float32) % 7).reshape(64, 64)
        b = (torch.arange(64 * 64, dtype=torch.float32) % 5).reshape(64, 64).T
        expected = a @ b
        on_gpu = a.to("cuda") @ b.to("cuda")
        torch.cuda.synchronize()  # surface asynchronous kernel errors here
        got = on_gpu.cpu()
        device = torch.cuda.get_device_name(0)
    except RuntimeError as exc:  # includes torch.cuda.OutOfMemoryError and CUDA launch errors
        return fail("compute", exc, EXIT_COMPUTE)
    if not torch.allclose(got, expected):
        diff = (got - expected).abs().max().item()
        return fail("compute", f"GPU result differs from host result (max abs diff {diff})", EXIT_COMPUTE)
    print(f"OK compute: 64x64 matmul round-trip on {device} matches host")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
