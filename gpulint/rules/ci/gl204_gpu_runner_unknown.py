from __future__ import annotations

from gpulint.ci.model import SYSTEMS, UNKNOWN_RUNNER
from gpulint.core.findings import Severity
from gpulint.project.pipelines import runner_context
from gpulint.rules.base import Rule


class GpuRunnerUnknown(Rule):
    """
    ## What it does
    Reports GPU work whose runner cannot be shown to have a GPU, nor to lack one: a GitHub
    `runs-on` that comes from an input without a default, a variable or an expression gpulint
    cannot evaluate; a self-hosted label that names no card gpulint knows; GitLab `tags:` built
    from a variable set outside the file; a Cloud Build private pool (whether its workers have
    GPUs is configured outside the build file).

    ## Why is this bad?
    A GPU test that may run on a machine without a GPU proves nothing; a reader of the
    pipeline cannot tell either. Naming the runner literally (or listing the label in
    `gpu-runner-labels`) makes the pipeline's claim checkable.

    ## Example
    ```yaml
    gpu-test:
      runs-on: ${{ inputs.runner }}
      steps:
        - run: docker run --rm --gpus all app python3 /app/smoke_test.py
    ```

    ## Use instead
    ```yaml
    gpu-test:
      runs-on: [self-hosted, gpu]
      steps:
        - run: docker run --rm --gpus all app python3 /app/smoke_test.py
    ```

    ## Fix
    Write the GPU runner's labels (tags, pool) literally, give the input a default with them, or
    add the team's own label names to `gpu-runner-labels` in `.gpulint.yaml`.
    """

    id = "GL204"
    name = "gpu-runner-unknown"
    aliases = ("GL604", "gitlab-gpu-runner-unknown", "GL624", "cloudbuild-gpu-pool-unknown")
    severity = Severity.WARNING
    kind = "ci"
    criterion = "workflow.gpu-runner"
    covers = SYSTEMS
    summary = "cannot tell whether a step, job or task doing GPU work runs on a GPU runner"
    fix = "write the GPU runner's labels or tags literally, or add them to `gpu-runner-labels`"

    def check(self, pipeline, project):
        for verdict in pipeline.runner_verdicts(runner_context(project)):
            if verdict.verdict == UNKNOWN_RUNNER:
                message = verdict.message
                if pipeline.system == "github":
                    message += "; cannot tell whether it is a self-hosted GPU runner"
                yield self.report(verdict.span, message, fix=verdict.fix, confidence="low")
