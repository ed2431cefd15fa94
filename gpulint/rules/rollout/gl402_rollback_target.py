from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts import rollout as R
from gpulint.rules.base import Rule


class RollbackTarget(Rule):
    """
    ## What it does
    Warns when the `kubectl rollout undo` in `rollback_commands` acts on a different
    Deployment, namespace or kubeconfig context than the `kubectl rollout history`, and when
    it names a Deployment that none of the project's Kubernetes manifests define.

    ## Why is this bad?
    The history tells the on-call engineer which revision to return to; if the undo then runs
    against another Deployment, or without `-n` in whatever namespace the current context
    happens to use, the rollback either fails with "not found" or silently rolls back the wrong
    workload while the broken GPU pods keep serving.

    ## Example
    ```yaml
    rollback_commands:
      - kubectl -n ml rollout history deployment/gpu-inference
      - kubectl rollout undo deployment/gpu-inference   # no -n: the current namespace
    ```

    ## Use instead
    ```yaml
    rollback_commands:
      - kubectl -n ml rollout history deployment/gpu-inference
      - kubectl -n ml rollout undo deployment/gpu-inference
    ```

    ## Fix
    Give the undo the same `-n`/`--context` and the same `deployment/<name>` as the history,
    and use the name from the Deployment's `metadata.name`.
    """

    id = "GL402"
    name = "rollback-target-mismatch"
    severity = Severity.WARNING
    kind = "rollout"
    criterion = "rollback.commands"
    summary = "rollout undo and rollout history name different Deployments, namespaces or contexts"
    fix = "use the same `-n <namespace>`, `--context` and `deployment/<name>` in history and undo"

    def check(self, spec, project):
        value = spec.rollback_commands
        commands = [c for node in R.command_strings(value) for c in R.command_lines(spec.source, node)
                    if isinstance(c, R.CommandLine)]
        rollouts = [r for r in (R.parse_rollout(c) for c in commands) if r is not None and r.is_deployment]
        history = [r for r in rollouts if r.action == "history"]
        undo = [r for r in rollouts if r.action == "undo"]
        mismatched = []
        if history and undo:
            seen = set().union(*(r.targets() for r in history))
            for r in undo:
                if not r.targets() & seen:
                    mismatched.append(r)
                    contexts = bool(r.context or history[0].context)
                    yield self.report(r.line.span,
                                      f"this undo rolls back {r.describe(contexts)}, but the history inspects "
                                      f"{history[0].describe(contexts)}; give both the same Deployment, `-n` and "
                                      "`--context`")
        known = project.memo("deployment-names", lambda: _deployment_names(project))
        if not known:
            return
        for r in undo:
            if r in mismatched:
                continue  # one finding per command is enough
            unknown = [n for n in r.names if not set("$<{") & set(n) and n not in known]
            if unknown:
                yield self.report(r.line.span,
                                  f"deployment/{unknown[0]} is not defined by the project's manifests "
                                  f"(they define {', '.join(sorted(known))}); roll back the Deployment you deploy")


def _deployment_names(project) -> set[str]:
    names: set[str] = set()
    for artifact in project.artifacts:
        for obj in getattr(artifact, "objects", None) or []:
            name = getattr(obj, "name", None)
            if getattr(obj, "kind", None) == "Deployment" and isinstance(name, str):
                names.add(name)
    return names
