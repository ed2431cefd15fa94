"""Every pod template a manifest declares, and the containers in it that ask for a GPU.

A workload object holds one or more pod templates: a Deployment one, a RayCluster its head group
and each worker group, a KServe InferenceService its predictor, transformer and explainer, a
LeaderWorkerSet its leader and worker templates, a training job (Kubeflow's PyTorchJob, TFJob,
MPIJob and the other replica-spec jobs, a JobSet, a Volcano Job) each replica, replicated job or
task. ``pod_templates(obj)`` yields each as a
``PodTemplate`` with the pod-spec node, a role label for messages, and the kind's policy: whether
its pods are long-running servers (probes make sense) or run to completion (Job, CronJob, a Pod
with ``restartPolicy: Never``), and whether the operator manages the probes itself (KubeRay
injects readiness/liveness probes into Ray pods).

A container asks for a GPU through an extended resource in ``resources.limits``/``requests``
(``nvidia.com/gpu``, ``nvidia.com/mig-1g.10gb``, ``amd.com/gpu``, ``gpu.intel.com/i915``) or
through Dynamic Resource Allocation: ``resources.claims[].name`` names an entry of the pod's
``resourceClaims``, which points at a ``ResourceClaimTemplate`` (or a ``ResourceClaim``) whose
device requests name a GPU device class (``gpu.nvidia.com``, ``mig.nvidia.com``,
``gpu.amd.com``). Claim objects are looked up in every scanned Kubernetes file; a claim whose
template is not among them is ``unresolved`` (it may well be a GPU: rules give it the benefit of
the doubt and say so).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gpulint.artifacts.kubernetes.model import GPU_RESOURCE, K8sObject, is_gpu_resource, key_node
from gpulint.core.records import Record, field
from gpulint.syntax import yamlnode as Y

# --------------------------------------------------------------------------- GPU resource names

class GpuAsk(Record):
    """One GPU extended resource a container names in ``limits`` or ``requests``."""

    resource: str
    section: str  # "limits" | "requests"
    key: Y.Node
    value: Y.Node


def gpu_asks(container: Y.Node | None) -> list[GpuAsk]:
    found = []
    for section in ("limits", "requests"):
        for key, value in Y.pairs(Y.get_path(container, "resources", section)):
            name = Y.text(key) if Y.is_scalar(key) else None
            if is_gpu_resource(name):
                found.append(GpuAsk(name, section, key, value))  # type: ignore[arg-type]
    return found


def gpu_resource_limit(container: Y.Node | None) -> GpuAsk | None:
    """The container's GPU limit (``nvidia.com/gpu`` first, else another vendor's or a MIG profile)."""
    limits = [a for a in gpu_asks(container) if a.section == "limits"]
    limits.sort(key=lambda a: a.resource != GPU_RESOURCE)
    return limits[0] if limits else None


# --------------------------------------------------------------------------- DRA device classes

_GPU_CLASS_WORDS = ("gpu", "gpus", "vgpu", "mig")


def is_gpu_device_class(name: str | None) -> bool:
    """A DRA device class that hands out GPUs: ``gpu.nvidia.com``, ``mig.nvidia.com``,
    ``gpu.amd.com``, ``gpu.intel.com``, ``nvidia-gpu``, ``example-gpu-class``."""
    if not name:
        return False
    words = name.lower().replace("-", ".").replace("_", ".").split(".")
    return any(w in _GPU_CLASS_WORDS for w in words)


class ClaimObject(Record):
    """A ResourceClaimTemplate or ResourceClaim found in the scanned files."""

    obj: K8sObject
    classes: dict[str | None, list[str]]  # request name -> device class names (None: v1alpha2 class)

    def gpu(self, request: str | None = None) -> bool:
        if request is not None and request in self.classes:
            return any(is_gpu_device_class(c) for c in self.classes[request])
        return any(is_gpu_device_class(c) for names in self.classes.values() for c in names)

    def describe(self) -> str:
        return f"{self.obj.kind} '{self.obj.name or '?'}' ({self.obj.source.rel_path})"


def _device_classes(devices: Y.Node | None) -> dict[str | None, list[str]]:
    classes: dict[str | None, list[str]] = {}
    for request in Y.items(Y.get(devices, "requests")):
        names = [Y.text(Y.get(request, "deviceClassName")),  # v1beta1
                 Y.text(Y.get_path(request, "exactly", "deviceClassName"))]  # v1beta2 / v1
        names += [Y.text(Y.get(sub, "deviceClassName")) for sub in Y.items(Y.get(request, "firstAvailable"))]
        classes.setdefault(Y.text(Y.get(request, "name")), []).extend(n for n in names if n)
    return classes


def claim_object(obj: K8sObject) -> ClaimObject | None:
    if not (obj.api_version or "").startswith("resource.k8s.io/"):
        return None
    if obj.kind == "ResourceClaimTemplate":
        spec = Y.get_path(obj.node, "spec", "spec")
    elif obj.kind == "ResourceClaim":
        spec = Y.get(obj.node, "spec")
    else:
        return None
    classes = _device_classes(Y.get(spec, "devices"))
    legacy = Y.text(Y.get(spec, "resourceClassName"))  # resource.k8s.io/v1alpha2
    if legacy:
        classes.setdefault(None, []).append(legacy)
    return ClaimObject(obj, classes)


def claim_index(project: Any, manifests: Any = None) -> dict[tuple[str, str], ClaimObject]:
    """(kind, name) -> claim object, from every scanned Kubernetes file (and ``manifests``)."""

    def compute() -> dict[tuple[str, str], ClaimObject]:
        index: dict[tuple[str, str], ClaimObject] = {}
        for artifact in project.of_kind("kubernetes") if project is not None else []:
            for obj in getattr(artifact, "objects", []):
                claim = claim_object(obj)
                if claim is not None and obj.name:
                    index.setdefault((obj.kind or "", obj.name), claim)
        return index

    index = project.memo("workloads-dra-claims", compute) if project is not None else {}
    if manifests is not None:
        extra = {}
        for obj in manifests.objects:
            claim = claim_object(obj)
            if claim is not None and obj.name and (obj.kind or "", obj.name) not in index:
                extra[(obj.kind or "", obj.name)] = claim
        if extra:
            index = {**index, **extra}
    return index


GPU, NOT_GPU, UNRESOLVED, UNDECLARED = "gpu", "not-gpu", "unresolved", "undeclared"


class DraClaim(Record):
    """A container's ``resources.claims`` entry, followed to the object that defines the devices."""

    name: str
    node: Y.Node  # the container's claim entry (its ``name`` value when there is one)
    status: str  # GPU | NOT_GPU | UNRESOLVED | UNDECLARED
    target: str | None = None  # "ResourceClaimTemplate 'x'" (resolved or not)
    claim: ClaimObject | None = None

    def where(self) -> str:
        if self.claim is not None:
            return self.claim.describe()
        return self.target or f"claim '{self.name}'"


