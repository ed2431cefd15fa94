from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.commands import BUILD
from gpulint.ci.github.pipeline import pipeline, reports_missing
from gpulint.rules.base import Rule


class NoBuild(Rule):
    """
    ## What it does
    Checks that some job of the workflow builds the container image: a step whose `run:` script
    runs `docker build`, `docker buildx build`, `docker image build`, `podman build`,
    `buildah bud`, `nerdctl build` or kaniko's `executor`, or a step that uses
    `docker/build-push-action`. Shell scripts are parsed: `echo docker build`, a comment, the body
    of `if false` or a function that is never called do not count, nor does a step whose `if:` is
    false for every trigger.

    A pipeline may be split over several workflows: a build in any workflow of the scanned
    tree satisfies this rule, and when none has one the finding is reported once.

    ## Why is this bad?
    A CI workflow that never builds the image cannot test the image that will be shipped: the
    GPU test then runs against whatever image happens to be in the registry or on the runner,
    and a broken Dockerfile reaches production unnoticed.

    ## Example
    ```yaml
    jobs:
      test:
        runs-on: [self-hosted, gpu]
        steps:
          - run: echo "docker build -t app ."   # only prints the words
    ```

    ## Use instead
    ```yaml
    jobs:
      build:
        runs-on: [self-hosted, gpu]
        steps:
          - uses: actions/checkout@v4
          - run: docker build -t "app:${{ github.sha }}" .
    ```

    ## Fix
    Add a job whose step runs `docker build` (or uses `docker/build-push-action`) on the
    repository's Dockerfile, and let the GPU test job `needs:` it.
    """

    id = "GL201"
    name = "workflow-no-build"
    severity = Severity.ERROR
    kind = "workflow"
    criterion = "workflow.build-test"
    summary = "no job of the workflow builds the container image"
    fix = "add a job with a step that runs `docker build -t IMAGE:${{ github.sha }} .` (or uses docker/build-push-action)"

    def check(self, workflow, project):
        p = pipeline(workflow, project)
        if any(pipeline(w, project).existing(BUILD) for w in project.of_kind("workflow")):
            return
        dead = p.of(BUILD)
        if dead:
            yield self.report(workflow.span(dead[0].step.key_node),
                              f"the only image build ({dead[0].detail}, {dead[0].step.label()}) never runs: its "
                              "job's or step's `if:` is false for every trigger; no job builds the image",
                              fix="remove or correct the `if:` so the build runs on pull requests and pushes")
            return
        if not reports_missing(project, workflow, BUILD):
            return
        yield self.report(workflow.span(workflow.anchor),
                          "no job builds the container image: no step runs `docker build`/`docker buildx build`/"
                          "`podman build`/`buildah bud` or uses docker/build-push-action (text in `echo` or "
                          "comments does not count)")
