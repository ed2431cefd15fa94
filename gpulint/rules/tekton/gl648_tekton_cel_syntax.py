from __future__ import annotations

from gpulint.artifacts.kubernetes.model import is_tekton
from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import scalar_locator
from gpulint.rules.base import Rule


def _cel_nodes(manifests):
    """(value node, what) of every CEL filter, overlay expression and `when: cel` of a file."""
    for obj in manifests.objects:
        if not is_tekton(obj):
            continue
        if obj.kind == "EventListener":
            for trigger in Y.items(Y.get_path(obj.node, "spec", "triggers")):
                for ic in Y.items(Y.get(trigger, "interceptors")):
                    old = Y.get(ic, "cel")
                    if old is not None:
                        yield Y.get(old, "filter"), "CEL filter"
                        for o in Y.items(Y.get(old, "overlays")):
                            yield Y.get(o, "expression"), "CEL overlay"
                    for p in Y.items(Y.get(ic, "params")):
                        name = Y.text(Y.get(p, "name"))
                        if name == "filter":
                            yield Y.get(p, "value"), "CEL filter"
                        elif name == "overlays":
                            for o in Y.items(Y.get(p, "value")):
                                yield Y.get(o, "expression"), "CEL overlay"
        elif obj.kind == "Pipeline":
            for key in ("tasks", "finally"):
                for t in Y.items(Y.get_path(obj.node, "spec", key)):
                    for w in Y.items(Y.get(t, "when")):
                        yield Y.get(w, "cel"), "`when` cel expression"


class TektonCelSyntax(Rule):
    """
    ## What it does
    Parses every CEL expression of an EventListener (interceptor `filter` and `overlays`) and
    every `when: [{cel: ...}]` of a Pipeline with a CEL parser and reports the ones that do not
    parse, at the offending character (`=` for `==`, `and` for `&&`, unbalanced quotes).

    ## Why is this bad?
    Triggers rejects an event whose filter fails to compile: the trigger never fires (or, with
    a broken `when`, the PipelineRun fails), and the "only for main" gate silently becomes
    "never".

    ## Example
    ```yaml
    - ref: {name: cel}
      params:
        - name: filter
          value: "body.ref = 'refs/heads/main'"
    ```

    ## Use instead
    ```yaml
    - ref: {name: cel}
      params:
        - name: filter
          value: "body.ref == 'refs/heads/main'"
    ```

    ## Fix
    Write the expression in CEL: `==`, `&&`, `||`, `!`, strings in quotes, `body.ref.startsWith('refs/tags/')`.
    """

    id = "GL648"
    name = "tekton-cel-syntax"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "workflow.push-gated"
    covers = ("tekton",)
    summary = "a Tekton CEL filter, overlay or `when` cel expression does not parse"
    fix = "correct the CEL expression (`==`, `&&`, quoted strings)"

    def check(self, manifests, project):
        if not any(is_tekton(o) for o in manifests.objects):
            return  # the CEL parser is imported only for files that hold Tekton objects
        from gpulint.syntax import cel

        for node, what in _cel_nodes(manifests):
            if not (Y.is_scalar(node) and isinstance(node.value, str)):
                continue
            try:
                cel.parse(node.value)
            except cel.CelSyntaxError as error:
                at = scalar_locator(manifests.source, node)(error.offset, error.offset + 1)
                yield self.report(at, f"the {what} `{node.value.strip()}` is not valid CEL: {error}")
