"""The lab asks for an ``apps/v1`` Deployment: what stands in its place when a submission has none.

With the lab profile, a submission whose manifests hold no Deployment cannot pass the Deployment
criteria by way of another long-running workload kind (a StatefulSet, a DaemonSet, a ReplicaSet, a
Pod, an Argo Rollout...): those are reported where they are written. Run-to-completion kinds
(Job, CronJob, Tekton) stand in for nothing. When the Kubernetes manifest is required (grading,
``--require kubernetes``) and no file has a workload at all, the first object is reported. The
production profile judges every workload kind on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gpulint.project.config import profile_of
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import K8sObject, key_node
from gpulint.artifacts.kubernetes.workloads import SERVER, pod_templates


def has_deployment(project: Any) -> bool:
    def compute() -> bool:
        return any(obj.kind == "Deployment" for m in project.of_kind("kubernetes") for obj in m.objects)
    return project.memo("lab-has-deployment", compute)


def stand_ins(manifests: Any, project: Any) -> Iterator[tuple[K8sObject, Y.Node]]:
    """With the lab profile and no Deployment anywhere: each workload of this file written instead
    of one, with its ``kind`` value; when no file has a workload, the first object of the first
    file. Nothing otherwise."""
    if profile_of(project) != "lab" or has_deployment(project):
        return
    workloads = [obj for obj in manifests.objects if _serves(obj)]
    if workloads:
        for obj in workloads:
            yield obj, _kind_value(obj)
        return
    if "kubernetes" not in project.config.require and not project.of_kind("answers"):
        return
    files = [m for m in project.of_kind("kubernetes") if m.objects]
    if any(_serves(obj) for m in files for obj in m.objects):
        return
    if files and files[0] is manifests:
        yield manifests.objects[0], _kind_value(manifests.objects[0])


def _serves(obj: K8sObject) -> bool:
    """A long-running workload, the kind of thing a Deployment is."""
    return any(t.policy == SERVER for t in pod_templates(obj))


def _kind_value(obj: K8sObject) -> Y.Node:
    return Y.get(obj.node, "kind") or key_node(obj.node, "kind") or obj.node


def describe(obj: K8sObject) -> str:
    name = f" '{obj.name}'" if isinstance(obj.name, str) else ""
    return f"{obj.kind or 'an object without a kind'}{name}"
