from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.project import scheduling as S
from gpulint.ci.tekton import pipeline as T
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TektonGpuTaskNotOnGpu(Rule):
    """
    ## What it does
    Checks that every Tekton step doing GPU work (the GPU test, `nvidia-smi`) runs on a GPU:
    the step asks for `nvidia.com/gpu` ≥ 1 in `computeResources.limits` (v1; `resources.limits`
    in v1beta1), its Task's `stepTemplate`, or the PipelineRun's `taskRunSpecs`
    (`computeResources`, `stepSpecs`). When the scanned files describe node groups (Node
    objects, GKE `ContainerNodePool`, Karpenter `NodePool`), a pod template
    (`taskRunTemplate.podTemplate`, `podTemplate`, `taskRunSpecs[].podTemplate`) whose
    `nodeSelector`/node affinity picks only node groups without GPUs also fails. Whether the pod
    template tolerates the GPU nodes' taints is checked by GL660.

    ## Why is this bad?
    Without an `nvidia.com/gpu` limit the device plugin gives the container no GPU: the test
    runs on the CPU path or fails to find CUDA, and a green pipeline proves nothing about the
    GPU. A pod template pinned to a CPU node pool sends the test to machines with no GPU.

    ## Example
    ```yaml
    steps:
      - name: smoke
        image: $(params.image)
        script: python3 /app/smoke_test.py
    ```

    ## Use instead
    ```yaml
    steps:
      - name: smoke
        image: $(params.image)
        computeResources:
          limits: {nvidia.com/gpu: 1}
        script: python3 /app/smoke_test.py
    ```

    ## Fix
    Give the GPU step `computeResources.limits: {nvidia.com/gpu: 1}` and run its task with a pod
    template that selects the GPU node pool and tolerates its taint.
    """

    id = "GL642"
    name = "tekton-gpu-task-not-on-gpu"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "workflow.gpu-runner"
    covers = ("tekton",)
    summary = "a Tekton step doing GPU work asks for no nvidia.com/gpu or is pinned to nodes without GPUs"
    fix = "add `computeResources: {limits: {nvidia.com/gpu: 1}}` to the GPU step and select the GPU node pool"

    def check(self, manifests, project):
        ix = T.index(project)
        groups = S.node_groups(project)
        for p in T.pipelines_in(manifests, project):
            for t in p.tasks.values():
                work = [h for h in t.hits if h.kind in (T.TEST, T.GPU) and h.step is not None]
                if not work or not ix.possible(t):
                    continue
                seen_steps: set[int] = set()
                for hit in work:
                    step = hit.step
                    if id(step) in seen_steps:
                        continue
                    seen_steps.add(id(step))
                    limits = [n for n in [step.gpu_limit()] + ix.run_gpu_limits(t, step) if n is not None]
                    if not any(T.gpu_limit_ok(n) for n in limits):
                        where = limits[0] if limits else step.anchor
                        source = step.task.source
                        why = (f"its nvidia.com/gpu limit `{Y.text(limits[0])}` is not a whole number ≥ 1"
                               if limits else "it asks for no nvidia.com/gpu in computeResources.limits")
                        yield self.report(Y.span(source, where),
                                          f"{step.label()} (used by {t.label()}) does GPU work ({hit.detail}) but "
                                          f"{why}: the device plugin gives it no GPU")
                for source, pod in ix.pod_templates(t):
                    sel = S.selection(pod)
                    if not sel.selects or not groups:
                        continue
                    matched = [g for g in groups if sel.matches(g)]
                    if matched and not any(g.gpu for g in matched):
                        yield self.report(Y.span(source, sel.anchor),
                                          f"{t.label()} does GPU work ({work[0].detail}) but its pod template selects "
                                          f"only node groups without GPUs ({', '.join(g.describe() for g in matched[:3])})",
                                          fix="select the GPU node pool's labels in the pod template's nodeSelector")
