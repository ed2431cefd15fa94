from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts import rollout as R
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


def deployment_namespaces(project) -> dict[str, set]:
    """Deployment name -> the namespaces its manifests give (None when a manifest sets none)."""
    def compute():
        found: dict[str, set] = {}
        for manifests in project.of_kind("kubernetes"):
            for obj in manifests.objects:
                if obj.kind == "Deployment" and isinstance(obj.name, str):
                    found.setdefault(obj.name, set()).add(Y.text(Y.get_path(obj.node, "metadata", "namespace")))
        return found
    return project.memo("lifecycle-deployment-namespaces", compute)


def _variable(text: str | None) -> bool:
    return bool(text) and bool(set("$<{") & set(text))


class RollbackTargetUnknown(Rule):
    """
    ## What it does
    Checks that the Deployments and namespaces named by the `kubectl rollout` commands of
    `rollback_commands` exist in the project's manifests: `rollout history`, `status`,
    `restart`, … must name a Deployment some manifest defines, and a `-n`/`--namespace` given
    to any rollout command (the undo included) must be the `metadata.namespace` of that
    Deployment. An undo naming an unknown Deployment, and an undo that disagrees with the
    history, are GL402's findings and are not repeated here (nor is a history of the same
    unknown Deployment an undo names). Names and namespaces with
    variables (`$NS`, `<ns>`) are not judged, nor a manifest without `metadata.namespace`; the
    rule only runs when the project has Deployment manifests.

    ## Why is this bad?
    A runbook is read under pressure: `kubectl -n ml-prod rollout history deployment/gpu-inference`
    against a Deployment that lives in `ml` answers `not found`, and the on-call engineer starts
    improvising instead of rolling back, while the broken GPU pods keep serving.

    ## Example
    ```yaml
    # k8s/deployment.yaml: metadata: {name: gpu-inference, namespace: ml}
    rollback_commands:
      - kubectl -n ml-prod rollout history deployment/gpu-inference
      - kubectl -n ml-prod rollout undo deployment/gpu-inference
    ```

    ## Use instead
    ```yaml
    rollback_commands:
      - kubectl -n ml rollout history deployment/gpu-inference
      - kubectl -n ml rollout undo deployment/gpu-inference
    ```

    ## Fix
    Use the Deployment's `metadata.name` and `metadata.namespace` from the manifests in every
    rollback command.
    """

    id = "GL523"
    name = "rollback-target-unknown"
    severity = Severity.WARNING
    kind = "rollout"
    criterion = "rollback.commands"
    summary = "a rollback command names a Deployment or namespace the project's manifests do not define"
    fix = "use the Deployment's metadata.name and metadata.namespace in every rollback command"

    def check(self, spec, project):
        known = deployment_namespaces(project)
        if not known:
            return
        commands = [c for node in R.command_strings(spec.rollback_commands)
                    for c in R.command_lines(spec.source, node) if isinstance(c, R.CommandLine)]
        rollouts = [r for r in (R.parse_rollout(c) for c in commands) if r is not None and r.is_deployment]
        history = [r for r in rollouts if r.action == "history"]
        seen = set().union(*(r.targets() for r in history)) if history else set()
        undone = {name for r in rollouts if r.action == "undo" for name in r.names}
        for r in rollouts:
            if r.action == "undo" and history and not r.targets() & seen:
                continue  # GL402: the undo disagrees with the history
            for name in r.names:
                if _variable(name):
                    continue
                if name not in known:
                    if r.action != "undo" and name not in undone:  # GL402 reports an unknown undo target
                        yield self.report(r.line.span,
                                          f"`rollout {r.action}` names deployment/{name}, which the project's "
                                          f"manifests do not define (they define {', '.join(sorted(known))})")
                    break
                namespaces = known[name]
                if r.namespace and not _variable(r.namespace) and None not in namespaces \
                        and r.namespace not in namespaces:
                    yield self.report(r.line.span,
                                      f"`rollout {r.action}` looks for deployment/{name} in namespace {r.namespace}, "
                                      f"but its manifest puts it in {', '.join(sorted(namespaces))}",
                                      fix=f"use -n {sorted(namespaces)[0]}")
                    break
