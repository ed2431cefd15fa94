from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.artifacts.kubernetes.model import PROBE_HANDLERS, Manifests, container_anchor, key_node
from gpulint.rules.criteria import NO_CRITERION
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.probes import add_probe
from gpulint.artifacts.kubernetes.gpu_workload import serves
from gpulint.artifacts.kubernetes.probes import container_server, probe_advice
from gpulint.project.config import profile_of
from gpulint.project.services import ServiceFacts
from gpulint.rules.base import Report, Rule

_PROBES = ("readinessProbe", "livenessProbe")
_PROBE_FIX = ("add `{probe}: {{exec: {{command: [python3, /app/smoke_test.py]}}, timeoutSeconds: 20}}` "
              "to the GPU container")


class ProbesMissing(Rule):
    """
    ## What it does
    Checks that the GPU container of each Deployment (the container with an `nvidia.com/gpu`
    limit, else the first container) declares both a `readinessProbe` and a `livenessProbe`, and
    that each has exactly one valid handler: `exec` with a non-empty `command`, `httpGet`,
    `tcpSocket` or `grpc` with a `port`. Probes on init containers or sidecars do not count, nor
    do misspelt keys such as `readinessprobe` (reported by GL302).

    Other long-running workloads are checked the same way when a container asks for a GPU (a GPU
    limit or request of any vendor, a MIG profile, or a DRA GPU claim); a workload without a GPU
    container is not judged. Run-to-completion pods need no probes: Jobs, CronJobs, Pods with
    `restartPolicy: Never`/`OnFailure`, and RayJob clusters are skipped. Ray pods (RayCluster,
    RayService) are skipped too: KubeRay injects its own readiness and liveness probes. A
    LeaderWorkerSet's leader template is checked (its worker template only when there is no
    leader template, since the leader is then made from it). KServe InferenceServices are
    skipped as well: KServe (through Knative's queue-proxy) checks the model server's readiness
    itself; the probes they do declare are judged by GL305. Only Deployment findings bear on the
    `deployment.probes` criterion.

    Covers: Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod (restartPolicy Always), Argo
    Rollout, LeaderWorkerSet.

    With `--profile production` the rule judges GPU workloads only (a container asks for a GPU,
    or the pod is scheduled onto GPU nodes; GPU infrastructure daemons such as device plugins and
    dcgm-exporter are not GPU services); a bare Pod that declares no container port is a one-shot
    or demo pod and needs no probes; a workload whose pods declare no port and that no Service of
    the scanned files selects may serve nothing (a benchmark, a queue worker), so its missing
    probes are advice (info); a missing `livenessProbe` is a warning (readiness gates
    traffic and rollouts, liveness only restarts a wedged pod); and the advice for a well-known
    inference server (vLLM, TGI, SGLang, Triton, NIM, llama.cpp...) is an `httpGet` probe on the
    health endpoint it answers from its engine, never an exec probe that would open a second CUDA
    context beside a server that has claimed the GPU's memory. The lab profile judges the lab's
    Deployment as before.

    ## Why is this bad?
    Without a readiness probe a pod whose GPU is gone still receives traffic and answers with
    errors; without a liveness probe a pod wedged by an Xid error or a lost device after a driver
    reload (NVIDIA/nvidia-container-toolkit#857) is never restarted. Of 24 open-source GPU
    Deployments surveyed in /work/shared/EVIDENCE.md, 13 had no probes at all. A probe with no
    handler, or two, is rejected by the API server.

    ## Example
    ```yaml
    containers:
      - name: inference
        image: ghcr.io/example/gpu-inference:3f1c9a7
        resources:
          limits: {nvidia.com/gpu: 1}
      - name: metrics
        image: prom/statsd-exporter
        readinessProbe:
          httpGet: {path: /, port: 9102}
    ```

    ## Use instead
    ```yaml
    containers:
      - name: inference
        image: ghcr.io/example/gpu-inference:3f1c9a7
        resources:
          limits: {nvidia.com/gpu: 1}
        readinessProbe:
          exec: {command: ["python3", "/app/smoke_test.py"]}
          timeoutSeconds: 20
          periodSeconds: 10
          failureThreshold: 3
        livenessProbe:
          exec: {command: ["python3", "/app/smoke_test.py"]}
          timeoutSeconds: 30
          periodSeconds: 30
          failureThreshold: 5
    ```

    ## Fix
    Give the GPU container a `readinessProbe` (fails fast, pulls the pod from the Service) and a
    `livenessProbe` (fails slowly, restarts a wedged pod), both running the GPU smoke test.

    Automatic fix (unsafe): a missing or empty probe is added to the GPU container, running what
    the image's HEALTHCHECK runs (else the smoke test the image contains; `python3
    /app/smoke_test.py` when no Dockerfile sits next to the manifest): readiness 3 x 10 s with a
    20 s timeout, liveness 5 x 30 s with a 30 s timeout and a 60 s initial delay when there is no
    startupProbe, each kept shorter or longer than a probe already there. A probe with a broken
    handler is left to the author.
    """

    id = "GL304"
    name = "probes-missing"
    severity = Severity.ERROR
    kind = "kubernetes"
    applies_to = "gpu-workload"
    criterion = "deployment.probes"
    summary = "the GPU container lacks a readinessProbe or livenessProbe, or a probe has no valid handler"
    fix = "give the GPU container readinessProbe and livenessProbe that exec the GPU smoke test"

    covers = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Rollout", "LeaderWorkerSet")
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.UNSAFE,)

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        index = W.claim_index(project, manifests)
        production = profile_of(project) == "production"
        for template in W.templates_in(manifests):
            if not template.probes:
                continue
            if production and not serves(template):
                continue  # a bare Pod that listens on no port is a one-shot or demo pod, not a service
            container = template.gpu_container(index)
            if container is None:
                if template.is_deployment:
                    yield self.report(Y.span(manifests.source, _pod_anchor(template)),
                                      "the Deployment's pod template has no containers, so it has no "
                                      "readinessProbe or livenessProbe", fix=self.fix)
                continue
            unreached = production and _unreached(template, project)
            for probe in _PROBES:
                for report in self._probe(manifests, template, container, probe):
                    report.autofix = add_probe(manifests, project, container, probe)
                    if production and report.message.startswith("GPU container"):  # the probe is missing
                        report.fix = f"add {probe}: " + probe_advice(container, probe)
                        if probe == "livenessProbe":
                            # Readiness gates traffic and rollouts; a missing liveness probe only leaves a
                            # wedged pod running (the servers exit when their engine dies).
                            report.severity = Severity.WARNING
                        if unreached:
                            report.severity = Severity.INFO
                            report.message += (" (its pods declare no port and no Service of the scanned files "
                                               "selects them: if they serve nothing, such as a benchmark or a "
                                               "queue worker, a probe only gates the rollout; advice only)")
                    yield self._adjust(report, template)

    def _adjust(self, report: Report, template: W.PodTemplate) -> Report:
        if not template.is_deployment:
            report.criterion = NO_CRITERION
            report.message += f" ({template.describe()})"
        return report

    def _probe(self, manifests: Manifests, template: W.PodTemplate, container: Y.Node,
               probe: str) -> Iterator[Report]:
        source = manifests.source
        label = _label(container)
        pair = Y.get_pair(container, probe)
        if pair is None:
            yield self.report(Y.span(source, container_anchor(container)),
                              f"GPU container {label} has no {probe}{_elsewhere(template, container, probe)}",
                              fix=_PROBE_FIX.format(probe=probe))
            return
        key, value = pair
        handlers = [(k, v) for k, v in Y.pairs(value) if Y.is_scalar(k) and k.value in PROBE_HANDLERS]
        if not handlers:
            yield self.report(Y.span(source, key),
                              f"{probe} of container {label} has no handler (exec, httpGet, tcpSocket or grpc); "
                              "the API server rejects a probe without one", fix=_PROBE_FIX.format(probe=probe))
            return
        if len(handlers) > 1:
            names = ", ".join(k.value for k, _ in handlers)
            yield self.report(Y.span(source, handlers[1][0]),
                              f"{probe} of container {label} has {len(handlers)} handlers ({names}); the API "
                              "server accepts exactly one", fix="keep only the exec handler running the smoke test")
            return
        handler_key, handler = handlers[0]
        problem = _handler_problem(handler_key.value, handler)
        if problem:
            yield self.report(Y.span(source, handler_key), f"{probe} of container {label}: {problem}",
                              fix=_PROBE_FIX.format(probe=probe))


