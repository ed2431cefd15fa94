from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.project.lifecycle import flag_span, healthcheck_option, python_gpu_healthcheck
from gpulint.rules.base import Report, Rule

MIN_SECONDS = 5


class HealthcheckTimeoutTooShort(Rule):
    """
    ## What it does
    Reports a `HEALTHCHECK` that starts Python (the GPU smoke test) with an explicit
    `--timeout` shorter than 5 seconds. Docker's default (30 s) is fine; only a timeout set
    too short is reported, and not for a check that never touches the GPU (a script that gpulint
    reads and finds no CUDA, NVML or CuPy call in, an HTTP probe): Python alone starts in time.

    ## Why is this bad?
    Starting Python, importing `torch` and creating a CUDA context takes seconds, longer on a
    busy node or a cold page cache. A check that is killed at its timeout counts as failed, so
    a 2 s timeout marks a healthy GPU container `unhealthy` forever, and anything acting on
    health (Swarm, autoheal, compose `depends_on: service_healthy`) restarts or waits on it.
    The Kubernetes twin of this mistake (exec probes killed at the 1 s default,
    Azure/AKS#2256) is a frequent cause of restart loops.

    ## Example
    ```dockerfile
    HEALTHCHECK --interval=30s --timeout=2s CMD ["python3", "/app/smoke_test.py"]
    ```

    ## Use instead
    ```dockerfile
    HEALTHCHECK --interval=30s --timeout=20s --start-period=60s CMD ["python3", "/app/smoke_test.py"]
    ```

    ## Fix
    Give the Python health check a `--timeout` of at least 10-20 s (or leave Docker's 30 s default).
    """

    id = "GL511"
    name = "healthcheck-timeout-too-short"
    severity = Severity.ERROR
    kind = "dockerfile"
    criterion = None
    summary = "a Python/torch HEALTHCHECK has a --timeout under 5 s, so it times out and fails forever"
    fix = "raise the HEALTHCHECK --timeout to 20s (Python + torch + CUDA init take seconds)"

    def check(self, dockerfile, project) -> Iterator[Report]:
        hc = python_gpu_healthcheck(dockerfile)
        if hc is None:
            return  # no Python check, or one that never initialises CUDA: a short timeout fits it
        option = healthcheck_option(hc, "timeout")
        if option is None or option[0] is None or option[0] >= MIN_SECONDS:
            return
        seconds, flag = option
        yield self.report(flag_span(hc.instruction, flag),
                          f"--timeout={flag.value} kills a health check that starts Python and initialises CUDA "
                          f"after {seconds:g} s; it will time out and the container is marked unhealthy")
