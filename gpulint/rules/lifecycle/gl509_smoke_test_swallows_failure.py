from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.artifacts.smoketest import analyse
from gpulint.project.lifecycle import smoke_tests
from gpulint.rules.base import Report, Rule


class SmokeTestSwallowsFailure(Rule):
    """
    ## What it does
    Reports an exception handler in the smoke test that turns a failed GPU check into success:
    a bare `except:`, `except Exception` or `except BaseException` around a GPU call, an
    `assert` or an exit, whose body does not re-raise, exit non-zero, return a failure or set
    a flag that is checked later, but `pass`es, prints, calls `sys.exit(0)` or returns 0 from
    the function whose value becomes the exit code. Applies when the smoke test sits in a
    project with a workflow or a Kubernetes manifest.

    ## Why is this bad?
    The whole point of the smoke test is to fail when the GPU is broken. Under a handler that
    swallows everything, "Failed to initialize NVML", "no CUDA-capable device" and a failed
    kernel all become exit 0: the HEALTHCHECK stays healthy, the probes keep the pod in
    service and CI pushes the image. A bare `except:` or `except BaseException` even catches
    the `SystemExit` of an explicit `sys.exit(3)`.

    ## Example
    ```python
    try:
        pynvml.nvmlInit()
        assert torch.cuda.is_available()
    except Exception as exc:
        print("warning:", exc)
    sys.exit(0)
    ```

    ## Use instead
    ```python
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        print("FAIL nvml:", exc)
        sys.exit(2)
    ```

    ## Fix
    Catch only the errors you expect and exit with the check's non-zero code in the handler.
    """

    id = "GL509"
    name = "smoke-test-swallows-failure"
    severity = Severity.ERROR
    kind = "project"
    criterion = None
    summary = "a bare/broad except in the smoke test turns a failed GPU check into exit 0"
    fix = "exit non-zero (or re-raise) in the handler, and catch only the specific errors"

    def check(self, project, _project=None) -> Iterator[Report]:
        for script in smoke_tests(project):
            for handler, why in analyse(script).swallowing:
                start = script.source.offset(handler.lineno, handler.col_offset + 1)
                span = script.node_span(handler)
                span = type(span)(script.source, start, start + 6)
                yield self.report(span, f"the smoke test's {why}: a broken GPU then passes the check")
