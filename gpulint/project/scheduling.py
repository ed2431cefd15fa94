"""Scheduling across files: node groups with labels and taints, the workloads that select them,
toleration matching as the Kubernetes scheduler does it, and GPU ResourceQuota sums.

Node groups come from ``Node`` objects (``metadata.labels``, ``spec.taints``), Config Connector's
GKE ``ContainerNodePool`` (``spec.nodeConfig.labels``/``taint``, plus the ``cloud.google.com/
gke-nodepool`` label GKE adds), and Karpenter ``NodePool`` (``spec.template.metadata.labels``,
``spec.template.spec.taints``, ``requirements``). Workloads are pod templates of Pods, Deployments,
StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs, and Tekton pod templates (PipelineRun
``taskRunTemplate.podTemplate``/``podTemplate``/``taskRunSpecs[].podTemplate``, TaskRun
``podTemplate``), also inside TriggerTemplates.
"""

from __future__ import annotations

from gpulint.artifacts.kubernetes.model import GPU_RESOURCE, K8sObject, gpu_count
from gpulint.artifacts.kubernetes.scheduling import (  # noqa: F401 - re-exported
    BLOCKING, NodeGroup, Selection, Taint, _is_gpu, _labels, _taints, _text, selection, tolerates, untolerated)
from gpulint.core.records import Record
from gpulint.core.source import Source
from gpulint.syntax import yamlnode as Y


def node_groups(project) -> list[NodeGroup]:
    return project.memo("scheduling-node-groups", lambda: _node_groups(project))


def _objects(project) -> list[K8sObject]:
    return [o for m in sorted(project.of_kind("kubernetes"), key=lambda m: m.source.rel_path) for o in m.objects]


def _anchor(obj: K8sObject):
    name = Y.get_path(obj.node, "metadata", "name")
    return name if Y.is_scalar(name) else obj.node


def _node_groups(project) -> list[NodeGroup]:
    out = []
    for o in _objects(project):
        api = o.api_version or ""
        spec = Y.get(o.node, "spec")
        if o.kind == "Node" and api == "v1":
            labels = _labels(Y.get_path(o.node, "metadata", "labels"))
            taints = _taints(Y.get(spec, "taints"))
            gpu = Y.get(Y.get_path(o.node, "status", "capacity"), GPU_RESOURCE) is not None
            out.append(NodeGroup(o.source, _anchor(o), "Node", o.name or "?", labels, taints, _is_gpu(labels, taints, gpu)))
        elif o.kind == "ContainerNodePool" and api.startswith("container.cnrm.cloud.google.com/"):
            config = Y.get(spec, "nodeConfig")
            labels = _labels(Y.get(config, "labels"))
            name = _text(Y.get(spec, "resourceID")) or o.name or "?"
            labels.setdefault("cloud.google.com/gke-nodepool", set()).add(name)
            accel = Y.items(Y.get(config, "guestAccelerator"))
            for a in accel:
                kind = _text(Y.get(a, "type"))
                if kind:
                    labels.setdefault("cloud.google.com/gke-accelerator", set()).add(kind)
            taints = _taints(Y.get(config, "taint"), gke=True)
            out.append(NodeGroup(o.source, _anchor(o), "ContainerNodePool", name, labels, taints,
                                 _is_gpu(labels, taints, bool(accel))))
        elif o.kind == "NodePool" and api.startswith("karpenter.sh/"):
            template = Y.get(spec, "template")
            labels = _labels(Y.get_path(template, "metadata", "labels"))
            labels.setdefault("karpenter.sh/nodepool", set()).add(o.name or "?")
            for r in Y.items(Y.get_path(template, "spec", "requirements")):
                key, op = _text(Y.get(r, "key")), _text(Y.get(r, "operator"))
                if key and op == "In":
                    labels.setdefault(key, set()).update(v for v in (_text(x) for x in Y.items(Y.get(r, "values"))) if v)
            taints = _taints(Y.get_path(template, "spec", "taints"))
            out.append(NodeGroup(o.source, _anchor(o), "NodePool", o.name or "?", labels, taints, _is_gpu(labels, taints)))
    return out


class Workload(Record):
    source: Source
    obj: K8sObject
    pod: Y.Node  # the pod spec or Tekton pod template
    what: str  # for messages
    tekton: bool = False


def workloads(project) -> list[Workload]:
    return project.memo("scheduling-workloads", lambda: _workloads(project))


_TEKTON = ("tekton.dev/", "triggers.tekton.dev/")


