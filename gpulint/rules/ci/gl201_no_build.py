from __future__ import annotations

from gpulint.ci.model import BUILD, SYSTEMS
from gpulint.core.findings import Severity
from gpulint.rules.ci._missing import MissingAction


class NoBuild(MissingAction):
    """
    ## What it does
    Checks that some pipeline of the project builds the container image, whatever CI system runs
    it: a GitHub Actions step, a GitLab CI job, a Cloud Build step or a Tekton task whose script
    runs `docker build`, `docker buildx build`, `docker image build`, `podman build`,
    `buildah bud`, `nerdctl build` or kaniko's `executor`, or an image builder that needs no
    Dockerfile (`bentoml containerize`, `cog build`/`push`, `pack build`, `ko build`, `truss image
    build`, `s2i build`, `depot build`, `devcontainer build`); a step that uses
    `docker/build-push-action` (or `depot/build-push-action`); a Cloud Build `docker` builder
    step with `build`; a Tekton task from the catalog that builds (`kaniko`, `buildah`). Shell scripts are parsed: `echo docker
    build`, a comment, the body of `if false` or a function that is never called do not count.

    A pipeline may be split over several files (build in one workflow, release in another): a
    build in any pipeline of the project satisfies this rule, and when none has one the finding
    is reported once. A build that never runs (its GitHub `if:`, GitLab `rules:` or Tekton
    `when` is false for every trigger) is reported where it is.

    With `--profile production` the rule judges only repositories whose CI pushes an image, and
    the finding is advice (info), saying it cannot tell, when the repository also runs a CI
    system gpulint does not read (a `Jenkinsfile`, `.buildkite/`, `.circleci/config.yml`,
    `azure-pipelines.yml`, ...): the build may be there.

    ## Why is this bad?
    A CI pipeline that never builds the image cannot test the image that will be shipped: the
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
    Add a step (job, task) that runs `docker build` (or uses docker/build-push-action, a
    kaniko or buildah task) on the repository's Dockerfile, and let the GPU test depend on it.
    """

    id = "GL201"
    name = "workflow-no-build"
    aliases = ("GL601", "gitlab-no-build", "GL621", "cloudbuild-no-build", "GL640", "tekton-no-build")
    severity = Severity.ERROR
    kind = "ci"
    criterion = "workflow.build-test"
    covers = SYSTEMS
    summary = "no pipeline of the project builds the container image"
    fix = "add a step that runs `docker build -t IMAGE:$COMMIT_SHA .` (or uses docker/build-push-action, kaniko, buildah)"

    production = 'pushing'
    action = BUILD
    noun = "image build"
    what = "builds the container image"
    recognised = ("nothing runs `docker build`, `docker buildx build`, `podman build`, `buildah bud` or kaniko, or "
                  "uses docker/build-push-action")
    dead_fix = "correct the condition so the build runs for pull requests and pushes"
