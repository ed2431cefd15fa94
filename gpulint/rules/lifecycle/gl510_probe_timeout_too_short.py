from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import key_node
from gpulint.project.lifecycle import PROBES, exec_argv, probe_number, starts_python
from gpulint.rules.base import Report
from gpulint.rules.lifecycle._probe_rule import ProbedGpuContainerRule

MIN_SECONDS = 5


class ProbeTimeoutTooShort(ProbedGpuContainerRule):
    """
    ## What it does
    Reports an `exec` probe (startup, readiness or liveness) of a GPU container that starts
    Python (the smoke test, `python -c "import torch ..."`, `sh -c 'python3 ...'`) with
    `timeoutSeconds` unset (Kubernetes' default is 1 second) or below 5.

    Covers the GPU containers of Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod
    (restartPolicy Always), Argo Rollout, LeaderWorkerSet and KServe InferenceService (the probes
    it declares); only Deployment findings bear on the `deployment.probes` criterion.

    With `--profile production` the rule judges GPU workloads only (see
    `gpulint/artifacts/kubernetes/gpu_workload.py`): CPU-only workloads, GPU infrastructure daemons
    and kustomize patches are not judged.

    ## Why is this bad?
    Since Kubernetes 1.20 exec probes honour `timeoutSeconds`, whose default is 1 s; before,
    they ran unbounded, so manifests that "always worked" started failing after an upgrade
    (Azure/AKS#2256; open-policy-agent/gatekeeper-library#64 asks for a policy checking it).
    Starting Python, importing `torch` and creating a CUDA context takes several seconds, so
    such a probe times out every time: readiness never passes and liveness restarts a healthy
    pod forever. Raising the timeout is the usual fix (datastax/pulsar-helm-chart#73,
    sapcc/kubernikus#683).

    ## Example
    ```yaml
    readinessProbe:
      exec:
        command: ["python3", "/app/smoke_test.py"]
      periodSeconds: 10
    ```

    ## Use instead
    ```yaml
    readinessProbe:
      exec:
        command: ["python3", "/app/smoke_test.py"]
      timeoutSeconds: 20
      periodSeconds: 10
    ```

    ## Fix
    Set `timeoutSeconds` to 10-30 on every exec probe that runs Python on a GPU container.
    """

    id = "GL510"
    name = "probe-timeout-too-short"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "deployment.probes"
    summary = "an exec probe that starts Python/torch has timeoutSeconds unset (1 s) or under 5 s"
    fix = "set timeoutSeconds: 20 on the probe (Python + torch + CUDA init take seconds)"

    def _container(self, manifests, template, container) -> Iterator[Report]:
        for probe_name in PROBES:
            probe = Y.get(container, probe_name)
            found = exec_argv(probe)
            if found is None or not starts_python(found[1]):
                continue
            timeout = probe_number(probe, "timeoutSeconds")
            if timeout is None or timeout >= MIN_SECONDS:
                continue
            node = Y.get(probe, "timeoutSeconds")
            if node is None or Y.is_null(node):
                yield self.report(Y.span(manifests.source, key_node(container, probe_name)),
                                  f"{probe_name} starts Python but sets no timeoutSeconds: the kubelet kills it "
                                  "after the 1 s default, before torch has even been imported")
            else:
                yield self.report(Y.span(manifests.source, node),
                                  f"{probe_name} starts Python with timeoutSeconds {timeout}: importing torch and "
                                  "initialising CUDA take longer, so the probe times out and fails")
