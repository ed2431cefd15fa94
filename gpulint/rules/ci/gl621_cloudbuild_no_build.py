from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.ci.cloudbuild.build import builds, reports_missing
from gpulint.ci.commands import BUILD
from gpulint.rules.base import Rule


class CloudBuildNoBuild(Rule):
    """
    ## What it does
    Checks that some step of the Cloud Build configuration builds the container image: a
    `gcr.io/cloud-builders/docker` step with `args: [build, …]`, a `bash -c`/`script:` step
    running `docker build`/`docker buildx build`/`buildah bud`, or the kaniko executor
    (`gcr.io/kaniko-project/executor`). Scripts are parsed: `echo docker build` and comments do
    not count.

    ## Why is this bad?
    A build configuration that never builds the image cannot test the image that is shipped.

    ## Example
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/docker
        args: [pull, us-docker.pkg.dev/$PROJECT_ID/app/server:latest]
    ```

    ## Use instead
    ```yaml
    steps:
      - id: build
        name: gcr.io/cloud-builders/docker
        args: [build, -t, us-docker.pkg.dev/$PROJECT_ID/app/server:$COMMIT_SHA, .]
    ```

    ## Fix
    Add a first step that runs `docker build -t IMAGE:$COMMIT_SHA .` with the docker builder.
    """

    id = "GL621"
    name = "cloudbuild-no-build"
    severity = Severity.ERROR
    kind = "cloudbuild"
    criterion = "workflow.build-test"
    covers = ("cloudbuild",)
    summary = "no step of the Cloud Build configuration builds the container image"
    fix = "add a step `name: gcr.io/cloud-builders/docker` with `args: [build, -t, IMAGE:$COMMIT_SHA, .]`"

    def check(self, build, project):
        if not build.is_build or any(b.of(BUILD) for b in builds(project)):
            return
        if reports_missing(project, build, BUILD):
            yield self.report(Y.span(build.source, Y.get_pair(build.node, "steps")[0]),
                              "no step builds the container image: no docker `build`, `buildx build`, buildah or "
                              "kaniko step (text in `echo` or comments does not count)")
