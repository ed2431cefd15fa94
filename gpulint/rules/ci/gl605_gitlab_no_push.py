from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.ci.commands import PUSH
from gpulint.ci.gitlab.pipeline import judged, pipelines, reports_missing
from gpulint.rules.base import Rule


class GitLabNoPush(Rule):
    """
    ## What it does
    Checks that some job of the GitLab CI pipeline pushes the tested image to a registry: a
    script line runs `docker push`, `buildah push`, `docker buildx build --push`, kaniko's
    executor with `--destination` (and without `--no-push`), `crane push|copy`,
    `skopeo copy … docker://…` or `oras push`. `echo`, comments, dead code and jobs that no
    pipeline runs do not count.

    ## Why is this bad?
    The pipeline is build → GPU test → ship. Without a push the tested image never reaches the
    registry, and whoever deploys builds and pushes by hand, skipping the GPU test.

    ## Example
    ```yaml
    build:
      script:
        - /kaniko/executor --context "$CI_PROJECT_DIR" --no-push
    ```

    ## Use instead
    ```yaml
    push:
      stage: deploy
      needs: [gpu-test]
      rules:
        - if: $CI_COMMIT_BRANCH == "main"
      script:
        - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
    ```

    ## Fix
    Add a `deploy`-stage job that needs the GPU test job, runs only on main, and pushes the image.
    """

    id = "GL605"
    name = "gitlab-no-push"
    severity = Severity.ERROR
    kind = "gitlab"
    criterion = "workflow.push-gated"
    covers = ("gitlab",)
    summary = "no job of the GitLab pipeline pushes the image to a registry"
    fix = "add a job with `needs: [gpu-test]` and `rules: [{if: '$CI_COMMIT_BRANCH == \"main\"'}]` that runs `docker push`"

    def check(self, pipeline, project):
        if not judged(pipeline, project) or any(p.existing(PUSH) for p in pipelines(project)):
            return
        if reports_missing(project, pipeline, PUSH):
            yield self.report(Y.span(pipeline.source, pipeline.node),
                              "no job pushes the image: no `docker push`, `buildx build --push`, kaniko "
                              "`--destination`, crane/skopeo/oras copy that can run (text in `echo` or comments "
                              "does not count)")
