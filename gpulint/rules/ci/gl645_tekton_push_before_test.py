from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.tekton import pipeline as T
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TektonPushBeforeTest(Rule):
    """
    ## What it does
    Checks that every Tekton task that pushes the image runs only after the GPU test
    succeeded: the test task is an ancestor of the push task through `runAfter` or result
    references (`$(tasks.gpu-test.results.x)`), transitively, or the test is an earlier step of
    the same task. A test whose failure is hidden (`|| true`, a script without `set -e` that
    goes on, `onError: continue`), a test task skipped by its `when` (a skipped task does not
    stop the tasks after it), or a push in `finally` without a `when` on the test's
    `$(tasks.<test>.status)` does not gate anything.

    ## Why is this bad?
    Tasks without `runAfter` run in parallel: the image is pushed while (or although) the GPU
    test fails, and an image never shown to work on a GPU reaches the registry.

    ## Example
    ```yaml
    tasks:
      - name: gpu-test
        runAfter: [build]
        taskRef: {name: gpu-smoke-test}
      - name: push
        runAfter: [build]            # parallel to the test
        taskRef: {name: push-image}
    ```

    ## Use instead
    ```yaml
      - name: push
        runAfter: [gpu-test]
        taskRef: {name: push-image}
    ```

    ## Fix
    Add `runAfter: [<gpu test task>]` to the push task (or consume one of its results) and let
    the test's failure fail its task.
    """

    id = "GL645"
    name = "tekton-push-before-test"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "workflow.push-gated"
    covers = ("tekton",)
    summary = "a Tekton task that pushes the image can run without the GPU test having succeeded"
    fix = "add `runAfter: [<gpu test task>]` to the push task and do not hide the test's failure"

    def check(self, manifests, project):
        ix = T.index(project)
        if not T.possible_hits(ix, T.TEST):
            return  # GL641 reports the missing test
        for p in T.pipelines_in(manifests, project):
            for t, hit in T.first_per_task([(t, h) for t, h in p.hits(T.PUSH)]):
                if not ix.possible(t):
                    continue
                bad = T.untested(ix, (t, hit))
                if not bad:
                    continue
                yield self.report(Y.span(t.source, t.anchor),
                                  f"{t.label()} pushes the image ({hit.detail}) without the GPU test having to succeed "
                                  f"first: {bad[0][2]} (can happen {T.scenario_list([(s, st) for s, st, _ in bad])})")