def _label(container: Y.Node) -> str:
    name = Y.text(Y.get(container, "name"))
    return f"'{name}'" if name else "(unnamed)"


def _pod_anchor(template: W.PodTemplate) -> Y.Node:
    obj = template.obj
    spec = Y.get(obj.node, "spec")
    template = Y.get(spec, "template")
    return (key_node(Y.get(template, "spec"), "containers") or key_node(template, "spec")
            or key_node(spec, "template") or key_node(obj.node, "spec") or obj.node)


def _elsewhere(template: W.PodTemplate, gpu: Y.Node, probe: str) -> str:
    """Why a probe the reader may think is there does not count."""
    for container in template.containers():
        if container is not gpu and Y.get_pair(container, probe) is not None:
            return (f"; the {probe} on sidecar {_label(container)} does not count: it checks that container, "
                    "not the one using the GPU")
    for container in template.init_containers():
        if Y.get_pair(container, probe) is not None:
            return f"; the {probe} on init container {_label(container)} does not count"
    for key, _ in Y.pairs(gpu):
        if Y.is_scalar(key) and isinstance(key.value, str) and key.value.lower() == probe.lower():
            return f" ('{key.value}' on line {Y.line(template.obj.source, key)} is misspelt: field names are case-sensitive)"
    return ""


def _handler_problem(handler: str, node: Y.Node) -> str | None:
    if handler == "exec":
        command = Y.get(node, "command")
        if Y.is_scalar(command) and not Y.is_null(command):
            return None  # a string where a list belongs: GL303 reports the type
        argv = [Y.text(word) for word in Y.items(command)]
        if not argv or not (argv[0] or "").strip():
            return "exec has no command; the probe cannot run anything"
        return None
    if Y.is_null(Y.get(node, "port")) and (Y.is_map(node) or Y.is_null(node)):
        return f"{handler} has no port; the API server requires one"
    return None


def _unreached(template: W.PodTemplate, project) -> bool:
    """No traffic can be told to reach the pods: no container runs a known inference server or
    declares a port, and no Service of the project selects them (None from the Services: the
    labels cannot be read, so it may be reached)."""
    containers = template.containers()
    if any(Y.get(c, "ports") or container_server(c) is not None for c in containers + template.init_containers()):
        return False
    return project.facts(ServiceFacts).selected(template.obj) is False
