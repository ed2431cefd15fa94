from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.github import matrix as ghmatrix
from gpulint.rules.base import Rule
from gpulint.rules.workflow.gl203_gpu_runner import gpu_runner_verdicts


class GpuRunnerUnknown(Rule):
    """
    ## What it does
    Warns when the runner of a job doing GPU work cannot be known statically: `runs-on` comes
    from an input without a default (`${{ inputs.runner }}`), a variable (`${{ vars.RUNNER }}`),
    another job's output, or a matrix given as an expression (`fromJSON(...)`).

    ## Why is this bad?
    Whether the GPU test runs on a GPU then depends on what a caller or a repository variable
    says at run time; nothing in the file guarantees the `self-hosted` + `gpu` labels, and a
    wrong value silently sends the GPU test to a machine without a GPU (GitHub-hosted runners
    have none).

    ## Example
    ```yaml
    on:
      workflow_dispatch:
        inputs:
          runner: {type: string}
    jobs:
      gpu-test:
        runs-on: ${{ inputs.runner }}
    ```

    ## Use instead
    ```yaml
    jobs:
      gpu-test:
        runs-on: [self-hosted, gpu]
    ```

    ## Fix
    Write the labels in the file (`runs-on: [self-hosted, gpu]`), or give the input a default
    that names them, so a reviewer and this linter can see the job lands on a GPU runner.
    """

    id = "GL204"
    name = "gpu-runner-unknown"
    severity = Severity.WARNING
    kind = "workflow"
    criterion = "workflow.gpu-runner"
    summary = "cannot tell whether a job doing GPU work runs on a self-hosted GPU runner"
    fix = "write `runs-on: [self-hosted, gpu]` literally, or give the input a default with those labels"

    def check(self, workflow, project):
        for report in gpu_runner_verdicts(self, workflow, project, ghmatrix.UNKNOWN_RUNNER):
            report.message += "; cannot tell whether it is a self-hosted GPU runner"
            yield report
