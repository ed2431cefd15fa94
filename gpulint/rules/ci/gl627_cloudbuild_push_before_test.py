from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.commands import PUSH, TEST
from gpulint.rules.base import Rule


class CloudBuildPushBeforeTest(Rule):
    """
    ## What it does
    Checks that every push in a Cloud Build configuration happens only after the GPU test
    succeeded. Steps run in order unless `waitFor` says otherwise, and a failed step stops the
    steps waiting for it, so a push step must come after the test step (and, with `waitFor`,
    wait for it directly or through other steps). Images under `images:` are pushed only after
    every step succeeded, so they are gated by any GPU test step. A push step before the test,
    one with `waitFor: ['-']`, a test with `allowFailure: true`, a test masked by `|| true`, or a
    test started asynchronously (`gcloud ai custom-jobs create`) gates nothing.

    ## Why is this bad?
    A push that does not wait for the GPU test ships images that were never shown to work on a
    GPU. A common GPU CI guide pushes right after `docker build` and tests afterwards: the
    registry then holds the image whatever the test says.

    ## Example
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/docker
        args: [build, -t, $_IMAGE, .]
      - name: gcr.io/cloud-builders/docker
        args: [push, $_IMAGE]
      - name: gcr.io/cloud-builders/docker
        args: [run, --rm, --gpus, all, $_IMAGE, python3, /app/smoke_test.py]
    ```

    ## Use instead
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/docker
        args: [build, -t, $_IMAGE, .]
      - name: gcr.io/cloud-builders/docker
        args: [run, --rm, --gpus, all, $_IMAGE, python3, /app/smoke_test.py]
    images: [$_IMAGE]   # pushed only after every step succeeded
    ```

    ## Fix
    Drop the push step and list the image under `images:`, or move the push step after the GPU
    test step (without `waitFor: ['-']`).
    """

    id = "GL627"
    name = "cloudbuild-push-not-after-gpu-test"
    severity = Severity.ERROR
    kind = "cloudbuild"
    criterion = "workflow.push-gated"
    covers = ("cloudbuild",)
    summary = "a Cloud Build push can happen without the GPU test having succeeded"
    fix = "list the image under `images:` (pushed after every step succeeded) instead of pushing in a step before the test"

    def check(self, build, project):
        if not build.is_build or not build.of(TEST):
            return
        seen: set[int] = set()
        for hit in build.of(PUSH):
            key = hit.step.index if hit.step is not None else -1
            if key in seen:
                continue
            seen.add(key)
            reason = build.untested(hit)
            if reason:
                yield self.report(hit.span(build.source),
                                  f"{hit.where()} pushes the image ({hit.detail}) without the GPU test having to "
                                  f"succeed first: {reason}")
