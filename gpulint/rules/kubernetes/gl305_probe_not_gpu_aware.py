from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.artifacts import gpucheck
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.artifacts.kubernetes.model import PROBE_HANDLERS, Manifests
from gpulint.rules.criteria import NO_CRITERION
from gpulint.artifacts.kubernetes.probes import engine_health_probe, probe_advice
from gpulint.project.config import profile_of
from gpulint.rules.base import Report, Rule

_PROBES = ("readinessProbe", "livenessProbe")


def _in_image(path: str) -> str:
    # An exec probe runs inside the image; gpulint cannot see which file that is, so a script
    # path is "unverified" (no warning) rather than guessed at.
    return "exec probes run files inside the image, which gpulint does not read"


class ProbeNotGpuAware(Rule):
    """
    ## What it does
    Warns when the readiness or liveness probe of a GPU container (one that limits or requests
    `nvidia.com/gpu`) cannot notice a broken GPU: an `httpGet`, `tcpSocket` or `grpc` probe, or
    an `exec` probe whose command never touches CUDA/NVML (`cat /tmp/ready`, `curl`, `python -c`
    code without a GPU call) or only runs `nvidia-smi`. A GPU call whose failure is hidden by
    `|| true` is GL515's error, not repeated here. Commands are parsed (shell words, `sh -c` strings, `python -c` code via `ast`);
    a script gpulint cannot read (it lives in the image) is given the benefit of the doubt.
    A GPU container is one with a GPU limit or request of any vendor (`nvidia.com/gpu`,
    `nvidia.com/mig-1g.10gb`, `amd.com/gpu`, `gpu.intel.com/i915`) or a DRA GPU claim. Only
    Deployment findings bear on the `deployment.probes` criterion.

    With `--profile production`, an `httpGet` probe on the health endpoint a well-known GPU
    inference server answers from its engine is GPU-aware enough: vLLM and SGLang `/health`
    (SGLang also `/health_generate`), Text Generation Inference, LoRAX and Text Embeddings
    Inference `/health`, Triton and KServe v2 `/v2/health/ready`, NVIDIA NIM `/v1/health/ready`,
    llama.cpp's server `/health`, TensorFlow Serving `/v1/models/<name>`, TorchServe `/ping`
    (the server is recognised by the container's image or command; see
    `gpulint/artifacts/gpu_servers.py`). For those servers the advice is that endpoint, never an
    exec probe that would open a second CUDA context beside a server that has claimed the GPU's
    memory. GPU infrastructure daemons (device plugins, dcgm-exporter) are not judged. The lab
    profile keeps the lab's rule: a probe must run a GPU check itself.

    Covers the long-running kinds GL304 covers (Deployment, StatefulSet, DaemonSet, ReplicaSet,
    Pod with restartPolicy Always, Argo Rollout, LeaderWorkerSet) and the probes a KServe
    InferenceService's predictor, transformer or explainer declares. Ray pods, Jobs and
    CronJobs are not judged (KubeRay manages Ray probes; run-to-completion pods have none).

    ## Why is this bad?
    An HTTP 200 proves the server process runs, not that CUDA works. Containers lose their GPUs
    after a host systemd reload (NVIDIA/nvidia-container-toolkit#857) and report "Failed to
    initialize NVML: Unknown Error" (ErsatzTV/legacy#1071) while `/healthz` keeps answering, so
    the broken pod keeps receiving traffic and is never restarted. `nvidia-smi` can exit 0 while
    its table shows `ERR!` (pytorch/test-infra#3967).

    ## Example
    ```yaml
    readinessProbe:
      httpGet: {path: /healthz, port: 8000}
    ```

    ## Use instead
    ```yaml
    readinessProbe:
      exec:
        command: ["python3", "/app/smoke_test.py"]
      timeoutSeconds: 20
    ```

    ## Fix
    Run the GPU smoke test (NVML init, `torch.cuda.is_available()`, a small tensor round-trip)
    as an `exec` probe; keep an HTTP check as an extra, not the only, signal.
    """

    id = "GL305"
    name = "probe-not-gpu-aware"
    severity = Severity.WARNING
    kind = "kubernetes"
    applies_to = "gpu-workload"
    criterion = "deployment.probes"
    summary = "a GPU container's readiness/liveness probe cannot detect a broken GPU (HTTP/TCP or no CUDA call)"
    fix = "make the probe exec the GPU smoke test: command: [\"python3\", \"/app/smoke_test.py\"]"

    covers = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Rollout", "LeaderWorkerSet",
              "InferenceService")

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        production = profile_of(project) == "production"
        for template, container, _index in W.gpu_templates(manifests, project):
            if not template.judges_probes:
                continue
            for probe in _PROBES:
                handlers = [(k, v) for k, v in Y.pairs(Y.get(container, probe))
                            if Y.is_scalar(k) and k.value in PROBE_HANDLERS]
                if len(handlers) != 1:
                    continue  # missing or ambiguous: GL304 reports it
                key, handler = handlers[0]
                if production and engine_health_probe(container, probe):
                    continue  # the server answers this endpoint from the engine that holds the GPU
                report = self._judge(manifests, probe, key, handler)
                if report and production:
                    report.fix = probe_advice(container, probe)
                if report:
                    if not template.is_deployment:
                        report.criterion = NO_CRITERION
                        report.message += f" ({template.describe()})"
                    yield report

    def _judge(self, manifests: Manifests, probe: str, key: Y.Node, handler: Y.Node) -> Report | None:
        source = manifests.source
        if key.value != "exec":
            return self.report(Y.span(source, key),
                               f"{probe} uses {key.value}: an answer from {key.value} proves the server process "
                               "runs, not that CUDA works; a pod that lost its GPU stays in service")
        command = Y.get(handler, "command")
        argv = [Y.text(word) for word in Y.items(command)]
        if not argv or any(word is None for word in argv):
            return None  # empty or mistyped: GL304/GL303 report it
        verdict = gpucheck.judge_exec(argv, _in_image)  # type: ignore[arg-type]
        if verdict.passes and verdict.kind != gpucheck.NVIDIA_SMI or verdict.kind == gpucheck.HIDDEN:
            return None  # a hidden failure is GL515's error
        lead = {
            gpucheck.NVIDIA_SMI: f"{probe} only runs nvidia-smi, which can exit 0 while the GPU has failed",
            gpucheck.HTTP: f"{probe} only checks a network endpoint, not the GPU",
            gpucheck.IGNORED: f"{probe} ignores its GPU check's result",
        }.get(verdict.kind, f"{probe} does not exercise the GPU")
        return self.report(Y.span(source, command), f"{lead}: {verdict.detail}")
