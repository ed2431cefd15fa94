from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.artifacts.kubernetes.model import Knob, Manifests, deployments, read_knob
from gpulint.rules.criteria import NO_CRITERION
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.rolling import make_rolling
from gpulint.rules.base import Report, Rule


class RollingUpdateGpuKnobs(Rule):
    """
    ## What it does
    Warns when a GPU Deployment's rolling update is valid but not `maxUnavailable: 0` with
    `maxSurge` of at least one pod (`1`, `"10%"`): any `maxUnavailable` above zero takes serving
    pods away during a rollout. Invalid or missing knobs are GL307's business. An Argo Rollout's
    canary strategy is judged the same way when it sets `maxUnavailable` explicitly (only
    Deployment findings bear on the `deployment.rolling` criterion). A GPU workload is one whose
    container asks for a GPU of any vendor, a MIG profile, or a DRA GPU claim.

    Covers: Deployment, Argo Rollout (canary).

    With `--profile production` the rule judges GPU workloads only (a container asks for a GPU of
    any vendor, MIG or DRA, or the pod is scheduled onto GPU nodes; see
    `gpulint/artifacts/kubernetes/gpu_workload.py`): CPU-only workloads, GPU infrastructure
    daemons and kustomize patches are not judged, and a workload whose GPU use cannot be told gets
    info. The lab profile judges the lab's Deployment.

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

    Automatic fix (unsafe): `maxUnavailable: 0`, and `maxSurge: 1` where it was 0.
    """

    id = "GL308"
    name = "rolling-update-gpu-knobs"
    severity = Severity.WARNING
    kind = "kubernetes"
    applies_to = "gpu-workload"
    criterion = "deployment.rolling"
    summary = "a GPU Deployment's rolling update may drop serving pods (maxUnavailable is not 0)"
    fix = "set maxUnavailable: 0 and maxSurge: 1"

    covers = ("Deployment", "Rollout")
    fix_availability = FixAvailability.ALWAYS
    fix_applicability = (Applicability.UNSAFE,)

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        gpu_objects = W.gpu_object_nodes(manifests, project)
        for obj in deployments(manifests) + [o for o in manifests.objects if o.kind == "Rollout"]:
            if id(obj.node) not in gpu_objects:
                continue
            strategy = Y.get(Y.get(obj.node, "spec"), "strategy")
            if obj.kind == "Rollout":
                rolling = Y.get(strategy, "canary")
                if not Y.is_map(rolling):
                    continue
            elif Y.text(Y.get(strategy, "type")) not in (None, "RollingUpdate"):
                continue  # Recreate or a bad type: GL307
            else:
                rolling = Y.get(strategy, "rollingUpdate")
            unavailable, surge = Y.get(rolling, "maxUnavailable"), Y.get(rolling, "maxSurge")
            if Y.is_null(unavailable) or (Y.is_null(surge) and obj.kind == "Deployment"):
                continue
            low = read_knob(unavailable)
            high = read_knob(surge) if not Y.is_null(surge) else Knob(25, percent=True)  # Argo's default
            if low.problem or high.problem or low.zero:
                continue  # invalid, or already the safe setting (0 with 0 surge is GL307's error)
            replicas = Y.scalar(Y.get(Y.get(obj.node, "spec"), "replicas"))
            criterion = None if obj.kind == "Deployment" else NO_CRITERION
            yield self.report(Y.span(manifests.source, unavailable),
                              f"maxUnavailable {Y.text(unavailable)} {_effect(low, replicas)}: on a "
                              "GPU-constrained cluster that drops serving capacity while the new pods pull "
                              "the image and warm up CUDA" + ("; with maxSurge 0 a GPU is freed only by "
                                                              "killing a serving pod" if high.zero else ""),
                              fix="set `maxUnavailable: 0` and `maxSurge: 1`", criterion=criterion,
                              autofix=make_rolling(manifests, obj, gpu=True))


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
