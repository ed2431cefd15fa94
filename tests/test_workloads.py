"""Pod templates of every workload kind, GPU containers by vendor/MIG/DRA, and the Kubernetes
rules applied per kind (gpulint.artifacts.kubernetes.workloads)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.core.limits import Limits
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.artifacts.kubernetes.model import is_gpu_resource, objects_in
from gpulint.syntax.yamlfile import load_yaml
from gpulint.core.source import Source


def _objects(text: str):
    source = Source(textwrap.dedent(text), "m.yaml")
    yaml = load_yaml(source, Limits())
    return [obj for doc in yaml.documents for obj in objects_in(source, doc)]


def _findings(tmp_path: Path, text: str, name: str = "m.yaml"):
    """Findings with the production profile, which judges every workload kind (the lab profile asks
    for a Deployment and reports any other kind standing in for it)."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    (tmp_path / ".gpulint.yaml").write_text("profile: production\n")
    return run([path]).findings


@pytest.mark.parametrize("name, ok", [
    ("nvidia.com/gpu", True), ("amd.com/gpu", True), ("gpu.intel.com/i915", True), ("gpu.intel.com/xe", True),
    ("nvidia.com/mig-1g.10gb", True), ("nvidia.com/mig-3g.40gb", True), ("nvidia.com/mig-1g.10gb+me", True),
    ("nvidia.com/mig-1c.3g.40gb", True), ("nvidia.com/gpus", False), ("nvidia.com/mig-", False),
    ("nvidia.com/mig-big", False), ("gpu.intel.com/millicores", False), ("cpu", False), ("", False),
])
def test_gpu_resource_names(name, ok):
    assert is_gpu_resource(name) is ok


@pytest.mark.parametrize("name, ok", [
    ("gpu.nvidia.com", True), ("mig.nvidia.com", True), ("gpu.amd.com", True), ("gpu.example.com", True),
    ("nvidia-gpu", True), ("vgpu.example.com", True), ("neuron.aws.com", False), ("tpu.google.com", False),
    ("fpga.example.com", False), (None, False), ("", False),
])
def test_gpu_device_classes(name, ok):
    assert W.is_gpu_device_class(name) is ok


KINDS = """\
apiVersion: ray.io/v1
kind: RayService
metadata: {name: rs}
spec:
  rayClusterConfig:
    headGroupSpec:
      template:
        spec:
          containers: [{name: head, image: "rayproject/ray:2.9.0"}]
    workerGroupSpecs:
      - groupName: gpu-group
        template:
          spec:
            containers:
              - {name: w, image: "rayproject/ray:2.9.0", resources: {limits: {nvidia.com/gpu: 1}}}
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: isvc}
spec:
  predictor:
    model: {modelFormat: {name: huggingface}, resources: {limits: {nvidia.com/gpu: 1}}}
  transformer:
    containers: [{name: t, image: "t:1"}]
---
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata: {name: lws}
spec:
  leaderWorkerTemplate:
    workerTemplate:
      spec:
        containers: [{name: w, image: "w:1"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: c, image: "c:1"}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Never
  containers: [{name: c, image: "c:1"}]
---
apiVersion: example.com/v1
kind: Rollout
metadata: {name: not-argo}
spec:
  template: {spec: {containers: [{name: c}]}}
---
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: ptj}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template: {spec: {containers: [{name: pytorch, image: "t:1", resources: {limits: {nvidia.com/gpu: 1}}}]}}
    Worker:
      replicas: 2
      template: {spec: {containers: [{name: pytorch, image: "t:1", resources: {limits: {nvidia.com/gpu: 1}}}]}}
---
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: mpi}
spec:
  mpiReplicaSpecs:
    Launcher: {template: {spec: {containers: [{name: l, image: "m:1"}]}}}
---
apiVersion: example.com/v1
kind: PyTorchJob
metadata: {name: not-kubeflow}
spec:
  pytorchReplicaSpecs: {Worker: {template: {spec: {containers: [{name: c, image: "c:1"}]}}}}
---
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata: {name: js}
spec:
  replicatedJobs:
    - name: workers
      template:
        spec:
          template: {spec: {containers: [{name: w, image: "w:1"}, {name: s, image: "s:1"}]}}
---
apiVersion: batch.volcano.sh/v1alpha1
kind: Job
metadata: {name: vcjob}
spec:
  tasks:
    - name: master
      template:
        spec: &task
          containers: [{name: c, image: "c:1"}]
    - name: worker
      template:
        spec: *task
"""


