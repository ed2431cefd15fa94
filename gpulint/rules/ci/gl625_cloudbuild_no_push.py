from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.ci.cloudbuild.build import builds, reports_missing
from gpulint.ci.commands import PUSH
from gpulint.rules.base import Rule


class CloudBuildNoPush(Rule):
    """
    ## What it does
    Checks that the Cloud Build configuration pushes the tested image: an entry under
    `images:` (pushed by Cloud Build after every step succeeded), or a step that runs
    `docker push`, kaniko with `--destination`, `crane`/`skopeo`/`oras` copy. `echo`, comments
    and kaniko's `--no-push` do not count.

    ## Why is this bad?
    Without a push the tested image never reaches Artifact Registry, and whoever deploys
    builds and pushes by hand, skipping the GPU test.

    ## Example
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/docker
        args: [build, -t, $_IMAGE, .]
    ```

    ## Use instead
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/docker
        args: [build, -t, $_IMAGE, .]
    images: [$_IMAGE]
    ```

    ## Fix
    List the image under `images:`: Cloud Build pushes it only after every step, the GPU test
    included, succeeded.
    """

    id = "GL625"
    name = "cloudbuild-no-push"
    severity = Severity.ERROR
    kind = "cloudbuild"
    criterion = "workflow.push-gated"
    covers = ("cloudbuild",)
    summary = "the Cloud Build configuration never pushes the image"
    fix = "list the image under `images:` so Cloud Build pushes it after every step succeeded"

    def check(self, build, project):
        if not build.is_build or any(b.of(PUSH) for b in builds(project)):
            return
        if reports_missing(project, build, PUSH):
            yield self.report(Y.span(build.source, Y.get_pair(build.node, "steps")[0]),
                              "no step pushes the image and `images:` lists none (text in `echo` or comments does "
                              "not count)")