# --------------------------------------------------------------------------- pod templates

SERVER, BATCH = "server", "batch"


class PodTemplate(Record):
    obj: K8sObject
    spec: Y.Node | None  # the pod spec (for KServe: the component, which inlines pod-spec fields)
    role: str | None  # "worker group 'gpu-group'", "predictor", "leader template"; None: the template
    policy: str  # SERVER (long-running) or BATCH (runs to completion)
    probes: bool  # users are expected to declare readiness/liveness probes (GL304)
    anchor: Y.Node  # where a finding about the template as a whole points
    extra_containers: list[Y.Node] = field(default_factory=list)  # KServe `model:`/framework containers

    @property
    def kind(self) -> str:
        return self.obj.kind or ""

    @property
    def is_deployment(self) -> bool:
        return self.obj.kind == "Deployment"

    def containers(self) -> list[Y.Node]:
        listed = [c for c in Y.items(Y.get(self.spec, "containers")) if Y.is_map(c)]
        return self.extra_containers + listed

    def init_containers(self) -> list[Y.Node]:
        return [c for c in Y.items(Y.get(self.spec, "initContainers")) if Y.is_map(c)]

    @property
    def judges_probes(self) -> bool:
        """Declared probes of this template are judged (GL305, GL510...): the kinds that require
        them, and KServe components (which do not require them but often declare them)."""
        return self.probes or self.kind == "InferenceService"

    def describe(self) -> str:
        text = f"{self.kind} '{self.obj.name or '?'}'"
        return f"{text} {self.role}" if self.role else text

    # -- GPU containers

    def claims(self, container: Y.Node, index: dict | None) -> list[DraClaim]:
        """The DRA claims a container uses, resolved through the pod's ``resourceClaims``."""
        pod_claims: dict[str, Y.Node] = {}
        for entry in Y.items(Y.get(self.spec, "resourceClaims")):
            name = Y.text(Y.get(entry, "name"))
            if name:
                pod_claims.setdefault(name, entry)
        found = []
        for entry in Y.items(Y.get_path(container, "resources", "claims")):
            name_node = Y.get(entry, "name")
            name = Y.text(name_node) if Y.is_scalar(name_node) else None
            if not name:
                continue
            node = name_node if name_node is not None else entry
            pod_entry = pod_claims.get(name)
            if pod_entry is None:
                found.append(DraClaim(name, node, UNDECLARED))
                continue
            request = Y.text(Y.get(entry, "request"))
            source = Y.get(pod_entry, "source")  # <= 1.30 nested the reference under `source`
            refs = [("ResourceClaimTemplate", Y.text(Y.get(pod_entry, "resourceClaimTemplateName"))
                     or Y.text(Y.get(source, "resourceClaimTemplateName"))),
                    ("ResourceClaim", Y.text(Y.get(pod_entry, "resourceClaimName"))
                     or Y.text(Y.get(source, "resourceClaimName")))]
            kind, target = next(((k, t) for k, t in refs if t), (None, None))
            if kind is None:
                found.append(DraClaim(name, node, UNRESOLVED, f"pod claim '{name}'"))
                continue
            claim = (index or {}).get((kind, target))
            described = f"{kind} '{target}'"
            if claim is None:
                found.append(DraClaim(name, node, UNRESOLVED, described))
            else:
                found.append(DraClaim(name, node, GPU if claim.gpu(request) else NOT_GPU, described, claim))
        return found

    def asks_gpu(self, container: Y.Node, index: dict | None, unresolved: bool = True) -> bool:
        """The container asks for a GPU: a GPU extended resource (limit or request), or a DRA claim on
        a GPU device class (an unresolved claim counts when ``unresolved``)."""
        if gpu_asks(container):
            return True
        wanted = (GPU, UNRESOLVED) if unresolved else (GPU,)
        return any(c.status in wanted for c in self.claims(container, index))

    def gpu_containers(self, index: dict | None, unresolved: bool = True) -> list[Y.Node]:
        return [c for c in self.containers() if self.asks_gpu(c, index, unresolved)]

    def gpu_container(self, index: dict | None, fallback: bool | None = None) -> Y.Node | None:
        """The container that asks for a GPU; a Deployment falls back to its first container (the lab's
        reading of "the GPU container")."""
        containers = self.containers()
        for container in containers:
            if gpu_asks(container) and any(a.section == "limits" for a in gpu_asks(container)):
                return container
        for container in containers:
            if self.asks_gpu(container, index):
                return container
        if fallback is None:
            fallback = self.is_deployment
        return containers[0] if fallback and containers else None


