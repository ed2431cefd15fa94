from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.project import scheduling as S
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class GpuQuotaTooSmall(Rule):
    """
    ## What it does
    Warns when a ResourceQuota's `hard` `requests.nvidia.com/gpu` (or `limits.nvidia.com/gpu`)
    is smaller than what the workloads of its namespace in the scanned files ask for at full
    scale: the sum over Deployments, StatefulSets, ReplicaSets, Jobs, CronJobs and Pods of pods ×
    GPUs per pod (replicas, a HorizontalPodAutoscaler's `maxReplicas` when one targets the
    workload, a Job's `parallelism`). A workload without `metadata.namespace` counts in
    `default`. DaemonSets (one pod per node) and Tekton task pods (short-lived) are left out.

    ## Why is this bad?
    Pods beyond the quota are rejected at admission (`exceeded quota: requests.nvidia.com/gpu`):
    a scale-up, a rolling update's surge pod or a second pipeline run silently never starts.

    ## Example
    ```yaml
    kind: ResourceQuota
    spec:
      hard:
        requests.nvidia.com/gpu: "2"
    ---
    kind: Deployment
    spec:
      replicas: 3          # 3 pods × 1 GPU = 3 > 2
    ```

    ## Use instead
    ```yaml
    kind: ResourceQuota
    spec:
      hard:
        requests.nvidia.com/gpu: "4"   # 3 replicas + 1 surge pod
    ```

    ## Fix
    Raise the quota to at least the namespace's full-scale GPU demand (plus rolling-update
    surge), or lower the replicas.
    """

    id = "GL661"
    name = "gpu-quota-too-small"
    severity = Severity.WARNING
    kind = "kubernetes"
    criterion = None
    covers = ("kubernetes",)
    summary = "a ResourceQuota allows fewer GPUs than the namespace's workloads ask for at full scale"
    fix = "raise `requests.nvidia.com/gpu` in the ResourceQuota to the namespace's full-scale demand"

    def check(self, manifests, project):
        for obj in manifests.objects:
            if obj.kind != "ResourceQuota" or obj.api_version != "v1":
                continue
            hard = Y.get_path(obj.node, "spec", "hard")
            ns = S.namespace(obj)
            demand = None
            for key in S.QUOTA_KEYS:
                value = Y.get(hard, key)
                limit = S._int(value)
                if limit is None:
                    continue
                demand = demand or S.gpu_demand(project, ns)
                if demand.total > limit:
                    yield self.report(
                        Y.span(obj.source, value),
                        f"ResourceQuota '{obj.name}' allows {key} {limit} in namespace '{ns}', but its workloads "
                        f"ask for {demand.total} at full scale ({'; '.join(demand.parts[:4])}): pods beyond the "
                        "quota are rejected",
                        fix=f"raise {key} to at least {demand.total}, or reduce the replicas")
