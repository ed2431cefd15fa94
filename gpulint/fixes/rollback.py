"""GL401: the rollout plan gets ``kubectl rollout history`` and ``undo`` of the deployed Deployment.

The Deployment is the one the project deploys: the Deployment of the manifests that belong with
the plan (the same folder tree, or the same lab answers file), the GPU one when there are
several; its ``metadata.name`` and ``metadata.namespace`` go into the commands. With no such
Deployment, or several that the plan could mean, no fix is offered. Safe: nothing is picked
that the manifests do not say.
"""

from __future__ import annotations

from gpulint.artifacts.kubernetes.model import deployments, gpu_container, gpu_limit
from gpulint.artifacts.rollout import RolloutSpec
from gpulint.core.fix import Fix
from gpulint.core.source import EmbeddedSource
from gpulint.project.lifecycle import partners
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.yamledit import Layout, append_items, set_value


def deployed(spec: RolloutSpec, project) -> tuple[str, str | None] | None:
    """(name, namespace) of the Deployment the plan rolls back, when the manifests name one."""
    manifests = partners(project, spec, "kubernetes") + [
        m for m in project.of_kind("kubernetes")
        if isinstance(m.source, EmbeddedSource) and m.source.parent is spec.source]
    found: dict[tuple[str, str | None], bool] = {}
    for artifact in manifests:
        for obj in deployments(artifact):
            if not obj.name:
                continue
            namespace = Y.text(Y.get_path(obj.node, "metadata", "namespace"))
            container = gpu_container(obj)
            found[(obj.name, namespace)] = found.get((obj.name, namespace), False) or (
                container is not None and gpu_limit(container) is not None)
    gpu = [k for k, v in found.items() if v]
    choice = gpu if gpu else list(found)
    return choice[0] if len(choice) == 1 else None


def command(action: str, target: tuple[str, str | None]) -> str:
    name, namespace = target
    where = f"-n {namespace} " if namespace else ""
    return f"kubectl {where}rollout {action} deployment/{name}"


def add_rollback_commands(spec: RolloutSpec, project, actions: tuple[str, ...]) -> Fix | None:
    target = deployed(spec, project)
    if target is None or not actions:
        return None
    commands = [command(action, target) for action in actions]
    layout = Layout(spec.source, spec.node)
    pair = Y.get_pair(spec.node, "rollback_commands")
    value = pair[1] if pair else None
    if pair is None or Y.is_null(value):
        edit = set_value(spec.source, spec.node, "rollback_commands", commands, layout,
                         before=("image_promotion_flow",))
    elif Y.is_seq(value):
        edit = append_items(spec.source, value, commands, layout)
    else:
        return None  # a block string or a mapping of commands: the author's own form
    if edit is None:
        return None
    return Fix.safe(f"add `{'` and `'.join(commands)}` to rollback_commands", edit)
