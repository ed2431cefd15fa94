from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.commands import PUSH
from gpulint.ci.github.pipeline import pipeline, reports_missing
from gpulint.rules.base import Rule


class NoPush(Rule):
    """
    ## What it does
    Checks that some step pushes the tested image to a registry: `docker push`, `podman push`,
    `buildah push`, `docker buildx build --push` (or `--output type=registry`),
    `docker buildx imagetools create`, `crane push|copy`, `skopeo copy … docker://…`,
    `oras push`, or `docker/build-push-action` with `push:` not false. Words in `echo` or
    comments, dead code and `push: false` do not count.

    A pipeline may be split over several workflows: a push in any workflow of the scanned
    tree satisfies this rule, and when none has one the finding is reported once.

    ## Why is this bad?
    The lab's pipeline is build → GPU test → ship. Without a push stage the tested image never
    reaches the registry, and whoever deploys ends up building and pushing by hand, skipping
    the GPU test that was the point of the pipeline.

    ## Example
    ```yaml
    - uses: docker/build-push-action@v6
      with:
        push: false
    ```

    ## Use instead
    ```yaml
    push:
      needs: gpu-test
      if: github.event_name == 'push' && github.ref == 'refs/heads/main'
      runs-on: [self-hosted, gpu]
      steps:
        - run: docker push "$IMAGE:${{ github.sha }}"
    ```

    ## Fix
    Add a push job that `needs:` the GPU test job and runs only for a push to `main`.
    """

    id = "GL205"
    name = "workflow-no-push"
    severity = Severity.ERROR
    kind = "workflow"
    criterion = "workflow.push-gated"
    summary = "no step pushes the image to a registry"
    fix = "add a job with `needs: <gpu test job>` and `if: github.event_name == 'push' && github.ref == 'refs/heads/main'` that runs `docker push`"

    def check(self, workflow, project):
        if any(pipeline(w, project).existing(PUSH) for w in project.of_kind("workflow")):
            return
        if not reports_missing(project, workflow, PUSH):
            return
        yield self.report(workflow.span(workflow.anchor),
                          "no step pushes the image: no `docker push`, `buildx build --push`, crane/skopeo/oras "
                          "copy or docker/build-push-action with `push: true` that can run (text in `echo` or "
                          "comments does not count)")
