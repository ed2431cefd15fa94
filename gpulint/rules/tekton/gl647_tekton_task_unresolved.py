from __future__ import annotations

from gpulint.artifacts.kubernetes.model import is_tekton
from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TektonTaskUnresolved(Rule):
    """
    ## What it does
    Notes (severity info) a pipeline task whose Task cannot be read from the scanned files: a
    `taskRef` by name to a Task that no scanned file defines, a `kind: ClusterTask`, or a task
    fetched at run time by a resolver (hub, git, cluster, bundles). The catalog `kaniko` and
    `buildah` tasks (and buildpacks, s2i, jib, ko) are known to build and push and are not
    reported. What an unresolved task does (build, GPU test, push) is unknown to the other
    rules.

    ## Why is this bad?
    The build/test/push checks can only see steps they can read; a task kept elsewhere may
    contain the push or the GPU test, and its gating then goes unchecked.

    ## Example
    ```yaml
    - name: gpu-test
      taskRef: {name: gpu-smoke-test}   # defined nowhere in the repository
    ```

    ## Use instead
    ```yaml
    - name: gpu-test
      taskRef: {name: gpu-smoke-test}   # tasks.yaml defines kind: Task, name: gpu-smoke-test
    ```

    ## Fix
    Add the Task's YAML to the scanned files, or inline it with `taskSpec`.
    """

    id = "GL647"
    name = "tekton-task-unresolved"
    severity = Severity.INFO
    kind = "kubernetes"
    criterion = None
    covers = ("tekton",)
    summary = "a pipeline task's Task is not in the scanned files (or comes from a resolver): not checked"
    fix = "add the Task's definition to the scanned files or inline it with `taskSpec`"

    def check(self, manifests, project):
        if not any(is_tekton(o) for o in manifests.objects):
            return  # Tekton's models are imported only for files that hold Tekton objects
        from gpulint.ci.tekton import pipeline as T

        for p in T.pipelines_in(manifests, project):
            unresolved = [t for t in p.tasks.values() if t.ref_note and t.task is None and t.catalog is None]
            if not unresolved:
                continue
            spans = [Y.span(t.source, t.ref_node if t.ref_node is not None else t.anchor) for t in unresolved]
            first = unresolved[0]
            if len(unresolved) == 1:
                yield self.report(spans[0], f"{first.label()} {first.ref_note}; what it does (build, GPU test, "
                                  "push) cannot be checked")
                continue
            # One note per Pipeline: a pipeline of bundle tasks would otherwise say it once per task.
            yield self.report(spans[0], f"{first.label()} {first.ref_note}, and {len(unresolved) - 1} more of its "
                              "Pipeline's tasks are not in the scanned files either; what they do (build, GPU "
                              "test, push) cannot be checked",
                              related=[(span, f"{t.label()} {t.ref_note}") for t, span in
                                       zip(unresolved[1:], spans[1:])])
