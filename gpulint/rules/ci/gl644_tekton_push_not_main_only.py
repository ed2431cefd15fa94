from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.tekton import pipeline as T
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TektonPushNotMainOnly(Rule):
    """
    ## What it does
    Checks that every Tekton task that pushes the image can run only for a push to `main`. Each
    scenario (a pull request to main, a push to a feature branch, a push to main, a tag push) is
    played through the EventListener: each trigger's interceptors (CEL `filter` evaluated with a
    real CEL evaluator, e.g. `body.ref == 'refs/heads/main'`; the GitHub/GitLab interceptors'
    `eventTypes`), its TriggerBindings (`$(body.ref)`), TriggerTemplate and PipelineRun params,
    then the push task's `when` expressions (`input`/`operator`/`values`, and `cel`) with
    `$(params.x)` substituted. A value that cannot be known counts as "may run". When no
    EventListener starts the pipeline, GL646 notes it and a `when` comparing a parameter with
    `main`/`refs/heads/main` is read as the revision check.

    ## Why is this bad?
    A push that also runs for pull requests, feature branches or tags publishes images nobody
    reviewed, and overwrites tags the cluster pulls. Remember that a `when` guards only its own
    task: gating the test task does not gate the push task after it.

    ## Example
    ```yaml
    triggers:
      - name: on-push
        interceptors:
          - ref: {name: github}
            params: [{name: eventTypes, value: [push, pull_request]}]
    ```

    ## Use instead
    ```yaml
    triggers:
      - name: on-main
        interceptors:
          - ref: {name: github}
            params: [{name: eventTypes, value: [push]}]
          - ref: {name: cel}
            params: [{name: filter, value: "body.ref == 'refs/heads/main'"}]
    ```

    ## Fix
    Filter the trigger with a CEL interceptor (`body.ref == 'refs/heads/main'`) or put
    `when: [{input: $(params.git-ref), operator: in, values: [refs/heads/main]}]` on the push task.
    """

    id = "GL644"
    name = "tekton-push-not-main-only"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "workflow.push-gated"
    covers = ("tekton",)
    summary = "a Tekton task that pushes the image can run for something other than a push to main"
    fix = "filter the EventListener with CEL `body.ref == 'refs/heads/main'` or add a `when` on the push task"

    def check(self, manifests, project):
        ix = T.index(project)
        for p in T.pipelines_in(manifests, project):
            for t, hit in T.first_per_task([(t, h) for t, h in p.hits(T.PUSH)]):
                if not ix.possible(t):
                    continue
                outside = T.outside_main(ix, t)
                if not outside:
                    continue
                gate = "its `when` does not exclude it" if t.when else "no `when` restricts it"
                if not ix.triggers_of(p):
                    gate += " (no EventListener in the scanned files starts this pipeline, so it can run for any revision)"
                yield self.report(Y.span(t.source, t.anchor),
                                  f"{t.label()} pushes the image ({hit.detail}) and can run {T.scenario_list(outside)}: "
                                  f"{gate}; a push must happen only for a push to main")
