from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.tekton import pipeline as T
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TektonTriggerUnknown(Rule):
    """
    ## What it does
    Notes (severity info) a Tekton Pipeline that pushes the image but that no EventListener in
    the scanned files starts (through a trigger's TriggerTemplate and its PipelineRun). Which
    events and branches start the pipeline then cannot be determined from the files; GL644
    reads a `when` that compares a parameter with `main`/`refs/heads/main` as the revision check
    and treats a push task without `when` as running for every revision.

    ## Why is this bad?
    "Only for main" is decided by the trigger as much as by the pipeline: a PipelineRun created
    by hand, by a CronJob or by an EventListener kept elsewhere can run the push for any branch.
    The note is informational: keep the EventListener, TriggerBinding and TriggerTemplate next
    to the pipeline so the whole path can be checked.

    ## Example
    ```yaml
    # pipeline.yaml and tasks.yaml only: nothing says what starts the pipeline
    ```

    ## Use instead
    ```yaml
    apiVersion: triggers.tekton.dev/v1beta1
    kind: EventListener
    spec:
      triggers:
        - name: main
          interceptors:
            - ref: {name: cel}
              params: [{name: filter, value: "body.ref == 'refs/heads/main'"}]
          bindings: [{ref: git-push}]
          template: {ref: gpu-ci-run}
    ```

    ## Fix
    Add the EventListener (with its TriggerBinding and TriggerTemplate) to the scanned files.
    """

    id = "GL646"
    name = "tekton-trigger-unknown"
    severity = Severity.INFO
    kind = "kubernetes"
    criterion = None
    covers = ("tekton",)
    summary = "no EventListener in the scanned files starts the Tekton Pipeline: its trigger cannot be determined"
    fix = "add the EventListener, TriggerBinding and TriggerTemplate that start the pipeline to the scanned files"

    def check(self, manifests, project):
        ix = T.index(project)
        for p in T.pipelines_in(manifests, project):
            if not p.hits(T.PUSH) or ix.triggers_of(p):
                continue
            yield self.report(Y.span(p.source, p.anchor),
                              f"no EventListener in the scanned files starts Pipeline '{p.name}', so which events and "
                              "branches run it (and its push) cannot be determined from the files")
