from __future__ import annotations

from gpulint.project.config import profile_of
from gpulint.core.findings import Severity
from gpulint.artifacts import rollout as R
from gpulint.rules.base import Rule


class RollbackTarget(Rule):
    """
    ## What it does
    Warns when the `kubectl rollout undo` in `rollback_commands` acts on a different
    Deployment, namespace or kubeconfig context than the `kubectl rollout history`, and when
    it names a Deployment that none of the project's Kubernetes manifests define. Only undos
    the shell runs and that are not `--dry-run` previews are judged. With the lab profile,
    when no undo rolls back a Deployment the submission deploys, an undo of another
    Deployment is an error: the lab asks for a rollback of *your* Deployment, and so is an undo
    that runs outside the namespace the manifest puts the Deployment in (no `-n` while the
    history and the manifest say `ml`). With the production profile it stays a warning, as the
    manifests may live in another repository.

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
        commands = [c for node in R.command_strings(value) for c in R.command_lines(spec.source, node)]
        rollouts = [r for r in (R.parse_rollout(c) for c in commands) if r is not None and r.is_deployment]
        history = [r for r in rollouts if r.action == "history" and r.line.runs]
        undo = [r for r in rollouts if R.counts(r, "undo")]
        known = R.deployed(project)
        # The lab asks for a rollback of *your* Deployment: with none, an undo of another one fails it.
        strict = profile_of(project) == "lab" and not R.rolls_back_own(rollouts, known)
        seen = set().union(*(r.targets() for r in history)) if history else set()
        for r in undo:
            unknown = R.foreign_name(r, known)
            if unknown and strict:
                yield self.report(r.line.span,
                                  f"this undo rolls back deployment/{unknown}, which the submission does not deploy "
                                  f"(its manifests define {', '.join(sorted(known))}): it is not a rollback of "
                                  "your Deployment", severity=Severity.ERROR,
                                  fix=f"roll back the Deployment you deploy: deployment/{sorted(known)[0]}")
            elif history and not r.targets() & seen:
                contexts = bool(r.context or history[0].context)
                # The lab: an undo outside the namespace the submission deploys its Deployment to misses it.
                missed = profile_of(project) == "lab" and _misses_namespace(r, known)
                yield self.report(r.line.span,
                                  f"this undo rolls back {r.describe(contexts)}, but the history inspects "
                                  f"{history[0].describe(contexts)}; give both the same Deployment, `-n` and "
                                  "`--context`" + (f" (the Deployment is in namespace {missed}: this undo does not "
                                                   "roll it back)" if missed else ""),
                                  severity=Severity.ERROR if missed else None)
            elif unknown:
                yield self.report(r.line.span,
                                  f"deployment/{unknown} is not defined by the project's manifests "
                                  f"(they define {', '.join(sorted(known))}); roll back the Deployment you deploy")


def _misses_namespace(undo, known) -> str | None:
    """The namespace the manifests put the undo's Deployment in, when the undo runs in another one
    (no `-n`: the context's namespace, not the manifest's)."""
    for name in undo.names:
        spaces = known.get(name)
        if spaces and None not in spaces and undo.namespace not in spaces and not (undo.namespace or "").startswith("$"):
            return sorted(spaces)[0]
    return None
