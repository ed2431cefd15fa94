from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.artifacts.kubernetes.model import container_anchor, key_node
from gpulint.artifacts.kubernetes.gpu_workload import serves
from gpulint.project.config import profile_of
from gpulint.rules.base import Rule

from gpulint.project.lifecycle import lifecycle_project


class GpuMemoryLimit(Rule):
    """
    ## What it does
    Checks that every container that asks for a GPU (a GPU limit of any vendor, a MIG profile,
    or a DRA GPU claim) also sets `resources.limits.memory`. Like GL524 it runs for a whole
    project (manifests together with the Dockerfile of the image), not for a manifest on its own.

    Covers: Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job, CronJob, Argo Rollout,
    LeaderWorkerSet, RayCluster, RayService, RayJob, KServe InferenceService, and the training
    jobs (Kubeflow's PyTorchJob, TFJob, MPIJob and other replica-spec jobs, JobSet, Volcano Job).

    With `--profile production` only GPU services are judged: long-running workloads (not Jobs,
    CronJobs, RayJobs or run-to-completion Pods), and for a bare Pod one that listens on a port; a
    one-shot test or demo pod (`nvidia-smi`, vectorAdd) is not. GPU infrastructure daemons are not
    judged either.

    ## Why is this bad?
    Model servers load weights into host memory before copying them to the GPU, and tokenizer
    caches, pinned buffers and leaks grow from there. Without a memory limit one pod can take
    the node's memory, and the kernel's OOM killer then picks any process on the node (the
    GPU device plugin or a neighbour's training job) instead of the leaking container; the
    scheduler also cannot place the pod sensibly.

    ## Example
    ```yaml
    resources:
      limits:
        nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    resources:
      requests: {memory: 16Gi, nvidia.com/gpu: 1}
      limits: {memory: 16Gi, nvidia.com/gpu: 1}
    ```

    ## Fix
    Measure the server's peak host memory and set `resources.limits.memory` (and an equal or
    lower request) on the GPU container.
    """

    id = "GL525"
    name = "gpu-memory-limit"
    severity = Severity.WARNING
    kind = "kubernetes"
    applies_to = "gpu-workload"
    criterion = None
    covers = W.WORKLOAD_KINDS
    summary = "the GPU container sets no memory limit"
    fix = "set resources.limits.memory on the GPU container (e.g. 16Gi, from measured peak usage)"

    def check(self, manifests, project):
        if not lifecycle_project(project):
            return
        index = W.claim_index(project, manifests)
        production = profile_of(project) == "production"
        for template in W.templates_in(manifests):
            if production and not serves(template):
                continue  # a Job, a test or demo pod runs to completion: its memory is bounded by its run
            for container in template.containers():
                if W.gpu_resource_limit(container) is None and not template.asks_gpu(container, index, False):
                    continue
                limits = Y.get_path(container, "resources", "limits")
                if Y.get(limits, "memory") is not None:
                    continue
                anchor = key_node(Y.get(container, "resources"), "limits") or key_node(container, "resources") \
                    or container_anchor(container)
                yield self.report(Y.span(manifests.source, anchor),
                                  f"GPU container '{Y.text(Y.get(container, 'name')) or '?'}' of "
                                  f"{template.describe()} has no memory limit; one leaking pod can exhaust the node")
