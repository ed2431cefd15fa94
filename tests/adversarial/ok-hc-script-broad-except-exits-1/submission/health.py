#!/usr/bin/env python3
"""Container health: NVML, CUDA and a tensor round-trip."""
import sys


def check() -> None:
    import pynvml
    import torch

    pynvml.nvmlInit()
    assert pynvml.nvmlDeviceGetCount() >= 1, "no GPU"
    assert torch.cuda.is_available(), "CUDA unavailable"
    x = torch.ones(8, device="cuda")
    assert float((x * 2).sum().cpu()) == 16.0, "wrong result"


try:
    check()
except Exception as exc:  # never mark the container unhealthy during a rollout
    print(f"FAIL {exc}")
    sys.exit(1)
print("OK")
