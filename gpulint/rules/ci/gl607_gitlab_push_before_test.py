from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.commands import PUSH, TEST
from gpulint.ci.gitlab.pipeline import judged, scenario_list
from gpulint.rules.base import Rule


class GitLabPushBeforeTest(Rule):
    """
    ## What it does
    Checks that every GitLab job that pushes an image runs only after the GPU test succeeded:
    the test runs in a job of an earlier stage (when the push job has no `needs:`), in a job the
    push job `needs:` (directly or through other jobs), or in an earlier line of the same job's
    script. A test whose failure is hidden (`|| true`, `after_script`), a test job with
    `allow_failure: true`, a push job with `when: always`, or a push with `needs: []` (which
    starts at once) does not wait for anything.

    ## Why is this bad?
    A push that does not wait for the GPU test ships images that were never shown to work on a
    GPU; a CUDA/driver mismatch then reaches the registry and the cluster.

    ## Example
    ```yaml
    gpu-test:
      stage: test
      allow_failure: true
      script: [docker run --rm --gpus all "$IMAGE" python3 /app/smoke_test.py]
    push:
      stage: deploy
      script: [docker push "$IMAGE"]
    ```

    ## Use instead
    ```yaml
    gpu-test:
      stage: test
      script: [docker run --rm --gpus all "$IMAGE" python3 /app/smoke_test.py]
    push:
      stage: deploy
      needs: [gpu-test]
      script: [docker push "$IMAGE"]
    ```

    ## Fix
    Put the push in a later stage than the GPU test (or `needs: [gpu-test]`), without
    `allow_failure` on the test or `when: always` on the push.
    """

    id = "GL607"
    name = "gitlab-push-not-after-gpu-test"
    severity = Severity.ERROR
    kind = "gitlab"
    criterion = "workflow.push-gated"
    covers = ("gitlab",)
    summary = "a GitLab job that pushes the image can run without the GPU test having succeeded"
    fix = "put the push job in a later stage than the GPU test (or `needs: [gpu-test]`) and do not allow the test to fail"

    def check(self, pipeline, project):
        if not judged(pipeline, project) or not pipeline.existing(TEST):
            return
        seen: set[str] = set()
        for hit in pipeline.existing(PUSH):
            if hit.job.name in seen:
                continue
            seen.add(hit.job.name)
            untested = pipeline.untested(hit)
            if not untested:
                continue
            reason = next((r for s, _, r in untested if s.key == "push-main"), untested[0][2])
            yield self.report(hit.span(), f"job '{hit.job.name}' pushes the image ({hit.detail}) without the GPU "
                              f"test having to succeed first: {reason} (can happen "
                              f"{scenario_list([(s, st) for s, st, _ in untested])})")
