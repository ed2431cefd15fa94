from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.commands import PUSH, TEST
from gpulint.ci.github.pipeline import first_per_step, pipeline, scenario_list
from gpulint.ci.github.reuse import judged_through_callers
from gpulint.rules.base import Rule


class PushBeforeTest(Rule):
    """
    ## What it does
    Checks that every step that pushes an image runs only after the GPU test succeeded: the
    test runs in a job the push job `needs:` (directly or transitively), or in an earlier step
    of the same job, and a failed test stops the push in every scenario in which the push may
    run. A test whose failure is hidden (`|| true`, a pipe, `continue-on-error: true`), a push
    job whose `if:` uses `always()` or `failure()`, or a test that runs after the push does not
    gate anything.

    ## Why is this bad?
    A push that does not wait for the GPU test ships images that were never shown to work on a
    GPU: a CUDA/driver mismatch or a CPU-only wheel then reaches the registry and the cluster,
    and only the readiness probe (if any) stands between it and users.

    ## Example
    ```yaml
    gpu-test:
      needs: build
      runs-on: [self-hosted, gpu]
      steps:
        - run: docker run --rm --gpus all app python3 /app/smoke_test.py || true
    push:
      needs: gpu-test
      if: github.ref == 'refs/heads/main' && github.event_name == 'push'
    ```

    ## Use instead
    ```yaml
    gpu-test:
      needs: build
      runs-on: [self-hosted, gpu]
      steps:
        - run: docker run --rm --gpus all app python3 /app/smoke_test.py
    push:
      needs: [build, gpu-test]
      if: github.ref == 'refs/heads/main' && github.event_name == 'push'
    ```

    ## Fix
    Make the push job `needs:` the GPU test job (without `always()`), or push in a later step of
    the test job, and let the test's failure fail the job.
    """

    id = "GL207"
    name = "push-not-after-gpu-test"
    severity = Severity.ERROR
    kind = "workflow"
    criterion = "workflow.push-gated"
    summary = "a step that pushes the image can run without the GPU test having succeeded"
    fix = "add `needs: <gpu test job>` to the push job (no always()) and do not mask the test with `|| true`"

    def check(self, workflow, project):
        if judged_through_callers(project, workflow):
            return  # its pushes are judged in each caller's context
        p = pipeline(workflow, project)
        if not p.existing(TEST):
            return  # GL202 reports the missing test
        for hit in first_per_step(p.existing(PUSH), workflow):
            untested = p.untested(hit)
            if not untested:
                continue
            yield self.report(workflow.span(hit.step.key_node),
                              f"the {hit.step.label()} in job '{hit.step.job_id}' pushes the image ({hit.detail}) "
                              f"without the GPU test having to succeed first: {untested[0].reason} "
                              f"(can happen {scenario_list(untested)})")
