from __future__ import annotations

from gpulint.ci.judge import existing, first_per_unit, main_reason, scenario_list, untested
from gpulint.ci.model import PUSH, SYSTEMS, TEST
from gpulint.core.findings import Severity
from gpulint.project.pipelines import same_repository
from gpulint.project.lifecycle import push_judged
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.pipelines import needs_gpu_test
from gpulint.rules.base import Rule


class PushBeforeTest(Rule):
    """
    ## What it does
    Checks that every push of the image runs only after the GPU test succeeded, in every
    scenario in which the push may run, in each CI system's terms:

    - GitHub Actions: the test runs in a job the push job `needs:` (directly or transitively),
      or in an earlier step of the same job; a push job whose `if:` uses `always()` or
      `failure()`, or `continue-on-error` on the test, gates nothing;
    - GitLab CI: the test job is in an earlier stage or in the push job's `needs:`; `when:
      always`/`on_failure`, `allow_failure` or a test in `after_script` gates nothing;
    - Cloud Build: the push step waits for the test step (`waitFor`), or the image is listed in
      `images:` (pushed after every step succeeded); `allowFailure` gates nothing;
    - Tekton: the push task runs after the test task (`runAfter`, result references); a
      `finally` task runs even after a failure, and `onError: continue` gates nothing.

    A test whose failure is hidden (`|| true`, a pipe, an `if` test) or that runs after the push
    does not gate anything either. Reported only when some pipeline runs a GPU test (GL202
    reports a missing one).

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
    Make the push depend on the GPU test (`needs:`, a later stage, `waitFor`, `runAfter`)
    without `always()`/`when: always`, and let the test's failure fail its step.

    Automatic fix: when the one thing missing is the dependency, the push job gets the job
    running the GPU test in its `needs:` (GitHub Actions, safe; GitLab CI: appended to its
    `needs:` list, safe, or a new `needs:`, unsafe, since a job with `needs:` receives only the
    artifacts of the jobs it needs). Masked tests, `continue-on-error`, `always()`/`when:
    always` and a test after the push in the same job are fixed by hand.
    """

    id = "GL207"
    name = "push-not-after-gpu-test"
    aliases = ("GL607", "gitlab-push-not-after-gpu-test", "GL627", "cloudbuild-push-not-after-gpu-test",
               "GL645", "tekton-push-before-test")
    severity = Severity.ERROR
    kind = "ci"
    criterion = "workflow.push-gated"
    covers = SYSTEMS
    summary = "a push of the image can run without the GPU test having succeeded"
    fix = "make the push depend on the GPU test (`needs:`, a later stage, `waitFor`, `runAfter`) and do not mask the test"
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.SAFE, Applicability.UNSAFE)

    def check(self, pipeline, project):
        if not pipeline.judged:
            return
        if not existing(pipeline, TEST):
            yield from self._after_other_workflow(pipeline, project)
            return  # GL202 reports a missing test
        for push in first_per_unit(existing(pipeline, PUSH)):
            if not push_judged(project, pipeline, push):
                continue  # the image it publishes has no GPU stack (docs, CPU, tools): not this rule's business
            bad = untested(pipeline, push)
            if not bad:
                continue
            when = f" (can happen {scenario_list(pipeline, bad)})" if len(pipeline.scenarios()) > 1 else ""
            shown = main_reason(bad)
            related = [(shown.test.span, f"the GPU test ({shown.test.detail}) the push does not wait for")] \
                if shown.test is not None and shown.test.span.source is not None else []
            yield self.report(push.span, f"{push.where} pushes the image ({push.detail}) without the GPU test "
                              f"having to succeed first: {shown.reason}{when}", related=related,
                              autofix=needs_gpu_test(pipeline, push))

    def _after_other_workflow(self, pipeline, project):
        """A push in a workflow started by `workflow_run` is gated by the workflows that trigger it:
        one of them must run the GPU test (its success is what the push's `if:` can require), when
        the project has a GPU test at all."""
        upstream = getattr(pipeline, "triggered_by", [])
        if not upstream:
            return
        others = same_repository(project, pipeline)
        if not any(existing(p, TEST) for p in others):
            return  # no pipeline of the project runs a GPU test: GL202 says so, once
        named = [p for p in others if getattr(p, "workflow_name", None) in upstream]
        if not named or any(existing(p, TEST) for p in named):
            return  # the triggering workflow is not in the scanned files, or it runs the GPU test
        for push in first_per_unit(existing(pipeline, PUSH)):
            if not push_judged(project, pipeline, push):
                continue  # the image it publishes has no GPU stack
            yield self.report(push.span, f"{push.where} pushes the image ({push.detail}) after a run of "
                              f"{', '.join(upstream)} (`workflow_run`), which runs no GPU test: its success proves "
                              "nothing about the GPU", related=[(p.anchor, "the triggering workflow") for p in named[:1]])
