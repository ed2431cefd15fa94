from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import key_node
from gpulint.project.lifecycle import handler_key, probe_budget, probe_number
from gpulint.rules.base import Report
from gpulint.rules.lifecycle._probe_rule import ProbedGpuContainerRule


class LivenessNotMoreTolerant(ProbedGpuContainerRule):
    """
    ## What it does
    Warns when the GPU container's `livenessProbe` gives up no later than its `readinessProbe`:
    `failureThreshold × periodSeconds` of liveness (Kubernetes' defaults: 3 × 10 s) must be
    larger than that of readiness. Absent fields count with their defaults, so two probes with
    default timing are reported.

    Like the other lifecycle rules it judges a whole project: it applies when the image's
    Dockerfile is scanned together with the Deployment.

    Covers the GPU containers of Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod
    (restartPolicy Always), Argo Rollout, LeaderWorkerSet and KServe InferenceService (the probes
    it declares); only Deployment findings bear on the `deployment.probes` criterion.

    With `--profile production` the rule judges GPU workloads only (see
    `gpulint/artifacts/kubernetes/gpu_workload.py`): CPU-only workloads, GPU infrastructure daemons
    and kustomize patches are not judged.

    ## Why is this bad?
    Readiness should fail fast: a pod that cannot compute is taken out of the Service and
    comes back when it recovers. Liveness restarts the container, which on a GPU pod means
    reloading the model and re-creating the CUDA context (minutes), and repeated restarts end
    in CrashLoopBackOff. If liveness fails as fast as readiness, a transient Xid error, a slow
    kernel or a busy GPU restarts pods that readiness alone would have handled.

    ## Example
    ```yaml
    readinessProbe:
      exec: {command: ["python3", "/app/smoke_test.py"]}
      periodSeconds: 10
      failureThreshold: 3
    livenessProbe:
      exec: {command: ["python3", "/app/smoke_test.py"]}
      periodSeconds: 10
      failureThreshold: 3
    ```

    ## Use instead
    ```yaml
    livenessProbe:
      exec: {command: ["python3", "/app/smoke_test.py"]}
      timeoutSeconds: 30
      periodSeconds: 30
      failureThreshold: 5
    ```

    ## Fix
    Give liveness a larger `failureThreshold` and/or `periodSeconds` than readiness (e.g.
    readiness 3 × 10 s, liveness 5 × 30 s).
    """

    id = "GL512"
    name = "liveness-not-more-tolerant"
    severity = Severity.WARNING
    kind = "kubernetes"
    criterion = "deployment.probes"
    needs_dockerfile = True
    summary = "the GPU container's liveness probe fails as fast as (or faster than) its readiness probe"
    fix = "make liveness failureThreshold x periodSeconds larger than readiness's (e.g. 5 x 30s vs 3 x 10s)"

    def _container(self, manifests, template, container) -> Iterator[Report]:
        readiness, liveness = Y.get(container, "readinessProbe"), Y.get(container, "livenessProbe")
        if handler_key(readiness) is None or handler_key(liveness) is None:
            return  # a missing probe is GL304's finding
        ready, live = probe_budget(readiness), probe_budget(liveness)
        if ready is None or live is None or live > ready:
            return
        anchor = key_node(container, "livenessProbe")
        yield self.report(
            Y.span(manifests.source, anchor),
            f"livenessProbe gives up after {probe_number(liveness, 'failureThreshold')} x "
            f"{probe_number(liveness, 'periodSeconds')}s = {live}s, no later than readinessProbe "
            f"({probe_number(readiness, 'failureThreshold')} x {probe_number(readiness, 'periodSeconds')}s "
            f"= {ready}s): a transient GPU hiccup restarts the pod instead of only taking it out of service")
