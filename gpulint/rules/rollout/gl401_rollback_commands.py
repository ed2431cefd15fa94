from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts import rollout as R
from gpulint.syntax import yamlnode as Y
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.rollback import add_rollback_commands
from gpulint.rules.base import Rule


class RollbackCommands(Rule):
    """
    ## What it does
    Checks that `rollback_commands` holds a `kubectl rollout history` and a `kubectl rollout
    undo` of a Deployment. Each entry is split into shell words (text after `#` is a comment),
    so kubectl's global flags may come anywhere (`-n ml`, `--namespace=ml`, `--context prod`,
    `--kubeconfig f`) and the Deployment may be written `deploy/x`, `deployment/x`,
    `deployments/x`, `deployment.apps/x` or `deployment x`. The program must be `kubectl`
    (any path, also `oc`, `microk8s kubectl`, after `sudo`/`env`): a shell alias such as `k` is
    not visible in the plan. `echo kubectl rollout undo ...`, a commented-out command, or a
    rollback of a DaemonSet or StatefulSet does not count. Each entry is read as the shell runs
    it (bashlex): a command the shell never reaches does not count (`true || kubectl rollout
    undo ...`, `false && ...`, after `exit`, inside `if false`), while a conditional one does
    (`kubectl rollout status ... || kubectl rollout undo ...`). An undo with `--dry-run=client`
    or `--dry-run=server` only previews and does not count either. A list of strings is the
    expected form; a block string with one command per line and a mapping of names to commands
    are read too (GL403 warns about them). An undo of a Deployment whose manifest sets
    `revisionHistoryLimit: 0` is reported: its controller deletes every old ReplicaSet, so the
    undo finds "no rollout history".

    ## Why is this bad?
    A bad GPU image that passed CI (driver/cuDNN drift, a VRAM leak) is found in production,
    under pressure. Without a written `rollout history` the on-call engineer does not know which
    revision was last good, and without a tested `rollout undo` they improvise, often by
    rebuilding and pushing an image, which takes far longer than a rollback on a GPU cluster
    where every node must pull several gigabytes again.

    ## Example
    ```yaml
    rollback_commands:
      - kubectl get pods -n ml
      - echo "kubectl rollout undo deployment/gpu-inference"
      - true || kubectl -n ml rollout undo deployment/gpu-inference
      - kubectl -n ml rollout undo deployment/gpu-inference --dry-run=client
    ```

    ## Use instead
    ```yaml
    rollback_commands:
      - kubectl -n ml rollout history deployment/gpu-inference
      - kubectl -n ml rollout undo deployment/gpu-inference --to-revision=2
    ```

    ## Fix
    Add `kubectl -n <ns> rollout history deployment/<name>` and
    `kubectl -n <ns> rollout undo deployment/<name>` as items of the `rollback_commands` list.

    Automatic fix (safe): when the manifests next to the plan (or in the same answers file) hold
    one Deployment (the GPU one, when there are several), the missing `kubectl [-n <namespace>]
    rollout history|undo deployment/<name>` are added to `rollback_commands` (the key is
    created when missing); a block string or a mapping of commands is left as written.
    """

    id = "GL401"
    name = "rollback-commands"
    severity = Severity.ERROR
    kind = "rollout"
    criterion = "rollback.commands"
    summary = "rollback_commands lacks a kubectl rollout history or rollout undo of a Deployment"
    fix = "add `kubectl -n <ns> rollout history deployment/<name>` and `kubectl -n <ns> rollout undo deployment/<name>`"
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.SAFE,)

    def check(self, spec, project):
        pair = Y.get_pair(spec.node, "rollback_commands")
        if pair is None:
            if not _elsewhere(spec, project):
                yield self.report(Y.span(spec.source, spec.node),
                                  "the rollout plan has no `rollback_commands` key; add a list with a "
                                  "`kubectl rollout history` and a `kubectl rollout undo` of the Deployment",
                                  autofix=add_rollback_commands(spec, project, ("history", "undo")))
            return
        key, value = pair
        if R.is_empty(value) or not R.command_strings(value):
            what = "is empty" if R.is_empty(value) else "holds no command strings"
            yield self.report(Y.span(spec.source, key),
                              f"`rollback_commands` {what}; list a `kubectl rollout history` and a "
                              "`kubectl rollout undo` of the Deployment",
                              autofix=add_rollback_commands(spec, project, ("history", "undo"))
                              if R.is_empty(value) else None)
            return
        commands = [line for node in R.command_strings(value) for line in R.command_lines(spec.source, node)]
        rollouts = [r for r in (R.parse_rollout(c) for c in commands) if r is not None]
        limited = R.without_history(project)
        for r in rollouts:
            found = next((limited[n] for n in r.names if n in limited), None) if R.counts(r, "undo") else None
            if found is not None:
                manifests, node = found
                yield self.report(r.line.span, "this undo has no revision to return to: the Deployment sets "
                                  "`revisionHistoryLimit: 0`, so its controller deletes every old ReplicaSet and "
                                  "`kubectl rollout undo` fails with \"no rollout history found\"",
                                  fix="keep some history in the Deployment (`revisionHistoryLimit: 10`, the default)",
                                  related=[(Y.span(manifests.source, node), "the Deployment keeps no old revision")])
        for action in ("history", "undo"):
            if any(R.counts(r, action) for r in rollouts):
                continue
            hints = [h for h in (R.near_miss(c, action) for c in commands) if h]
            hint = f" ({hints[0]})" if hints else ""
            yield self.report(Y.span(spec.source, key),
                              f"`rollback_commands` has no runnable `kubectl rollout {action}` of a Deployment{hint}; "
                              f"add `kubectl -n <namespace> rollout {action} deployment/<name>`",
                              fix=f"add `kubectl -n <namespace> rollout {action} deployment/<name>` to "
                                  "rollback_commands",
                              autofix=add_rollback_commands(spec, project, (action,)))


def _elsewhere(spec, project) -> bool:
    """Another rollout plan of the project has the key (a plan split over two files)."""
    return project.facts(R.RolloutPlans).rollback_elsewhere(spec)
