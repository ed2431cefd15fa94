from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.project.lifecycle import flag_span, healthcheck_option, partners, python_gpu_healthcheck
from gpulint.rules.base import Report, Rule


class HealthcheckNoStartPeriod(Rule):
    r"""
    ## What it does
    Warns when the `HEALTHCHECK` of a GPU image runs the Python smoke test but sets no
    `--start-period` (or `--start-period=0s`), so no grace time covers CUDA initialisation and
    model warm-up. A Python check that never touches the GPU (an HTTP request, an import) is
    not judged: GL104 reports that it should.

    ## Why is this bad?
    During the start period failed checks do not count towards `--retries`. Without one, a
    container that needs a minute to load weights onto the GPU and build its CUDA context can
    be declared `unhealthy` before it ever served, and an orchestrator that acts on health
    restarts it in a loop. Kubernetes has the same need (a `startupProbe`, see GL513).
    Like the other lifecycle rules it judges a project: it applies when a workflow or a
    Kubernetes manifest sits next to the Dockerfile.

    ## Example
    ```dockerfile
    HEALTHCHECK --interval=30s --timeout=20s --retries=3 CMD ["python3", "/app/smoke_test.py"]
    ```

    ## Use instead
    ```dockerfile
    HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \
      CMD ["python3", "/app/smoke_test.py"]
    ```

    ## Fix
    Add `--start-period=` covering the image's warm-up (60 s or more for large models).
    """

    id = "GL514"
    name = "healthcheck-no-start-period"
    severity = Severity.WARNING
    kind = "dockerfile"
    criterion = None
    summary = "the GPU HEALTHCHECK has no --start-period covering CUDA and model warm-up"
    fix = "add --start-period=60s (or the image's warm-up time) to the HEALTHCHECK"

    def check(self, dockerfile, project) -> Iterator[Report]:
        if not partners(project, dockerfile, "kubernetes") and not partners(project, dockerfile, "workflow"):
            return  # a lone Dockerfile: the lifecycle rules judge a whole project
        hc = python_gpu_healthcheck(dockerfile)
        if hc is None:
            return  # no Python check, or one that never initialises CUDA (GL104 judges one that should)
        option = healthcheck_option(hc, "start-period")
        if option is None:
            yield self.report(hc.instruction.keyword_span(),
                              "the HEALTHCHECK runs the Python GPU check with no --start-period: failures while "
                              "CUDA and the model warm up count towards --retries")
        elif option[0] is not None and option[0] == 0:
            yield self.report(flag_span(hc.instruction, option[1]),
                              "--start-period=0 gives CUDA and model warm-up no grace time")
