from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.rules.base import Rule


class SmokeTestLying(Rule):
    """
    ## What it does
    In live mode, runs the project's smoke test and gpulint's reference smoke test in the built
    image under the same conditions: with the GPU requested, and in the negative runs (no device
    request at all, `NVIDIA_VISIBLE_DEVICES=void`, `CUDA_VISIBLE_DEVICES=''`). When the reference
    shows the GPU cannot work there (no CUDA in the image, a CPU-only torch, a driver mismatch, no
    device attached) but the project's smoke test exits 0, the project's test is lying. The
    finding carries both exit codes, what each printed and the devices the container saw.

    ## Why is this bad?
    A smoke test that passes without a working GPU turns every layer built on it into a false
    promise: CI pushes an image that cannot compute, the HEALTHCHECK and the probes report it
    healthy, and traffic reaches pods that fail every request or silently fall back to the CPU.

    ## Example
    ```python
    try:
        import torch
        torch.cuda.init()
    except Exception:
        pass
    print("ok")  # exit 0 whatever happened
    ```

    ## Use instead
    ```python
    import sys, torch
    if not torch.cuda.is_available():
        print("FAIL cuda: not available")
        sys.exit(3)
    ```

    ## Fix
    Make the smoke test exit non-zero when the GPU cannot compute: fail when NVML sees no device,
    when `torch.cuda.is_available()` is False, and when a small kernel's result is wrong.
    """

    id = "GL702"
    name = "smoke-test-lying"
    severity = Severity.ERROR
    kind = "live"
    criterion = "smoketest.healthy"
    summary = "live: the project's smoke test exits 0 where gpulint's reference smoke test shows no usable GPU"
    fix = "make the smoke test exit non-zero when NVML sees no device, CUDA is unavailable or a kernel is wrong"
