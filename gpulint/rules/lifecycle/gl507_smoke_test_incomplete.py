from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.artifacts.smoketest import analyse, library_checks
from gpulint.project.lifecycle import imported_modules, smoke_tests
from gpulint.rules.base import Report, Rule
from gpulint.rules.lifecycle._smoke_common import anchor


class SmokeTestIncomplete(Rule):
    """
    ## What it does
    Reads the project's GPU smoke test (the Python script the HEALTHCHECK runs, else
    `smoke_test.py`) with `ast` and warns when one of its three checks is missing: NVML is
    initialised (`pynvml.nvmlInit()`), CUDA availability decides the result
    (`torch.cuda.is_available()` / `device_count()`, or CuPy's `getDeviceCount()`), and a real
    round-trip runs on the GPU: a tensor created on or moved to `cuda`, brought back with
    `.cpu()`/`.item()`/`.tolist()`/`.numpy()` and compared (`==`, `allclose`, `assert`).
    Only code that runs counts; a comment or a print that mentions the calls does not. A smoke
    test split over modules is read whole: the modules it imports from its own folder
    (`from gpu_checks import main`) count, every function of them. Applies when the smoke test
    sits in a project with a workflow or a Kubernetes manifest.

    ## Why is this bad?
    Each check catches a different failure. NVML initialisation fails inside long-running
    containers that lost their device nodes ("Failed to initialize NVML: Unknown Error",
    ErsatzTV/legacy#1071); `is_available()` catches a CPU-only wheel or a hidden GPU; only a
    computation whose result is copied back and checked proves that kernels run, which is
    what failed when hosts reloaded systemd (NVIDIA/nvidia-container-toolkit#857) while
    `nvidia-smi` still answered.

    ## Example
    ```python
    import sys, torch
    sys.exit(0 if torch.cuda.is_available() else 3)
    ```

    ## Use instead
    ```python
    import sys, pynvml, torch
    pynvml.nvmlInit()
    if not torch.cuda.is_available():
        sys.exit(3)
    x = torch.ones(8, device="cuda") * 2
    sys.exit(0 if x.sum().item() == 16 else 4)
    ```

    ## Fix
    Add the missing check: `pynvml.nvmlInit()`, a `torch.cuda.is_available()` test, and a
    small tensor computed on `cuda`, copied back and compared with the expected value.
    """

    id = "GL507"
    name = "smoke-test-incomplete"
    severity = Severity.WARNING
    kind = "project"
    criterion = None
    summary = "the smoke test lacks NVML init, a CUDA availability check, or a GPU tensor round-trip"
    fix = "add nvmlInit(), a torch.cuda.is_available() test and a GPU tensor round-trip that is compared"

    def check(self, project, _project=None) -> Iterator[Report]:
        for script in smoke_tests(project):
            result = analyse(script)
            found = [result] + [library_checks(m) for m in imported_modules(project, script)]
            missing = []
            if not any(r.nvml_init for r in found):
                missing.append("never initialises NVML (pynvml.nvmlInit())")
            if not any(r.availability for r in found):
                missing.append("never tests torch.cuda.is_available() (or the CuPy equivalent)")
            if not any(r.round_trip for r in found):
                missing.append("never computes on the GPU and compares the result copied back (.cpu()/.item())")
            if missing:
                yield self.report(anchor(script), "the smoke test " + "; ".join(missing)
                                  + ": it can pass on a container whose GPU does not work")
