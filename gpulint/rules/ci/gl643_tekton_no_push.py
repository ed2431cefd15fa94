from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.tekton import pipeline as T
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TektonNoPush(Rule):
    """
    ## What it does
    Checks that some Tekton Pipeline task pushes the image: a kaniko step with `--destination`
    (and no `--no-push`), `buildah push`, `docker push`, `crane`/`skopeo copy`, a Task that
    declares the `IMAGE_DIGEST`/`IMAGE_URL` result (the Tekton Chains convention for a published
    image), or the catalog `kaniko`/`buildah` task referenced by name and not defined in the
    scanned files (the catalog tasks push to their `IMAGE` parameter).

    ## Why is this bad?
    An image that is tested but never pushed never reaches the registry the cluster pulls from:
    the deployment keeps running an old, untested image.

    ## Example
    ```yaml
    steps:
      - name: build
        image: gcr.io/kaniko-project/executor:v1.23.2
        args: [--context=$(workspaces.source.path), --no-push]
    ```

    ## Use instead
    ```yaml
    steps:
      - name: build-and-push
        image: gcr.io/kaniko-project/executor:v1.23.2
        args: [--context=$(workspaces.source.path), --destination=$(params.IMAGE)]
    ```

    ## Fix
    Add a task that pushes the tested image (kaniko `--destination`, `buildah push`), after the
    GPU test and only for main.
    """

    id = "GL643"
    name = "tekton-no-push"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "workflow.push-gated"
    covers = ("tekton",)
    summary = "no Tekton Pipeline task pushes the image"
    fix = "add a task that pushes the image (kaniko --destination, buildah push) after the GPU test, for main only"

    def check(self, manifests, project):
        ix = T.index(project)
        first = T.first_pipeline(project)
        if first is None or first.source is not manifests.source or T.possible_hits(ix, T.PUSH):
            return
        yield self.report(Y.span(first.source, first.anchor),
                          f"no task of Pipeline '{first.name}' (or any Tekton Pipeline in the scanned files) pushes "
                          "the image: no kaniko --destination, `buildah push`, `docker push`, crane/skopeo copy or "
                          "IMAGE_DIGEST/IMAGE_URL result")
