from __future__ import annotations

from gpulint.project.config import profile_of
from gpulint.core.findings import Severity
from gpulint.artifacts import rollout as R
from gpulint.rules.base import Rule


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
    rule only runs when the project has Deployment manifests. Commands the shell never runs and
    `--dry-run` undos are not judged. With the lab profile, when no undo rolls back the
    Deployment where the submission deploys it, an undo in another namespace (both explicit) is
    an error: it is not a rollback of *your* Deployment. Otherwise it is a warning.

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
        known = R.deployed(project)
        if not known:
            return
        commands = [c for node in R.command_strings(spec.rollback_commands)
                    for c in R.command_lines(spec.source, node) if c.runs]
        rollouts = [r for r in (R.parse_rollout(c) for c in commands) if r is not None and r.is_deployment]
        rollouts = [r for r in rollouts if r.action != "undo" or R.counts(r, "undo")]
        history = [r for r in rollouts if r.action == "history"]
        seen = set().union(*(r.targets() for r in history)) if history else set()
        undone = {name for r in rollouts if r.action == "undo" for name in r.names}
        # The lab asks for a rollback of *your* Deployment: with none, an undo in another namespace fails it.
        strict = profile_of(project) == "lab" and not R.rolls_back_own(rollouts, known)
        for r in rollouts:
            if r.action == "undo" and history and not r.targets() & seen and not strict:
                continue  # GL402: the undo disagrees with the history
            unknown = R.foreign_name(r, known)
            if unknown:
                if r.action != "undo" and unknown not in undone:  # GL402 reports an unknown undo target
                    yield self.report(r.line.span,
                                      f"`rollout {r.action}` names deployment/{unknown}, which the project's "
                                      f"manifests do not define (they define {', '.join(sorted(known))})")
                continue
            namespaces = R.foreign_namespace(r, known)
            if namespaces:
                name = next(n for n in r.names if n in known)
                severity = Severity.ERROR if strict and r.action == "undo" else None
                lab = (": it is not a rollback of your Deployment" if severity else "")
                yield self.report(r.line.span,
                                  f"`rollout {r.action}` looks for deployment/{name} in namespace {r.namespace}, "
                                  f"but its manifest puts it in {namespaces}{lab}",
                                  fix=f"use -n {namespaces.split(', ')[0]}", severity=severity)
