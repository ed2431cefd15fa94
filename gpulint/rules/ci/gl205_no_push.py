from __future__ import annotations

from gpulint.ci.model import PUSH, SYSTEMS
from gpulint.core.findings import Severity
from gpulint.rules.ci._missing import MissingAction


class NoPush(MissingAction):
    """
    ## What it does
    Checks that some pipeline of the project pushes the image to a registry, whatever CI system
    runs it: `docker push`, `docker buildx build --push`, `podman push`, `buildah push`, kaniko's
    `--destination`, crane/skopeo/oras copies, docker/build-push-action with `push: true`, Cloud
    Build's `images:`, a Tekton task that pushes (or the catalog's kaniko/buildah tasks). A push
    in any pipeline of the project satisfies this rule; when none has one the finding is
    reported once.

    ## Why is this bad?
    An image that is never pushed by CI is pushed by hand, from someone's laptop, untested, or
    the cluster keeps running an old image: the lifecycle's promotion from dev to production
    has nothing to promote.

    ## Example
    ```yaml
    jobs:
      gpu-test:
        runs-on: [self-hosted, gpu]
        steps:
          - run: docker build -t app . && docker run --rm --gpus all app python3 /app/smoke_test.py
    ```

    ## Use instead
    ```yaml
      push:
        needs: gpu-test
        if: github.event_name == 'push' && github.ref == 'refs/heads/main'
        runs-on: [self-hosted, gpu]
        steps:
          - run: docker push "ghcr.io/acme/app:${{ github.sha }}"
    ```

    ## Fix
    Add a push that runs after the GPU test, for main only.
    """

    id = "GL205"
    name = "workflow-no-push"
    aliases = ("GL605", "gitlab-no-push", "GL625", "cloudbuild-no-push", "GL643", "tekton-no-push")
    severity = Severity.ERROR
    kind = "ci"
    criterion = "workflow.push-gated"
    covers = SYSTEMS
    summary = "no pipeline of the project pushes the image to a registry"
    fix = "add a push after the GPU test, for main only (`docker push`, Cloud Build `images:`, a kaniko task)"

    production = 'never'
    action = PUSH
    what = "pushes the image"
    recognised = ("no `docker push`, `buildx build --push`, kaniko `--destination`, crane/skopeo/oras copy, "
                  "docker/build-push-action with `push: true` or Cloud Build `images:` that can run")
