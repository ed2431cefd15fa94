from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import key_node
from gpulint.project.lifecycle import handler_key, probe_number
from gpulint.rules.base import Report
from gpulint.rules.lifecycle._probe_rule import ProbedGpuContainerRule


class ProbeNoWarmup(ProbedGpuContainerRule):
    """
    ## What it does
    Warns when the GPU container has a `livenessProbe` but nothing covers model warm-up: no
    `startupProbe` and no `initialDelaySeconds` on the liveness probe.

    Like the other lifecycle rules it judges a whole project: it applies when the image's
    Dockerfile is scanned together with the Deployment.

    Covers the GPU containers of Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod
    (restartPolicy Always), Argo Rollout, LeaderWorkerSet and KServe InferenceService (the probes
    it declares); only Deployment findings bear on the `deployment.probes` criterion.

    With `--profile production` the rule judges GPU workloads only (see
    `gpulint/artifacts/kubernetes/gpu_workload.py`): CPU-only workloads, GPU infrastructure daemons
    and kustomize patches are not judged.

    ## Why is this bad?
    A GPU server loads gigabytes of weights and builds its CUDA context before it can answer;
    that takes from tens of seconds to minutes. The liveness probe starts immediately, fails
    during warm-up, and the kubelet kills the container before it ever became ready, over and
    over (CrashLoopBackOff). A `startupProbe` holds liveness and readiness back until the
    first success, and is the recommended way to give slow starters time.

    ## Example
    ```yaml
    livenessProbe:
      exec: {command: ["python3", "/app/smoke_test.py"]}
      timeoutSeconds: 30
    ```

    ## Use instead
    ```yaml
    startupProbe:
      exec: {command: ["python3", "/app/smoke_test.py"]}
      timeoutSeconds: 20
      periodSeconds: 10
      failureThreshold: 30      # up to 5 minutes of warm-up
    livenessProbe:
      exec: {command: ["python3", "/app/smoke_test.py"]}
      timeoutSeconds: 30
    ```

    ## Fix
    Add a `startupProbe` running the smoke test with `failureThreshold × periodSeconds` longer
    than the warm-up, or at least an `initialDelaySeconds` on the liveness probe.
    """

    id = "GL513"
    name = "probe-no-warmup"
    severity = Severity.WARNING
    kind = "kubernetes"
    criterion = "deployment.probes"
    needs_dockerfile = True
    summary = "the GPU container's liveness probe starts at once: no startupProbe or initialDelaySeconds covers warm-up"
    fix = "add a startupProbe (e.g. failureThreshold: 30, periodSeconds: 10) running the smoke test"

    def _container(self, manifests, template, container) -> Iterator[Report]:
        liveness = Y.get(container, "livenessProbe")
        if handler_key(liveness) is None:
            return
        startup = Y.get_pair(container, "startupProbe")
        if startup is not None and not Y.is_null(startup[1]):
            return
        delay = probe_number(liveness, "initialDelaySeconds")
        if delay is None or delay > 0:
            return
        yield self.report(Y.span(manifests.source, key_node(container, "livenessProbe")),
                          "livenessProbe starts checking as soon as the container starts and there is no "
                          "startupProbe: CUDA initialisation and model loading fail it, so the pod is restarted "
                          "before it ever serves")
