from __future__ import annotations

from gpulint.findings import Severity
from gpulint.models import yamlnode as Y
from gpulint.models.k8s import container_anchor, deployments, gpu_container, is_gpu_workload, key_node
from gpulint.rule import Rule

_GPU_WORDS = ("gpu", "accelerator", "nvidia")


def tolerates_gpu(spec) -> bool:
    for item in Y.items(Y.get(spec, "tolerations")):
        key = Y.text(Y.get(item, "key"))
        operator = (Y.text(Y.get(item, "operator")) or "Equal").strip()
        effect = Y.text(Y.get(item, "effect"))
        if effect not in (None, "", "NoSchedule", "NoExecute", "PreferNoSchedule"):
            continue
        if (not key and operator == "Exists") or (key and "nvidia.com/gpu" == key.strip()):
            return True
        if key and any(w in key.lower() for w in _GPU_WORDS):
            return True
    return False


def selects_gpu_nodes(spec) -> bool:
    if any(any(w in (Y.text(k) or "").lower() for w in _GPU_WORDS) for k, _ in Y.pairs(Y.get(spec, "nodeSelector"))):
        return True
    terms = Y.get_path(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                       "nodeSelectorTerms")
    for term in Y.items(terms):
        for expr in Y.items(Y.get(term, "matchExpressions")):
            if any(w in (Y.text(Y.get(expr, "key")) or "").lower() for w in _GPU_WORDS):
                return True
    return False


def lifecycle_project(project) -> bool:
    """The manifests are judged together with the image the project builds (a Dockerfile exists)."""
    return bool(project.of_kind("dockerfile"))


class GpuScheduling(Rule):
    """
    ## What it does
    Checks that a GPU Deployment (one whose container limits `nvidia.com/gpu`) either tolerates
    the `nvidia.com/gpu` taint (a toleration with that key, or `operator: Exists` without a
    key) or selects GPU nodes (a `nodeSelector` or required node-affinity key naming
    `gpu`/`accelerator`/`nvidia`, such as `nvidia.com/gpu.present` or
    `cloud.google.com/gke-accelerator`). It runs for a whole project (the manifests together
    with the Dockerfile that builds the CUDA image), not for a manifest on its own.

    ## Why is this bad?
    GPU node pools are usually tainted (`nvidia.com/gpu=present:NoSchedule`) so that ordinary
    pods stay off expensive nodes. A GPU pod without the toleration stays `Pending` with
    "node(s) had untolerated taint", unless the cluster happens to run the
    ExtendedResourceToleration admission plugin; the rollout then waits until its deadline
    while the old pods keep serving, or, on a fresh deploy, nothing serves at all.

    ## Example
    ```yaml
    spec:
      containers:
        - name: inference
          resources: {limits: {nvidia.com/gpu: 1, memory: 16Gi}}
    ```

    ## Use instead
    ```yaml
    spec:
      nodeSelector:
        nvidia.com/gpu.present: "true"
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
        - name: inference
          resources: {limits: {nvidia.com/gpu: 1, memory: 16Gi}}
    ```

    ## Fix
    Add a toleration for `nvidia.com/gpu` and a `nodeSelector` on a GPU node label (from
    NVIDIA GPU Feature Discovery or the cloud's accelerator label).
    """

    id = "GL524"
    name = "gpu-scheduling"
    severity = Severity.WARNING
    kind = "kubernetes"
    criterion = None
    summary = "the GPU Deployment neither tolerates the nvidia.com/gpu taint nor selects GPU nodes"
    fix = "add a toleration for nvidia.com/gpu (operator: Exists) and a nodeSelector on a GPU node label"

    def check(self, manifests, project):
        if not lifecycle_project(project):
            return
        for obj in deployments(manifests):
            spec = obj.pod_spec()
            if not Y.is_map(spec) or not is_gpu_workload(obj):
                continue
            if tolerates_gpu(spec) or selects_gpu_nodes(spec):
                continue
            container = gpu_container(obj)
            anchor = key_node(Y.get(Y.get(obj.node, "spec"), "template"), "spec") or \
                (container_anchor(container) if container is not None else obj.node)
            yield self.report(Y.span(manifests.source, anchor),
                              f"GPU Deployment '{obj.name or '?'}' has no toleration for the nvidia.com/gpu taint "
                              "and no GPU nodeSelector: on a cluster with tainted GPU nodes its pods stay Pending")
