from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.rules.base import Rule
from gpulint.rules.ci.gl603_gitlab_gpu_runner import gitlab_runner_verdicts


class GitLabGpuRunnerUnknown(Rule):
    """
    ## What it does
    Warns when the tags of a GitLab job doing GPU work cannot be known from the file:
    `tags: [$RUNNER_TAG]` where the variable is set only in the project's CI/CD settings or by
    the pipeline's caller.

    ## Why is this bad?
    Whether the GPU test lands on a GPU runner then depends on a value nobody reviewing the file
    can see; a wrong value silently sends it to a runner without a GPU.

    ## Example
    ```yaml
    gpu-test:
      tags: [$RUNNER_TAG]
    ```

    ## Use instead
    ```yaml
    variables:
      RUNNER_TAG: gpu
    gpu-test:
      tags: [$RUNNER_TAG]
    ```

    ## Fix
    Write the GPU tag literally, or define the variable in the file's `variables:`.
    """

    id = "GL604"
    name = "gitlab-gpu-runner-unknown"
    severity = Severity.WARNING
    kind = "gitlab"
    criterion = "workflow.gpu-runner"
    covers = ("gitlab",)
    summary = "cannot tell whether a GitLab job doing GPU work runs on a GPU runner"
    fix = "write `tags: [gpu]` literally, or define the tag variable in `variables:`"

    def check(self, pipeline, project):
        yield from gitlab_runner_verdicts(self, pipeline, project, "unknown")
