from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import Manifests, schema_problems
from gpulint.rules.criteria import field_criterion
from gpulint.rules.base import Report, Rule


class UnknownField(Rule):
    """
    ## What it does
    Checks every field of Deployments, Pods, Jobs, StatefulSets, DaemonSets and ReplicaSets
    against the Kubernetes API's field list and reports names the API does not have, with the
    closest real name (`readinessprobe` -> `readinessProbe`, `maxUnavaliable` -> `maxUnavailable`).
    A misspelt field never counts as the field it was meant to be. In a kustomize patch (a file a
    kustomization applies as a patch, or an object with `$patch:` at its top level) the strategic
    merge patch directives (`$patch: delete`, `$retainKeys`, `$setElementOrder/...`,
    `$deleteFromPrimitiveList/...`) are kustomize's, not fields, and are not reported.

    ## Why is this bad?
    YAML is happy with any key. `kubectl apply` (strict field validation) rejects the manifest
    with "unknown field"; older or lenient tooling silently drops the field instead, so a typo'd
    `readinessprobe` leaves the pod with no readiness probe at all and a broken GPU pod receives
    traffic. Either way the manifest does not do what it says.

    ## Example
    ```yaml
    containers:
      - name: inference
        readinessprobe:
          exec:
            command: ["python3", "/app/smoke_test.py"]
    ```

    ## Use instead
    ```yaml
    containers:
      - name: inference
        readinessProbe:
          exec:
            command: ["python3", "/app/smoke_test.py"]
    ```

    ## Fix
    Rename the field to the suggested API name (field names are case-sensitive), or delete it.
    """

    id = "GL302"
    name = "unknown-field"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = None  # per finding: a Deployment's section decides (shape, probes, gpu, rolling)
    summary = "a manifest field the Kubernetes API does not know (usually a typo or wrong case)"
    fix = "rename the field to the API's spelling (see the suggestion) or remove it"

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        for obj in manifests.objects:
            patch = None  # asked once per object, only when a directive is met
            for problem in schema_problems(obj):
                if not problem.message.startswith("unknown field"):
                    continue
                if _directive(problem.node):
                    if patch is None:
                        patch = _is_patch(obj, project)
                    if patch:
                        continue  # kustomize (a strategic merge patch) reads it; kubectl never sees it
                fix = f"rename it to '{problem.suggestion}'" if problem.suggestion else None
                yield self.report(Y.span(manifests.source, problem.node),
                                  f"{problem.message} (kubectl rejects unknown fields; lenient tools drop them)",
                                  fix=fix, criterion=field_criterion(obj, problem.path))


# Strategic-merge-patch directives (`$patch: delete`, `$retainKeys`, `$setElementOrder/containers`).
_DIRECTIVES = ("$patch", "$retainKeys")
_DIRECTIVE_PREFIXES = ("$setElementOrder/", "$deleteFromPrimitiveList/")


def _directive(node) -> bool:
    name = Y.text(node) if Y.is_scalar(node) else None
    return name is not None and (name in _DIRECTIVES or name.startswith(_DIRECTIVE_PREFIXES))


def _is_patch(obj, project) -> bool:
    """An object a kustomization applies as a patch, or one that says it is a patch (`$patch:` at
    its top level: nothing else writes that key): ``kustomize.is_partial``."""
    from gpulint.project.kustomize import is_partial

    return is_partial(obj, project)