def test_pod_templates_of_every_kind():
    found = [(t.kind, t.role, t.policy, t.probes, len(t.containers()))
             for obj in _objects(KINDS) for t in W.pod_templates(obj)]
    assert found == [
        ("RayService", "head group", W.SERVER, False, 1),
        ("RayService", "worker group 'gpu-group'", W.SERVER, False, 1),
        ("InferenceService", "predictor", W.SERVER, False, 1),
        ("InferenceService", "transformer", W.SERVER, False, 1),
        # without a leaderTemplate the leader pod is made from the worker template: it needs probes
        ("LeaderWorkerSet", "worker template", W.SERVER, True, 1),
        ("CronJob", None, W.BATCH, False, 1),
        ("Pod", None, W.BATCH, False, 1),
        ("PyTorchJob", "replica 'Master'", W.BATCH, False, 1),
        ("PyTorchJob", "replica 'Worker'", W.BATCH, False, 1),
        ("MPIJob", "replica 'Launcher'", W.BATCH, False, 1),
        ("JobSet", "replicated job 'workers'", W.BATCH, False, 2),
        # two tasks that share one pod spec by a YAML alias are one template (one finding per text)
        ("Job", "task 'master'", W.BATCH, False, 1),
    ]


def test_dra_claim_resolution():
    text = """\
    apiVersion: resource.k8s.io/v1beta2
    kind: ResourceClaimTemplate
    metadata: {name: gpus}
    spec:
      spec:
        devices:
          requests:
            - name: big
              exactly: {deviceClassName: gpu.nvidia.com, count: 2}
            - name: nic
              exactly: {deviceClassName: rdma.example.com}
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      resourceClaims:
        - {name: a, resourceClaimTemplateName: gpus}
        - {name: b, source: {resourceClaimTemplateName: elsewhere}}
      containers:
        - name: c
          resources: {claims: [{name: a, request: nic}, {name: a, request: big}, {name: b}, {name: zzz}]}
    """
    objects = _objects(text)
    index = {(o.kind, o.name): W.claim_object(o) for o in objects if W.claim_object(o)}
    template = W.pod_templates(objects[1])[0]
    claims = template.claims(template.containers()[0], index)
    assert [c.status for c in claims] == [W.NOT_GPU, W.GPU, W.UNRESOLVED, W.UNDECLARED]
    assert template.asks_gpu(template.containers()[0], index)


DRA_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: gpu-inference}
spec:
  replicas: 2
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
  selector: {matchLabels: {app: gpu-inference}}
  template:
    metadata: {labels: {app: gpu-inference}}
    spec:
      resourceClaims:
        - name: gpu
          resourceClaimTemplateName: TEMPLATE
      containers:
        - name: inference
          image: ghcr.io/example/gpu-inference:1.4.2
          resources:
            claims: [{name: gpu}]
          readinessProbe: {exec: {command: [python3, /app/smoke_test.py]}, timeoutSeconds: 20}
          livenessProbe: {exec: {command: [python3, /app/smoke_test.py]}, timeoutSeconds: 30, periodSeconds: 30}
"""

TEMPLATE = """\
apiVersion: resource.k8s.io/v1
kind: ResourceClaimTemplate
metadata: {name: one-gpu}
spec:
  spec:
    devices:
      requests: [{name: gpu, exactly: {deviceClassName: gpu.nvidia.com}}]
