"""Kubernetes objects found in YAML documents, and the pod templates and containers inside them."""

from __future__ import annotations

from gpulint.core.records import Record, field
from gpulint.core.source import Source
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.quantity import is_whole_number, parse_quantity
from gpulint.syntax.yamlfile import YamlFile

GPU_RESOURCE = "nvidia.com/gpu"

# Extended resources that hand a container whole GPU devices.
GPU_RESOURCES = (GPU_RESOURCE, "nvidia.com/gpu.shared", "amd.com/gpu", "gpu.intel.com/i915", "gpu.intel.com/xe")
_MIG_PREFIX = "nvidia.com/mig-"


def is_mig_resource(name: str) -> bool:
    """``nvidia.com/mig-<profile>``: ``1g.10gb``, ``3g.40gb``, ``1g.10gb+me``, ``1c.3g.40gb``."""
    if not name.startswith(_MIG_PREFIX):
        return False
    profile = name[len(_MIG_PREFIX):].split("+", 1)[0]
    parts = profile.split(".")
    if len(parts) < 2 or not parts[-1].endswith("gb") or not parts[-1][:-2].isdigit():
        return False
    return all(len(p) >= 2 and p[:-1].isdigit() and p[-1] in "gc" for p in parts[:-1])


def is_gpu_resource(name: str | None) -> bool:
    return bool(name) and (name in GPU_RESOURCES or is_mig_resource(name))  # type: ignore[arg-type]



# Where each workload kind keeps its pod template's spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),
}


class K8sObject(Record):
    source: Source
    node: Y.MappingNode
    api_version: str | None
    kind: str | None
    path: tuple = ()  # key path of this object inside its document (``items``/n for a List)

    @property
    def name(self) -> str | None:
        return Y.text(Y.get_path(self.node, "metadata", "name"))

    def pod_spec(self) -> Y.Node | None:
        keys = POD_SPEC_PATHS.get(self.kind or "")
        return Y.get_path(self.node, *keys) if keys else None

    def containers(self) -> list[Y.Node]:
        return [c for c in Y.items(Y.get(self.pod_spec(), "containers")) if Y.is_map(c)]

    @property
    def captured(self) -> bool:
        """A copy of an object read back from a cluster (`kubectl get -o yaml`, a `kubectl edit`
        buffer), not a manifest anyone applies: it carries fields only the API server assigns
        (`metadata.uid`, `resourceVersion`, `managedFields`, `selfLink`). `kubectl create
        --dry-run -o yaml` output has none of them (only `creationTimestamp: null`)."""
        metadata = Y.get(self.node, "metadata")
        return Y.is_map(metadata) and any(Y.get_pair(metadata, key) is not None
                                          for key in ("uid", "resourceVersion", "managedFields", "selfLink"))


class Manifests(Record):
    """Every Kubernetes object of one YAML or JSON file."""

    kind = "kubernetes"
    source: Source
    yaml: YamlFile
    objects: list[K8sObject] = field(default_factory=list)


def is_object(node: Y.Node | None) -> bool:
    return Y.is_map(node) and Y.get(node, "apiVersion") is not None and Y.get(node, "kind") is not None


# API groups of Tekton Pipelines and Triggers objects (CI pipelines written as Kubernetes objects).
TEKTON_GROUPS = ("tekton.dev/", "triggers.tekton.dev/")


def is_tekton(obj: K8sObject) -> bool:
    return isinstance(obj.api_version, str) and obj.api_version.startswith(TEKTON_GROUPS)


def objects_in(source: Source, document: Y.Node) -> list[K8sObject]:
    """The object a document holds, or the items of a ``kind: List``."""
    if not is_object(document):
        return []
    kind = Y.text(Y.get(document, "kind"))
    found = []
    if kind == "List" or (kind or "").endswith("List") and Y.is_seq(Y.get(document, "items")):
        for index, item in enumerate(Y.items(Y.get(document, "items"))):
            if is_object(item):
                found.append(K8sObject(source, item, Y.text(Y.get(item, "apiVersion")),
                                       Y.text(Y.get(item, "kind")), ("items", index)))
        return found
    return [K8sObject(source, document, Y.text(Y.get(document, "apiVersion")), kind)]


def gpu_limit(container: Y.Node) -> Y.Node | None:
    """The value node of the container's GPU limit: ``resources.limits["nvidia.com/gpu"]``, else
    another GPU extended resource (``amd.com/gpu``, ``gpu.intel.com/i915``, a MIG profile such as
    ``nvidia.com/mig-1g.10gb``; see ``gpulint.artifacts.kubernetes.workloads``)."""
    limits = Y.get_path(container, "resources", "limits")
    value = Y.get(limits, GPU_RESOURCE)
    if value is not None:
        return value
    for key, value in Y.pairs(limits):
        if Y.is_scalar(key) and is_gpu_resource(Y.text(key)):
            return value
    return None