# Custom resources: the API group each kind must come from.
_GROUPS = {
    "Rollout": "argoproj.io/",
    "LeaderWorkerSet": "leaderworkerset.x-k8s.io/",
    "RayCluster": "ray.io/",
    "RayService": "ray.io/",
    "RayJob": "ray.io/",
    "InferenceService": "serving.kserve.io/",
    "JobSet": "jobset.x-k8s.io/",
}
# Training jobs whose operators run pods from the templates of their replica specs (Kubeflow's
# training operator and MPI operator: `spec.pytorchReplicaSpecs.Worker.template`).
_REPLICA_JOBS = {"PyTorchJob": "pytorchReplicaSpecs", "TFJob": "tfReplicaSpecs", "MPIJob": "mpiReplicaSpecs",
                 "XGBoostJob": "xgbReplicaSpecs", "PaddleJob": "paddleReplicaSpecs", "JAXJob": "jaxReplicaSpecs",
                 "MXJob": "mxReplicaSpecs"}
_KUBEFLOW = "kubeflow.org/"
_VOLCANO = "batch.volcano.sh/"
_SERVERS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
# KServe component fields that hold one container spec (the model server): `model` and the
# framework shorthands of v1beta1.
KSERVE_MODEL_FIELDS = ("model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "pmml",
                       "lightgbm", "paddle", "huggingface", "alibi", "art")
KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")

# Kinds this module finds pod templates in, for rule documentation.
WORKLOAD_KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Rollout",
                  "LeaderWorkerSet", "RayCluster", "RayService", "RayJob", "InferenceService")


def _template(obj: K8sObject, template_parent: Y.Node | None, template_key: str, role: str | None,
              policy: str, probes: bool, fallback: Y.Node | None = None) -> PodTemplate | None:
    template = Y.get(template_parent, template_key)
    if template is None or not Y.is_map(template):
        return None
    spec = Y.get(template, "spec")
    anchor = key_node(template, "spec") or key_node(template_parent, template_key) or fallback or obj.node
    return PodTemplate(obj, spec if Y.is_map(spec) else None, role, policy, probes, anchor)


def _ray_templates(obj: K8sObject, cluster: Y.Node | None, policy: str) -> Iterator[PodTemplate]:
    # KubeRay injects readiness/liveness probes into Ray pods (they check the raylet and GCS), so
    # users are not expected to write their own.
    head = _template(obj, Y.get(cluster, "headGroupSpec"), "template", "head group", policy, False)
    if head is not None:
        yield head
    for group in Y.items(Y.get(cluster, "workerGroupSpecs")):
        name = Y.text(Y.get(group, "groupName"))
        found = _template(obj, group, "template", f"worker group '{name or '?'}'", policy, False)
        if found is not None:
            yield found


def pod_templates(obj: K8sObject) -> list[PodTemplate]:
    """Every pod template of one object (empty for kinds that hold none)."""
    kind = obj.kind or ""
    group = _GROUPS.get(kind)
    if group is not None and not (obj.api_version or "").startswith(group):
        return []
    spec = Y.get(obj.node, "spec")
    if not Y.is_map(obj.node):
        return []
    found: list[PodTemplate | None] = []
    if kind in _SERVERS or kind == "Rollout":
        # A Rollout may point at a Deployment (`workloadRef`) instead: that Deployment is checked itself.
        found.append(_template(obj, spec, "template", None, SERVER, True))
    elif kind == "Job" and (obj.api_version or "").startswith(_VOLCANO):
        for task in Y.items(Y.get(spec, "tasks")):  # a Volcano Job: one pod template per task
            found.append(_template(obj, task, "template", f"task '{Y.text(Y.get(task, 'name')) or '?'}'", BATCH, False))
    elif kind == "Job":
        found.append(_template(obj, spec, "template", None, BATCH, False))
    elif kind in _REPLICA_JOBS and (obj.api_version or "").startswith(_KUBEFLOW):
        for role, replica in Y.pairs(Y.get(spec, _REPLICA_JOBS[kind])):
            found.append(_template(obj, replica, "template", f"replica '{Y.key_text(role) or '?'}'", BATCH, False))
    elif kind == "JobSet":
        for job in Y.items(Y.get(spec, "replicatedJobs")):
            job_spec = Y.get(Y.get(job, "template"), "spec")
            found.append(_template(obj, job_spec, "template", f"replicated job '{Y.text(Y.get(job, 'name')) or '?'}'",
                                   BATCH, False))
    elif kind == "CronJob":
        found.append(_template(obj, Y.get(Y.get(spec, "jobTemplate"), "spec"), "template", None, BATCH, False,
                               key_node(spec, "jobTemplate")))
    elif kind == "Pod":
        restart = Y.text(Y.get(spec, "restartPolicy"))
        batch = restart in ("Never", "OnFailure")
        if Y.is_map(spec):
            found.append(PodTemplate(obj, spec, None, BATCH if batch else SERVER, not batch,
                                     key_node(obj.node, "spec") or obj.node))
    elif kind == "LeaderWorkerSet":
        lws = Y.get(spec, "leaderWorkerTemplate")
        leader = _template(obj, lws, "leaderTemplate", "leader template", SERVER, True)
        # Without a leaderTemplate the leader pod is made from the workerTemplate too.
        worker = _template(obj, lws, "workerTemplate", "worker template", SERVER, leader is None)
        found += [leader, worker]
    elif kind == "RayCluster":
        found += list(_ray_templates(obj, spec, SERVER))
    elif kind == "RayService":
        found += list(_ray_templates(obj, Y.get(spec, "rayClusterConfig"), SERVER))
    elif kind == "RayJob":
        found += list(_ray_templates(obj, Y.get(spec, "rayClusterSpec"), BATCH))
    elif kind == "InferenceService":
        for component in KSERVE_COMPONENTS:
            node = Y.get(spec, component)
            if not Y.is_map(node):
                continue
            models = [Y.get(node, f) for f in KSERVE_MODEL_FIELDS if Y.is_map(Y.get(node, f))]
            # KServe (through Knative's queue-proxy, or its own defaults in raw mode) checks readiness
            # of the model server itself, so probes are not required; declared ones are judged.
            found.append(PodTemplate(obj, node, component, SERVER, False, key_node(spec, component) or obj.node,
                                     extra_containers=models))
    out, seen = [], set()
    for template in found:  # templates that share one pod spec by a YAML alias (`spec: *task`) are one
        if template is not None and (template.spec is None or id(template.spec) not in seen):
            seen.add(id(template.spec))
            out.append(template)
    return out


