from __future__ import annotations

from collections.abc import Iterator

from gpulint.findings import Severity
from gpulint.models import yamlnode as Y
from gpulint.models.k8s import Manifests, deployments, is_gpu_workload, read_knob
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
            extra = ""
            if not high.zero and isinstance(replicas, int) and not isinstance(replicas, bool):
                extra = f" with {replicas} replica(s)"
            surge_note = "" if not high.zero else "; with maxSurge 0 the rollout frees a GPU only by killing a pod"
            yield self.report(Y.span(manifests.source, unavailable),
                              f"maxUnavailable {Y.text(unavailable)} lets the rollout take serving GPU pods "
                              f"away{extra}{surge_note}; on a GPU-constrained cluster that drops capacity "
                              "while the new pods pull the image and warm up CUDA",
                              fix="set `maxUnavailable: 0` and `maxSurge: 1`")
