"""Which pod templates are GPU workloads, decided before any GPU rule judges them.

A pod template is a GPU workload when a container asks for a GPU (an extended resource of any
vendor, a MIG profile, a DRA claim on a GPU device class, or a claim gpulint cannot resolve) or
when the pod is scheduled onto GPU nodes (a ``nodeSelector`` or required node affinity on a GPU
node label, or a toleration of a GPU taint). CPU-only workloads of a GPU project (a request
router, etcd, an operator's controller) are not: GPU rules (probes, GPU limits, rollout knobs,
GPU scheduling and memory) do not apply to them. Whether a container asks for a GPU cannot be
told when its ``resources`` is a placeholder (``resources: ${RESOURCES}``).

GPU infrastructure daemons (the device plugins of every vendor, GPU Feature Discovery, DCGM and
dcgm-exporter, nv-hostengine, the GPU operator's driver, toolkit, validator and MIG manager,
DRA kubelet plugins, node problem detectors) run on GPU nodes to serve the cluster itself: they
are not GPU services, and GPU service rules do not judge them.
"""

from __future__ import annotations

import re

from gpulint.artifacts.kubernetes.model import GPU_RESOURCES
from gpulint.artifacts.kubernetes.workloads import GPU, SERVER, UNRESOLVED, PodTemplate, gpu_asks
from gpulint.artifacts.process_kinds import daemon_image, workbench_image
from gpulint.core.records import Record
from gpulint.core.tri import UNKNOWN, Tri
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.images import parse_image
from gpulint.syntax.placeholders import placeholder_in

# Words of node labels, label values and taint keys that mean GPU nodes.
_GPU_NODE_WORDS = frozenset({"gpu", "gpus", "nvidia", "accelerator", "cuda", "amdgpu"})
# Accelerators that are not GPUs (GPU rules such as "limits nvidia.com/gpu" do not fit them).
_OTHER_ACCELERATORS = frozenset({"tpu", "neuron", "neuroncore", "inferentia", "trainium", "habana", "gaudi", "hpu"})
# Cloud instance types with GPUs (AWS p/g families, GCP a2/a3/g2, Azure NC/ND/NV).
_GPU_INSTANCE = re.compile(r"^(?:p[2-6][a-z]*|g[3-6][a-z]*|gr6|inf[12]|trn[12])\.|^(?:a2|a3|a4|g2)-|^standard_n[cdv]",
                           re.IGNORECASE)
_INSTANCE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type",
                    "karpenter.k8s.aws/instance-family", "eks.amazonaws.com/nodegroup")

def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", text.lower()) if w}


def gpu_node_label(key: str | None, value: str | None = None) -> bool:
    """A node label (and value) that names GPU nodes: ``nvidia.com/gpu.present``,
    ``cloud.google.com/gke-accelerator: nvidia-l4``, an instance type such as ``p5.48xlarge``."""
    if not key:
        return False
    words = _words(key) | _words(value or "")
    if words & _OTHER_ACCELERATORS:
        return False
    if _words(key) & _GPU_NODE_WORDS:
        return True
    if value and key in _INSTANCE_LABELS and _GPU_INSTANCE.search(value):
        return True
    return bool(value) and bool(_words(value) & _GPU_NODE_WORDS) and key not in ("kubernetes.io/os",)


def gpu_toleration(item: Y.Node) -> bool:
    """A toleration of a GPU taint (``nvidia.com/gpu``, ``amd.com/gpu``, ``sku=gpu``); a toleration of
    every taint (``operator: Exists`` without a key) says nothing about GPUs."""
    key = Y.text(Y.get(item, "key"))
    value = Y.text(Y.get(item, "value"))
    return bool(key) and (key in GPU_RESOURCES or gpu_node_label(key, value))


def gpu_node_scheduling(spec: Y.Node | None) -> str | None:
    """Why the pod is scheduled onto GPU nodes, or None."""
    selected = gpu_node_selection(spec)
    if selected is not None:
        return selected
    for item in Y.items(Y.get(spec, "tolerations")):
        if gpu_toleration(item):
            return f"toleration of {Y.text(Y.get(item, 'key'))}"
    return None