_CORE_KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Rollout",
               "LeaderWorkerSet")


def is_fragment(obj: K8sObject) -> bool:
    """A partial object, not a manifest the API server receives: a kustomize strategic-merge patch
    or overlay (``patch-decode.yaml``) names containers without any ``image``, which every real
    container needs, or writes a pod spec without ``containers`` (a patch that only sets a
    nodeSelector), which every real pod spec has, or says `$patch:` (`delete`, `replace`); its
    other fields merge into a base the file does not show. (``project.kustomize.is_partial`` also knows the files kustomizations name as patches.)"""
    cached = obj.__dict__.get("_fragment")
    if cached is None and Y.is_map(obj.node) and Y.get_pair(obj.node, "$patch") is not None:
        cached = obj.__dict__["_fragment"] = True  # a patch by its own words (`$patch: delete`)
    if cached is None:
        # Only core pod templates: a KServe model container names a storageUri, not an image.
        templates = [t for t in pod_templates(obj) if obj.kind in _CORE_KINDS]
        containers = [c for t in templates for c in Y.items(Y.get(t.spec, "containers")) if Y.is_map(c)]
        without_containers = any(Y.is_map(t.spec) and Y.pairs(t.spec) and Y.get_pair(t.spec, "containers") is None
                                 for t in templates)
        cached = without_containers or bool(containers) and all(Y.get_pair(c, "image") is None for c in containers)
        obj.__dict__["_fragment"] = cached
    return cached


def templates_in(manifests: Any) -> list[PodTemplate]:
    """The pod templates of every object of a file."""
    return [t for obj in manifests.objects for t in pod_templates(obj)]


def gpu_templates(manifests: Any, project: Any) -> Iterator[tuple[PodTemplate, Y.Node, dict]]:
    """(template, GPU container, claim index) for each template's GPU container (one that asks for a
    GPU by extended resource or DRA claim; no first-container fallback)."""
    index = claim_index(project, manifests)
    for template in templates_in(manifests):
        container = template.gpu_container(index, fallback=False)
        if container is not None:
            yield template, container, index


def probed_gpu_containers(manifests: Any, project: Any) -> list[tuple[PodTemplate, Y.Node]]:
    """(template, GPU container) for the templates whose declared probes are judged."""
    return [(t, c) for t, c, _ in gpu_templates(manifests, project) if t.judges_probes]


def gpu_object_nodes(manifests: Any, project: Any) -> set[int]:
    """ids of the object nodes whose pod template has a GPU container (DRA claims included)."""
    index = claim_index(project, manifests)
    return {id(t.obj.node) for t in templates_in(manifests) if t.gpu_containers(index)}
