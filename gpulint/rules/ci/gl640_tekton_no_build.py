from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.tekton import pipeline as T
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TektonNoBuild(Rule):
    """
    ## What it does
    Checks that some Tekton Pipeline in the scanned files builds the container image: a step of
    one of its tasks (resolved by `taskRef` name across the scanned files, or an inline
    `taskSpec`) runs kaniko's `executor` (image `gcr.io/kaniko-project/executor`), `buildah bud`,
    `docker build`/`buildx build` or `podman build`, or the pipeline uses the catalog `kaniko` or
    `buildah` task (a `taskRef` by name, or a hub/git/bundle resolver with `name: kaniko`, not
    defined in the files). Step scripts are parsed as shell: `echo buildah bud`, a comment, or a
    Python script do not count, nor does a task whose `when` is false in every scenario.

    ## Why is this bad?
    A pipeline that never builds the image tests and ships whatever image is already in the
    registry: a broken Dockerfile reaches the cluster unnoticed.

    ## Example
    ```yaml
    apiVersion: tekton.dev/v1
    kind: Pipeline
    metadata: {name: gpu-ci}
    spec:
      tasks:
        - name: gpu-test
          taskRef: {name: gpu-smoke-test}
    ```

    ## Use instead
    ```yaml
    spec:
      tasks:
        - name: build
          taskRef: {name: kaniko}          # the catalog task, or your own Task with kaniko/buildah
          params: [{name: IMAGE, value: $(params.image)}]
        - name: gpu-test
          runAfter: [build]
          taskRef: {name: gpu-smoke-test}
    ```

    ## Fix
    Add a task that builds the image (kaniko or buildah) before the GPU test task.
    """

    id = "GL640"
    name = "tekton-no-build"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "workflow.build-test"
    covers = ("tekton",)
    summary = "no Tekton Pipeline task builds the container image"
    fix = "add a task that builds the image with kaniko or buildah (e.g. the catalog `kaniko` task)"

    def check(self, manifests, project):
        ix = T.index(project)
        first = T.first_pipeline(project)
        if first is None or first.source is not manifests.source or T.possible_hits(ix, T.BUILD):
            return
        yield self.report(Y.span(first.source, first.anchor),
                          f"no task of Pipeline '{first.name}' (or any Tekton Pipeline in the scanned files) "
                          "builds the container image: no step runs kaniko's executor, `buildah bud` or "
                          "`docker build`, and no catalog kaniko/buildah task is used (text in `echo` or comments "
                          "does not count)")
