from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.rules.base import Rule


class SmokeTestBroken(Rule):
    """
    ## What it does
    In live mode (`gpulint live`, `check --live`, `grade --live`), runs the project's smoke test
    and gpulint's own reference smoke test in the built image under the same conditions (with the
    GPU requested). When the reference passes (NVML sees the device, CUDA is available, a small
    kernel's result comes back right) but the project's smoke test fails, the project's test is
    broken: the GPU works, the test says it does not. The finding carries both exit codes, what
    each printed and the devices the container saw. Static `gpulint check` never reports it.

    ## Why is this bad?
    A HEALTHCHECK, readiness or liveness probe built on a broken smoke test marks healthy pods
    unhealthy: Kubernetes restarts them or never sends them traffic, and a rollout stalls on an
    image that works.

    ## Example
    ```python
    import torch, sys
    sys.exit(0 if torch.cuda.device_count() > 8 else 1)  # wrong expectation: fails on a 1-GPU node
    ```

    ## Use instead
    ```python
    import sys, torch
    if not torch.cuda.is_available():
        sys.exit(3)
    x = torch.ones(64, 64, device="cuda")
    sys.exit(0 if float((x @ x).sum().item()) == 64.0 ** 3 else 4)
    ```

    ## Fix
    Make the smoke test pass when the GPU works: check NVML, `torch.cuda.is_available()` and a
    small kernel, as gpulint's reference smoke test does, and read both outputs in the finding.
    """

    id = "GL701"
    name = "smoke-test-broken"
    severity = Severity.ERROR
    kind = "live"
    criterion = "smoketest.healthy"
    summary = "live: the project's smoke test fails where gpulint's reference smoke test shows the GPU works"
    fix = "make the smoke test pass when the GPU works (NVML, torch.cuda.is_available(), a small kernel)"
