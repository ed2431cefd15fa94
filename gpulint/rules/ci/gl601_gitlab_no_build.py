from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.ci.commands import BUILD
from gpulint.ci.gitlab.pipeline import judged, pipelines, reports_missing
from gpulint.rules.base import Rule


class GitLabNoBuild(Rule):
    """
    ## What it does
    Checks that some job of the GitLab CI pipeline builds the container image: a line of its
    `before_script`/`script` runs `docker build`, `docker buildx build`, `podman build`,
    `buildah bud` or kaniko's `/kaniko/executor`. `include: local:` files, `extends`, hidden
    jobs and `!reference` are resolved first. Script lines are parsed as shell: `echo docker
    build`, a comment or dead code do not count, nor does a job whose `rules:`/`only:` keep it
    out of every pipeline.

    ## Why is this bad?
    A pipeline that never builds the image cannot test the image that will be shipped: the GPU
    test then runs against whatever image is already in the registry.

    ## Example
    ```yaml
    test:
      tags: [gpu]
      script:
        - echo "docker build -t app ."   # only prints the words
    ```

    ## Use instead
    ```yaml
    build:
      stage: build
      script:
        - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .
    ```

    ## Fix
    Add a job in the `build` stage whose script runs `docker build` (or kaniko) on the
    repository's Dockerfile.
    """

    id = "GL601"
    name = "gitlab-no-build"
    severity = Severity.ERROR
    kind = "gitlab"
    criterion = "workflow.build-test"
    covers = ("gitlab",)
    summary = "no job of the GitLab pipeline builds the container image"
    fix = "add a `build` job whose script runs `docker build -t \"$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA\" .`"

    def check(self, pipeline, project):
        if not judged(pipeline, project) or any(p.existing(BUILD) for p in pipelines(project)):
            return
        dead = [h for h in pipeline.hits if h.kind == BUILD]
        if dead:
            yield self.report(dead[0].span(), f"the only image build ({dead[0].detail}, in {dead[0].where()}) never "
                              "runs: the job's `rules:`/`only:` keep it out of every pipeline",
                              fix="correct the job's `rules:` so the build runs for merge requests and pushes")
            return
        if reports_missing(project, pipeline, BUILD):
            yield self.report(Y.span(pipeline.source, pipeline.node),
                              "no job builds the container image: no script line runs `docker build`/"
                              "`docker buildx build`/`buildah bud`/kaniko (text in `echo` or comments does not count)")