def gpu_node_selection(spec: Y.Node | None) -> str | None:
    """The nodeSelector or required node affinity that puts the pod on GPU nodes, described; None."""
    for key, value in Y.pairs(Y.get(spec, "nodeSelector")):
        if gpu_node_label(Y.text(key), Y.text(value)):
            return f"nodeSelector {Y.text(key)}"
    terms = Y.get_path(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                       "nodeSelectorTerms")
    for term in Y.items(terms):
        for expr in Y.items(Y.get(term, "matchExpressions")):
            values = [Y.text(v) for v in Y.items(Y.get(expr, "values"))]
            key = Y.text(Y.get(expr, "key"))
            if gpu_node_label(key) or any(gpu_node_label(key, v) for v in values):
                return f"node affinity on {key}"
    return None


def workbench(template: PodTemplate) -> bool:
    """An interactive notebook or IDE (Jupyter, code-server): a developer's workbench, not a service."""
    for container in template.containers():
        ref = parse_image(Y.text(Y.get(container, "image")))
        if ref is not None and workbench_image(ref.repository, ref.tag):
            return True
    return False


def serves(template: PodTemplate) -> bool:
    """A long-running service: a server template (not a Job, CronJob, RayJob or a Pod that runs to
    completion, not a notebook workbench), and for a bare Pod one that listens on a port (else it is
    a one-shot or demo pod)."""
    if template.policy != SERVER or workbench(template):
        return False
    return template.kind != "Pod" or any(Y.get(c, "ports") for c in template.containers())


def infrastructure_daemon(template: PodTemplate) -> str | None:
    """The GPU infrastructure daemon a template runs (by its containers' images), or None."""
    for container in template.containers() + template.init_containers():
        image = Y.text(Y.get(container, "image"))
        ref = parse_image(image)
        if ref is None:
            continue
        if daemon_image(ref.repository):
            return ref.repository.lower().rsplit("/", 1)[-1]
    return None


class WorkloadRole(Record, frozen=True):
    gpu: Tri  # True: a GPU workload; UNKNOWN: cannot tell
    daemon: str | None  # the GPU infrastructure daemon it runs
    reason: str

    @property
    def judged(self) -> Tri:
        """GPU service rules apply: a GPU workload that is not an infrastructure daemon."""
        if self.daemon is not None:
            return False
        return self.gpu


def workload_role(template: PodTemplate, index: dict | None) -> WorkloadRole:
    daemon = infrastructure_daemon(template)
    for container in template.containers():
        asks = gpu_asks(container)
        if asks:
            sample = cpu_sample_image(Y.text(Y.get(container, "image")))
            if sample is not None and len(template.containers()) == 1:
                return WorkloadRole(False, daemon, f"container asks for {asks[0].resource} but runs {sample}, a CPU "
                                                   "sample image: the request only reserves a GPU node (a "
                                                   "provisioning or quota test)")
            return WorkloadRole(True, daemon, f"container asks for {asks[0].resource}")
        claims = template.claims(container, index)
        if any(c.status in (GPU, UNRESOLVED) for c in claims):
            return WorkloadRole(True, daemon, f"container claims devices through {claims[0].where()}")
    scheduled = gpu_node_scheduling(template.spec)
    if scheduled:
        return WorkloadRole(True, daemon, f"scheduled onto GPU nodes ({scheduled})")
    for container in template.containers():
        resources = Y.get(container, "resources")
        placeholder = placeholder_in(Y.text(resources)) if Y.is_scalar(resources) else None
        if placeholder is not None or (Y.is_map(resources) and _templated(resources)):
            return WorkloadRole(UNKNOWN, daemon, f"the resources of container '{Y.text(Y.get(container, 'name'))}' "
                                                 f"are a placeholder ({placeholder or 'a template'})")
    return WorkloadRole(False, daemon, "no container asks for a GPU and the pod is not scheduled onto GPU nodes")


# Images that only answer or wait (hello-world samples, web servers, shells, the pause image):
# nothing in them can use a GPU.
_CPU_SAMPLES = frozenset({"helloworld-go", "helloworld", "hello-world", "hello-app", "nginx", "busybox", "alpine",
                          "pause", "agnhost", "echoserver", "http-echo", "whoami"})


def cpu_sample_image(image: str | None) -> str | None:
    """The image's name when it is a CPU sample or utility image (``knative/helloworld-go``,
    ``busybox``), else None."""
    if not image:
        return None
    name = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()
    return image if name in _CPU_SAMPLES else None


def _templated(node: Y.Node) -> bool:
    """A Helm value where a mapping belongs (``{{ toYaml .Values.resources }}`` composes as a map)."""
    return len(node.value) == 1 and Y.is_map(node.value[0][0])
