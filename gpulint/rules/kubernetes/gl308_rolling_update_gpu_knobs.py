from __future__ import annotations

from collections.abc import Iterator

from gpulint.findings import Severity
from gpulint.models import yamlnode as Y
from gpulint.models.k8s import Knob, Manifests, deployments, is_gpu_workload, read_knob
from gpulint.rule import Report, Rule


class RollingUpdateGpuKnobs(Rule):
    """
    ## What it does
    Warns when a GPU Deployment's rolling update is valid but not `maxUnavailable: 0` with
    `maxSurge` of at least one pod (`1`, `"10%"`): any `maxUnavailable` above zero takes serving
    pods away during a rollout. Invalid or missing knobs are GL307's business.

    ## Why is this bad?
    GPU capacity is usually the binding constraint of the cluster. `maxUnavailable: 0` keeps every
    old pod serving until its replacement passes readiness (the GPU smoke test), so a bad image
    never lowers capacity; `maxSurge: 1` lets the rollout borrow one spare GPU. A percentage
    `maxUnavailable` such as `25%` still removes pods as soon as the Deployment is scaled to four
    or more replicas.

    ## Example
    ```yaml
    strategy:
      type: RollingUpdate
      rollingUpdate:
        maxUnavailable: 1
        maxSurge: 0
    ```

    ## Use instead
    ```yaml
    strategy:
      type: RollingUpdate
      rollingUpdate:
        maxUnavailable: 0
        maxSurge: 1
    ```

    ## Fix
    Set `maxUnavailable: 0` and `maxSurge: 1`, and make sure the cluster has one spare GPU for the
    surge pod (otherwise the rollout waits for one).
    """

    id = "GL308"
    name = "rolling-update-gpu-knobs"
    severity = Severity.WARNING
    kind = "kubernetes"
    criterion = "deployment.rolling"
    summary = "a GPU Deployment's rolling update may drop serving pods (maxUnavailable is not 0)"
    fix = "set maxUnavailable: 0 and maxSurge: 1"

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        for obj in deployments(manifests):
            if not is_gpu_workload(obj):
                continue
            strategy = Y.get(Y.get(obj.node, "spec"), "strategy")
            if Y.text(Y.get(strategy, "type")) not in (None, "RollingUpdate"):
                continue  # Recreate or a bad type: GL307
            rolling = Y.get(strategy, "rollingUpdate")
            unavailable, surge = Y.get(rolling, "maxUnavailable"), Y.get(rolling, "maxSurge")
            if Y.is_null(unavailable) or Y.is_null(surge):
                continue
            low, high = read_knob(unavailable), read_knob(surge)
            if low.problem or high.problem or low.zero:
                continue  # invalid, or already the safe setting (0 with 0 surge is GL307's error)
            replicas = Y.scalar(Y.get(Y.get(obj.node, "spec"), "replicas"))
            yield self.report(Y.span(manifests.source, unavailable),
                              f"maxUnavailable {Y.text(unavailable)} {_effect(low, replicas)}: on a "
                              "GPU-constrained cluster that drops serving capacity while the new pods pull "
                              "the image and warm up CUDA" + ("; with maxSurge 0 a GPU is freed only by "
                                                              "killing a serving pod" if high.zero else ""),
                              fix="set `maxUnavailable: 0` and `maxSurge: 1`")


def _effect(knob: Knob, replicas: object) -> str:
    """What the value does at the declared replica count (percentages round down)."""
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 1:
        return "lets the rollout stop serving GPU pods before their replacements are ready"
    pods = replicas * (knob.value or 0) // 100 if knob.percent else (knob.value or 0)
    if pods == 0:
        scale = -(-100 // (knob.value or 1))  # smallest replica count where the percentage reaches a pod
        return (f"rounds down to 0 pods at {replicas} replicas, but stops serving pods early as soon as the "
                f"Deployment is scaled to {scale} or more")
    return f"lets the rollout stop {min(pods, replicas)} of {replicas} serving GPU pods before replacements are ready"
