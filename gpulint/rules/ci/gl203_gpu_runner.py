from __future__ import annotations

from gpulint.ci.model import NOT_GPU, SYSTEMS
from gpulint.core.findings import Severity
from gpulint.project.pipelines import runner_context
from gpulint.rules.base import Rule


class GpuRunner(Rule):
    """
    ## What it does
    Checks that every unit of CI work doing GPU work (the GPU test, `docker run --gpus`,
    `nvidia-smi`) runs on a machine with a GPU, in each CI system's terms:

    - GitHub Actions: `runs-on` is a self-hosted runner with a GPU label, for every matrix leg
      (`runs-on: ${{ matrix.runner }}` is resolved through `strategy.matrix` with `include` and
      `exclude`; a called reusable workflow's runner with the caller's inputs). A label counts
      when it names a GPU or accelerator (`gpu`, `cuda`, `a100`, `h100`, `l4`, `t4`, `3090`,
      `mi300x`, ...) or is listed in `gpu-runner-labels`. GitHub-hosted labels
      (`ubuntu-latest`, `windows-*`, `macos-*`) and a bare `self-hosted` fail.
    - GitLab CI: the job's `tags:` (per `parallel: matrix` leg) name a GPU runner; a job without
      tags may land on shared runners, which have no GPU.
    - Cloud Build: a GPU step runs on the default workers (no `options.pool`), which have no GPU.
    - Tekton: the step asks for `nvidia.com/gpu` ≥ 1 (`computeResources.limits`, the Task's
      `stepTemplate`, or the PipelineRun's `taskRunSpecs`), and, when the scanned files describe
      node groups, its pod template does not select only node groups without GPUs.

    Runners that cannot be shown either way are GL204.

    ## Why is this bad?
    Hosted CI machines have no NVIDIA GPU: `docker run --gpus all` there errors out or, with a
    fallback, silently tests the CPU path, so the pipeline reports green for an image that was
    never run on a GPU. A bare `self-hosted` label lets any self-hosted machine take the job.

    ## Example
    ```yaml
    gpu-test:
      runs-on: ${{ matrix.os }}
      strategy:
        matrix:
          os: [[self-hosted, gpu], ubuntu-latest]
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
    Run GPU work on a GPU runner: `runs-on: [self-hosted, gpu]`, GitLab `tags: [gpu]`, a Cloud
    Build private pool with GPUs (or a GPU VM), a Tekton step limit `nvidia.com/gpu: 1`.
    """

    id = "GL203"
    name = "gpu-job-not-on-gpu-runner"
    aliases = ("GL603", "gitlab-gpu-job-not-on-gpu-runner", "GL623", "cloudbuild-gpu-step-on-default-workers",
               "GL642", "tekton-gpu-task-not-on-gpu")
    severity = Severity.ERROR
    kind = "ci"
    criterion = "workflow.gpu-runner"
    covers = SYSTEMS
    summary = "a step, job or task doing GPU work does not run on a GPU runner (for some matrix leg)"
    fix = "run GPU work on a GPU runner (`runs-on: [self-hosted, gpu]`, GitLab `tags: [gpu]`, a GPU pool or limit)"

    def check(self, pipeline, project):
        for verdict in pipeline.runner_verdicts(runner_context(project)):
            if verdict.verdict == NOT_GPU:
                yield self.report(verdict.span, verdict.message, fix=verdict.fix)
