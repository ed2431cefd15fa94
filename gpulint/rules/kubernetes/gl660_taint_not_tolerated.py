from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.project import scheduling as S
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TaintNotTolerated(Rule):
    """
    ## What it does
    When the scanned files describe nodes with taints (Node objects' `spec.taints`, GKE
    `ContainerNodePool` `spec.nodeConfig.taint`, Karpenter `NodePool`
    `spec.template.spec.taints`), checks every workload whose `nodeSelector` or required node
    affinity selects those nodes' labels: each `NoSchedule`/`NoExecute` taint must be tolerated,
    with Kubernetes' matching rules (operator `Exists` or `Equal` with the same value, the same
    key or an empty key with `Exists`, the same effect or none). Workloads are Deployments,
    StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Pods, and Tekton pod templates
    (PipelineRun `taskRunTemplate.podTemplate`, `podTemplate`, `taskRunSpecs[].podTemplate`,
    also inside a TriggerTemplate); for Tekton the finding counts against workflow.gpu-runner.

    ## Why is this bad?
    A pod that may only go to tainted nodes and does not tolerate the taint stays Pending
    forever: the GPU test never starts, the Deployment never becomes available. A common plan
    taints its GPU nodes `nvidia.com/gpu=true:NoSchedule` to keep other pods off them and then
    pins the GPU pipeline to them with a nodeSelector only. Clusters with the
    ExtendedResourceToleration admission plugin add a `nvidia.com/gpu` toleration to pods that
    request GPUs; do not rely on it unless you know your cluster enables it.

    ## Example
    ```yaml
    # nodes: taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}], labels: {node-type: gpu-compute}
    taskRunTemplate:
      podTemplate:
        nodeSelector: {node-type: gpu-compute}
    ```

    ## Use instead
    ```yaml
    taskRunTemplate:
      podTemplate:
        nodeSelector: {node-type: gpu-compute}
        tolerations:
          - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
    ```

    ## Fix
    Add a toleration matching each taint of the selected nodes (key, `operator: Exists` or the
    same value, and the effect).
    """

    id = "GL660"
    name = "taint-not-tolerated"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = None
    covers = ("kubernetes", "tekton")
    summary = "a workload selects tainted nodes (from the scanned node manifests) without tolerating the taint"
    fix = "add a toleration for the taint, e.g. `{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}`"

    def check(self, manifests, project):
        groups = [g for g in S.node_groups(project) if g.taints]
        if not groups:
            return
        for w in S.workloads(project):
            if w.source is not manifests.source:
                continue
            sel = S.selection(w.pod)
            if not sel.selects:
                continue
            matched = [g for g in groups if sel.matches(g)]
            missing: list[tuple[S.NodeGroup, S.Taint]] = []
            for g in matched:
                missing.extend((g, t) for t in S.untolerated(Y.get(w.pod, "tolerations"), g))
            if not missing or any(not S.untolerated(Y.get(w.pod, "tolerations"), g) for g in matched):
                continue  # no taint in the way, or some selected node group accepts the pod
            taints = sorted({t.describe() for _, t in missing})
            where = ", ".join(sorted({g.describe() for g, _ in missing})[:3])
            first = missing[0][1]
            yield self.report(
                Y.span(w.source, sel.anchor),
                f"{w.what} selects nodes of {where}, tainted {', '.join(taints)}, but does not tolerate "
                f"{'it' if len(taints) == 1 else 'them'}: its pods never schedule",
                fix=f"add `tolerations: [{{key: {first.key}, operator: Exists, effect: {first.effect}}}]` to the pod spec",
                criterion="workflow.gpu-runner" if w.tekton else None)