"""


def test_dra_claim_in_another_file_passes_deployment_gpu(tmp_path):
    (tmp_path / "claim.yaml").write_text(TEMPLATE)
    (tmp_path / "deploy.yaml").write_text(DRA_DEPLOYMENT.replace("TEMPLATE", "one-gpu"))
    assert [f for f in run([tmp_path]).findings if f.rule.startswith("GL3")] == []


def test_unresolved_claim_template_is_advice_without_criterion(tmp_path):
    """Production: a claim on a template outside the scanned files needs no change whatever it
    requests (a GPU claim satisfies the rule, any other makes no GPU workload): info. The lab,
    which asks for a GPU limit, keeps the warning."""
    findings = [f for f in _findings(tmp_path, DRA_DEPLOYMENT.replace("TEMPLATE", "cluster-gpus"))
                if f.rule.startswith("GL3")]
    assert [(f.rule, f.severity.value, f.criterion) for f in findings] == [("GL306", "info", None)]
    assert "cluster-gpus" in findings[0].message
    (tmp_path / ".gpulint.yaml").write_text("profile: lab\n")
    lab = [f for f in run([tmp_path / "m.yaml"]).findings if f.rule == "GL306"]
    assert [(f.severity.value, f.criterion) for f in lab] == [("warning", None)]


def test_non_deployment_findings_carry_no_criterion(tmp_path):
    text = """\
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: s}
    spec:
      serviceName: s
      selector: {matchLabels: {app: s}}
      template:
        metadata: {labels: {app: s}}
        spec:
          containers:
            - name: c
              image: "c:1.0"
              resources: {requests: {amd.com/gpu: 1}}
    """
    findings = [f for f in _findings(tmp_path, text) if f.rule.startswith("GL3")]
    assert sorted(f.rule for f in findings) == ["GL304", "GL304", "GL306"]
    assert all(not f.criterion for f in findings)
    assert all("StatefulSet 's'" in f.message for f in findings)


def test_device_plugin_daemonset_is_not_a_gpu_consumer(tmp_path):
    text = """\
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: nvidia-device-plugin}
    spec:
      selector: {matchLabels: {name: dp}}
      template:
        metadata: {labels: {name: dp}}
        spec:
          tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
          containers:
            - name: nvidia-device-plugin-ctr
              image: nvcr.io/nvidia/k8s-device-plugin:v0.17.0
    """
    assert _findings(tmp_path, text) == []


@pytest.mark.parametrize("text", [
    "apiVersion: ray.io/v1\nkind: RayCluster\nspec: {workerGroupSpecs: [null, 3, {template: []}]}\n",
    "apiVersion: ray.io/v1\nkind: RayService\nspec: {rayClusterConfig: [1]}\n",
    "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nspec: {predictor: {model: 3, containers: [null]}}\n",
    "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nspec: {leaderWorkerTemplate: {leaderTemplate: 7}}\n",
    "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec: {strategy: [canary], template: {spec: {containers: 1}}}\n",
    "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec: {strategy: {canary: 5, blueGreen: null}}\n",
    "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      resourceClaims: [null, {name: [1]}]\n"
    "      containers: [{name: c, resources: {claims: [null, {name: null}, {name: x, request: [1]}]}}]\n",
    "apiVersion: resource.k8s.io/v1beta1\nkind: ResourceClaimTemplate\nmetadata: {name: t}\nspec: {spec: {devices: {requests: [null, {exactly: 3}, {firstAvailable: [null]}]}}}\n",
    "apiVersion: batch/v1\nkind: CronJob\nspec: {jobTemplate: null}\n",
    "apiVersion: v1\nkind: Pod\nspec: {restartPolicy: [Never], containers: [{resources: {limits: {nvidia.com/mig-1g.10gb: [1]}}}]}\n",
])
def test_malformed_workloads_do_not_raise(tmp_path, text):
    _findings(tmp_path, text)
