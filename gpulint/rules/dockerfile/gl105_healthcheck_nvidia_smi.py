from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts import gpucheck
from gpulint.artifacts.dockerfile.healthcheck import final_verdict
from gpulint.rules.base import Rule


class HealthcheckNvidiaSmi(Rule):
    """
    ## What it does
    Warns when the final image's `HEALTHCHECK` relies on `nvidia-smi` alone.

    With `--profile production` the rule judges GPU serving images (a GPU base or framework and a
    long-running process; see `gpulint/artifacts/dockerfile/role.py`): build, tool, test, base,
    CI and development images, samples, GPU daemons and CPU images get it as info only, and so do
    images whose role cannot be told. The lab profile judges a submission's Dockerfile whatever
    its role.

    ## Why is this bad?
    `nvidia-smi` proves the driver answers, not that CUDA works in this container: it can exit
    0 while its table shows `ERR!` for a failed GPU (PyTorch's CI moved off it for that reason,
    pytorch/test-infra#3967), and it does not notice a broken CUDA runtime, a cuDNN mismatch or
    a device that cannot allocate memory. It passes the lab criterion, with this warning.

    ## Example
    ```dockerfile
    HEALTHCHECK CMD nvidia-smi || exit 1
    ```

    ## Use instead
    ```dockerfile
    HEALTHCHECK --timeout=20s CMD ["python3", "/app/smoke_test.py"]
    ```

    ## Fix
    Replace `nvidia-smi` with a script that initialises NVML, checks
    `torch.cuda.is_available()` and runs a small tensor round-trip on the GPU.
    """

    id = "GL105"
    name = "healthcheck-nvidia-smi-only"
    severity = Severity.WARNING
    kind = "dockerfile"
    applies_to = "gpu-serving-image"
    criterion = "dockerfile.gpu-healthcheck"
    summary = "the HEALTHCHECK only runs nvidia-smi: the driver answers, CUDA is unproven"
    fix = "run a CUDA round-trip (the smoke test) instead of nvidia-smi alone"

    def check(self, dockerfile, project):
        judged = final_verdict(dockerfile)
        if judged is None:
            return
        healthcheck, verdict = judged
        if verdict.kind == gpucheck.NVIDIA_SMI:
            yield self.report(healthcheck.command_span(),
                              "the HEALTHCHECK only runs nvidia-smi: the driver answers, but CUDA is never exercised")