def _tekton_templates(source: Source, obj: K8sObject, run: Y.Node, label: str) -> list[Workload]:
    out = []
    spec = Y.get(run, "spec")
    kind = _text(Y.get(run, "kind"))
    for key in (("taskRunTemplate", "podTemplate"), ("podTemplate",)):
        pod = Y.get_path(spec, *key)
        if Y.is_map(pod):
            out.append(Workload(source, obj, pod, f"the pod template of {kind} {label}", True))
    for trs in Y.items(Y.get(spec, "taskRunSpecs")):
        pod = Y.get(trs, "podTemplate") or Y.get(trs, "taskPodTemplate")
        if Y.is_map(pod):
            task = _text(Y.get(trs, "pipelineTaskName")) or "?"
            out.append(Workload(source, obj, pod, f"the pod template of task '{task}' in {kind} {label}", True))
    return out


def _workloads(project) -> list[Workload]:
    out = []
    for o in _objects(project):
        api = o.api_version or ""
        if api.startswith(_TEKTON):
            if o.kind in ("PipelineRun", "TaskRun"):
                out.extend(_tekton_templates(o.source, o, o.node, f"'{o.name}'"))
            elif o.kind == "TriggerTemplate":
                for r in Y.items(Y.get_path(o.node, "spec", "resourcetemplates")):
                    if Y.is_map(r) and _text(Y.get(r, "kind")) in ("PipelineRun", "TaskRun"):
                        out.extend(_tekton_templates(o.source, o, r, f"in TriggerTemplate '{o.name}'"))
            continue
        pod = o.pod_spec()
        if Y.is_map(pod):
            out.append(Workload(o.source, o, pod, f"{o.kind} '{o.name}'"))
    return out


# ----------------------------------------------------------------------------- quotas

def namespace(obj: K8sObject) -> str:
    return _text(Y.get_path(obj.node, "metadata", "namespace")) or "default"


def pod_gpus(pod: Y.Node) -> int:
    """GPUs one pod asks for: the sum over containers (limits, else requests), or the largest init
    container when that is more."""
    def one(c):
        for where in ("limits", "requests"):
            n = gpu_count(Y.get(Y.get_path(c, "resources", where), GPU_RESOURCE))
            if n is not None:
                return n
        return 0
    main = sum(one(c) for c in Y.items(Y.get(pod, "containers")) if Y.is_map(c))
    init = max([one(c) for c in Y.items(Y.get(pod, "initContainers")) if Y.is_map(c)] or [0])
    return max(main, init)


def _int(node) -> int | None:
    value = Y.scalar(node)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def full_scale(obj: K8sObject, hpas: dict[tuple[str, str, str], int]) -> tuple[int, str]:
    """Pods of a workload at full scale, and how that was decided."""
    kind = obj.kind or ""
    spec = Y.get(obj.node, "spec")
    hpa = hpas.get((namespace(obj), kind, obj.name or ""))
    if hpa is not None:
        return hpa, f"HorizontalPodAutoscaler maxReplicas {hpa}"
    if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        replicas = Y.get(spec, "replicas")
        n = _int(replicas) if replicas is not None else 1
        return (n if n is not None else 1), f"replicas {n if n is not None else 1}"
    if kind == "Job":
        n = _int(Y.get(spec, "parallelism"))
        return (n if n is not None else 1), f"parallelism {n if n is not None else 1}"
    if kind == "CronJob":
        n = _int(Y.get_path(spec, "jobTemplate", "spec", "parallelism"))
        return (n if n is not None else 1), f"parallelism {n if n is not None else 1}"
    return 1, "1 pod"


def hpa_max(project) -> dict[tuple[str, str, str], int]:
    out = {}
    for o in _objects(project):
        if o.kind == "HorizontalPodAutoscaler":
            ref = Y.get_path(o.node, "spec", "scaleTargetRef")
            n = _int(Y.get_path(o.node, "spec", "maxReplicas"))
            kind, name = _text(Y.get(ref, "kind")), _text(Y.get(ref, "name"))
            if n is not None and kind and name:
                out[(namespace(o), kind, name)] = n
    return out


QUOTA_KEYS = ("requests.nvidia.com/gpu", "limits.nvidia.com/gpu")


class Demand(Record):
    total: int
    parts: list[str]


def gpu_demand(project, ns: str) -> Demand:
    hpas = hpa_max(project)
    total, parts = 0, []
    for o in _objects(project):
        if (o.api_version or "").startswith(_TEKTON) or o.kind == "DaemonSet" or namespace(o) != ns:
            continue
        pod = o.pod_spec()
        if not Y.is_map(pod):
            continue
        per_pod = pod_gpus(pod)
        if per_pod <= 0:
            continue
        pods, how = full_scale(o, hpas)
        total += pods * per_pod
        parts.append(f"{o.kind} '{o.name}' {pods} × {per_pod} ({how})")
    return Demand(total, parts)