def gpu_count(node: Y.Node | None) -> int | None:
    """A GPU quantity as a whole number of devices, or None if it is not one."""
    value = Y.scalar(node)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if not is_whole_number(value):
        return None
    return int(parse_quantity(value))


def gpu_container(obj: K8sObject) -> Y.Node | None:
    """The container that asks for a GPU (a GPU limit), else the first container."""
    containers = obj.containers()
    for container in containers:
        if gpu_limit(container) is not None:
            return container
    return containers[0] if containers else None


# --------------------------------------------------------------------------- shared rule helpers

PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def deployments(manifests: Manifests) -> list[K8sObject]:
    """The Deployment objects of a file (kind is case-sensitive, as the API server reads it)."""
    return [obj for obj in manifests.objects if obj.kind == "Deployment" and Y.is_map(obj.node)]


def gpu_request(container: Y.Node) -> Y.Node | None:
    """The value node of the container's GPU request (``nvidia.com/gpu`` first, else another GPU
    extended resource), if present."""
    requests = Y.get_path(container, "resources", "requests")
    value = Y.get(requests, GPU_RESOURCE)
    if value is not None:
        return value
    for key, value in Y.pairs(requests):
        if Y.is_scalar(key) and is_gpu_resource(Y.text(key)):
            return value
    return None


def is_gpu_workload(obj: K8sObject) -> bool:
    """True when some container limits or requests a GPU resource (whatever the value)."""
    return any(gpu_limit(c) is not None or gpu_request(c) is not None for c in obj.containers())


def container_anchor(container: Y.Node) -> Y.Node:
    """Where a finding about a whole container points: its ``name`` value, else the mapping."""
    name = Y.get(container, "name")
    return name if Y.is_scalar(name) else container


def key_node(node: Y.Node | None, key: str) -> Y.Node | None:
    """The key node of ``key`` in a mapping (findings about a missing child point here)."""
    pair = Y.get_pair(node, key)
    return pair[0] if pair else None


class Knob(Record):
    """An IntOrString rollout knob (``maxSurge``/``maxUnavailable``) as the API server reads it."""

    value: int | None  # the number (a percentage's number when percent), None when invalid
    percent: bool = False
    problem: str | None = None  # why the API server rejects it
    schema_error: bool = False  # the wrong JSON type: the schema rule reports it already

    @property
    def zero(self) -> bool:
        return self.value == 0


_NUMBER_TEXT = "0123456789"


def read_knob(node: Y.Node | None) -> Knob:
    """Classify a knob value: int >= 0, or a string "N%"; anything else has a problem."""
    if not Y.is_scalar(node) or node.tag not in (Y.INT_TAG, Y.FLOAT_TAG, Y.STR_TAG):
        # Mappings, lists, booleans: the wrong JSON type (reported by the schema rule).
        return Knob(None, problem="must be an integer or a percentage string", schema_error=True)
    value = Y.scalar(node)
    if isinstance(value, str) and not node.style:
        # go-yaml (kubectl) reads plain 1e3 or 1.50 as numbers where PyYAML keeps a string.
        try:
            value = float(value) if any(c in value for c in ".eE") else value
        except ValueError:
            pass
    if isinstance(value, float):
        if not value.is_integer():
            return Knob(None, problem=f"{node.value} is not a whole number", schema_error=True)
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            return Knob(None, problem=f"{value} is negative")
        return Knob(value)
    text = str(value)
    digits = text[:-1]
    if text.endswith("%") and digits and all(c in _NUMBER_TEXT for c in digits):
        return Knob(int(digits), percent=True)
    if text and all(c in _NUMBER_TEXT for c in text):
        return Knob(None, problem=f"the string {text!r} has no '%' (write {text} or '{text}%')")
    return Knob(None, problem=f"{text!r} is neither an integer nor a percentage like '25%'")


def schema_problems(obj: K8sObject) -> list:
    """``k8s_schema.check_node`` problems of an object whose kind the snapshot knows (computed once)."""
    cached = obj.__dict__.get("_schema_problems")
    if cached is None:
        from gpulint.artifacts.kubernetes import schema as k8s_schema  # reads the JSON snapshot only when needed

        type_name = k8s_schema.type_for_kind(obj.api_version, obj.kind) if obj.api_version and obj.kind else None
        cached = k8s_schema.check_node(obj.node, type_name) if type_name else []
        obj.__dict__["_schema_problems"] = cached
    return cached


def is_template_placeholder(node: Y.Node | None) -> bool:
    """An unquoted Helm/Go template value such as ``{{ .Values.gpus }}``, which YAML reads as a
    flow mapping whose only key is another mapping: its real value is unknown until rendered."""
    return Y.is_map(node) and len(node.value) == 1 and Y.is_map(node.value[0][0])
