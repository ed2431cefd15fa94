from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.artifacts.kubernetes.gpu_workload import gpu_node_selection, gpu_toleration
from gpulint.project.lifecycle import lifecycle_project
from gpulint.project import scheduling as S
from gpulint.project.config import profile_of
from gpulint.project.taints import gpu_node_taints
from gpulint.rules.base import Rule

def tolerates_gpu(spec) -> bool:
    """A toleration (of a scheduling effect) of a GPU taint, or of every taint (`operator: Exists`
    without a key)."""
    for item in Y.items(Y.get(spec, "tolerations")):
        effect = Y.text(Y.get(item, "effect"))
        if effect not in (None, "", "NoSchedule", "NoExecute", "PreferNoSchedule"):
            continue
        operator = (Y.text(Y.get(item, "operator")) or "Equal").strip()
        if (not Y.text(Y.get(item, "key")) and operator == "Exists") or gpu_toleration(item):
            return True
    return False


class GpuScheduling(Rule):
    """
    ## What it does
    Checks that a GPU Deployment (one whose container limits `nvidia.com/gpu`) either tolerates
    the `nvidia.com/gpu` taint (a toleration with that key, or `operator: Exists` without a
    key) or selects GPU nodes (a `nodeSelector` or required node-affinity key naming
    `gpu`/`accelerator`/`nvidia`, such as `nvidia.com/gpu.present` or
    `cloud.google.com/gke-accelerator`). It runs for a whole project (the manifests together
    with the Dockerfile that builds the CUDA image), not for a manifest on its own.

    Every pod template with a GPU container is checked (a GPU limit or request of any vendor, a
    MIG profile, or a DRA GPU claim), each on its own: a Ray worker group or a KServe predictor
    must carry its own toleration. Workloads that ask for no GPU (the device-plugin DaemonSet,
    a CPU-only Ray head) are not judged.

    Covers: Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job, CronJob, Argo Rollout,
    LeaderWorkerSet, RayCluster, RayService, RayJob, KServe InferenceService, and the training
    jobs (Kubeflow's PyTorchJob, TFJob, MPIJob and other replica-spec jobs, JobSet, Volcano Job).

    With `--profile production` the rule does not guess which taint every cloud puts on GPU
    nodes (GKE taints GPU pools and adds the toleration to GPU pods itself; EKS and AKS GPU nodes
    have none by default). It uses the taints the project declares on its GPU nodes (`Node`
    objects, GKE `ContainerNodePool`, Karpenter `NodePool`) or documents (`kubectl taint nodes
    … nvidia.com/gpu=present:NoSchedule` in a README of the manifest's folder or above), and
    reports a GPU workload that does not tolerate one of them, matched as the scheduler matches
    tolerations. Without declared or documented taints there is nothing to report.

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
    applies_to = "gpu-workload"
    criterion = None
    summary = "a GPU workload neither tolerates the nvidia.com/gpu taint nor selects GPU nodes"
    covers = W.WORKLOAD_KINDS
    fix = "add a toleration for nvidia.com/gpu (operator: Exists) and a nodeSelector on a GPU node label"

    def check(self, manifests, project):
        if profile_of(project) == "production":
            yield from self._declared(manifests, project)
            return
        if not lifecycle_project(project):
            return
        for template, container, _index in W.gpu_templates(manifests, project):
            spec = template.spec
            if not Y.is_map(spec):
                continue
            if tolerates_gpu(spec) or gpu_node_selection(spec) is not None:
                continue
            anchor = template.anchor
            what = f"GPU Deployment '{template.obj.name or '?'}'" if template.is_deployment \
                else f"GPU {template.describe()}"
            yield self.report(Y.span(manifests.source, anchor),
                              f"{what} has no toleration for the nvidia.com/gpu taint "
                              "and no GPU nodeSelector: on a cluster with tainted GPU nodes its pods stay Pending")

    def _declared(self, manifests, project):
        """Production: the taints the project declares or documents for its GPU nodes, no guess."""
        taints = gpu_node_taints(project, manifests)
        if not taints:
            return
        for template, container, _index in W.gpu_templates(manifests, project):
            spec = template.spec
            if not Y.is_map(spec):
                continue
            tolerations = Y.items(Y.get(spec, "tolerations"))
            missing = [t for t in taints if not any(S.tolerates(item, t.taint) for item in tolerations)]
            if not missing:
                continue
            what = f"GPU Deployment '{template.obj.name or '?'}'" if template.is_deployment \
                else f"GPU {template.describe()}"
            shown = "; ".join(f"{t.taint.describe()} ({t.where})" for t in missing[:2])
            first = missing[0].taint
            yield self.report(Y.span(manifests.source, template.anchor),
                              f"{what} does not tolerate the taint the project puts on its GPU nodes: {shown}; its "
                              "pods stay Pending", fix=f"add `tolerations: [{{key: {first.key}, operator: Exists, "
                                                       f"effect: {first.effect}}}]` to the pod spec")
