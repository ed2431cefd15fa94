"""The shipped Kubernetes field snapshot and the node checker built on it."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from gpulint.artifacts.kubernetes.schema import SchemaProblem, check_node, display_name, schema_path, type_for_kind

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "rules" / "k8s-schema.json"


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_k8s_schema", ROOT / "scripts" / "gen_k8s_schema.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problems(text: str, api_version: str = "apps/v1", kind: str = "Deployment") -> list[SchemaProblem]:
    type_name = type_for_kind(api_version, kind)
    assert type_name is not None
    return check_node(yaml.compose(textwrap.dedent(text), Loader=yaml.CSafeLoader), type_name)


def where(p: SchemaProblem) -> tuple[int, int]:
    return p.node.start_mark.line + 1, p.node.start_mark.column + 1


# --------------------------------------------------------------------------- snapshot


def test_snapshot_matches_installed_client() -> None:
    """The shipped fields and types are those of the pinned client (requirements/test.txt)."""
    pytest.importorskip("kubernetes", reason="kubernetes client not installed: cannot regenerate the snapshot")
    gen = _load_generator()
    summary = gen.diff_summary(json.loads(SNAPSHOT.read_text(encoding="utf-8")), gen.build_snapshot())
    assert not summary, "rules/k8s-schema.json is stale; run scripts/gen_k8s_schema.py:\n" + "\n".join(summary[:30])


def _check(gen, snapshot: dict, tmp_path: Path) -> int:
    path = tmp_path / "k8s-schema.json"
    path.write_text(gen.render(snapshot), encoding="utf-8")
    return gen.main(["--check", "--output", str(path)])


def test_check_flag_ignores_provenance(tmp_path: Path) -> None:
    """A client release that changes only its version string leaves the snapshot current."""
    pytest.importorskip("kubernetes", reason="kubernetes client not installed: cannot regenerate the snapshot")
    gen = _load_generator()
    assert gen.main(["--check"]) == 0
    shipped = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert _check(gen, {**shipped, "kubernetes_client_version": "0.0.1", "generator": "elsewhere"}, tmp_path) == 0


@pytest.mark.parametrize("change, expected", [
    (lambda s: s["types"]["V1Container"].pop("readinessProbe"), "types: V1Container.readinessProbe: None -> 'V1Probe'"),
    (lambda s: s["types"]["V1Container"].__setitem__("readinessProbe", "str"),
     "types: V1Container.readinessProbe: 'str' -> 'V1Probe'"),
    (lambda s: s["types"].pop("V1Probe"), "types: + V1Probe"),
    (lambda s: s["intOrString"]["V1RollingUpdateDeployment"].remove("maxSurge"),
     "intOrString: V1RollingUpdateDeployment: ['maxUnavailable'] -> ['maxSurge', 'maxUnavailable']"),
    (lambda s: s["kinds"].pop("batch/v1/Job"), "kinds: + batch/v1/Job"),
])
def test_check_flag_detects_field_changes(change, expected: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A removed, retyped or added field, IntOrString marker or kind makes the snapshot stale."""
    pytest.importorskip("kubernetes", reason="kubernetes client not installed: cannot regenerate the snapshot")
    gen = _load_generator()
    stale = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    change(stale)
    assert _check(gen, stale, tmp_path) == 1
    err = capsys.readouterr().err
    assert "stale" in err and expected in err, err


def test_snapshot_is_small_and_located() -> None:
    assert schema_path() == SNAPSHOT
    assert SNAPSHOT.stat().st_size < 1_000_000


def test_type_for_kind() -> None:
    assert type_for_kind("apps/v1", "Deployment") == "V1Deployment"
    assert type_for_kind("v1", "Pod") == "V1Pod"
    assert type_for_kind("batch/v1", "CronJob") == "V1CronJob"
    assert type_for_kind("apps/v1", "Pod") is None
    assert type_for_kind("extensions/v1beta1", "Deployment") is None


def test_display_name() -> None:
    assert display_name("V1Container") == "Container"
    assert display_name("CoreV1ResourceClaim") == "ResourceClaim"
    assert display_name("V1alpha3WorkloadPodGroupResourceClaim") == "WorkloadPodGroupResourceClaim"


def test_import_does_not_load_kubernetes() -> None:
    code = textwrap.dedent(
        """
        import sys, yaml
        import gpulint.artifacts.kubernetes.schema as m
        import gpulint.syntax.quantity as q
        m.check_node(yaml.compose("spec: {replicas: 1}"), m.type_for_kind("apps/v1", "Deployment"))
        q.parse_quantity("1Gi")
        leaked = sorted(n for n in sys.modules if n == "kubernetes" or n.startswith("kubernetes."))
        assert not leaked, leaked
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- checking

VALID_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: triton
  namespace: inference
  labels: {app: triton, tier: "gpu"}
  annotations:
    prometheus.io/scrape: "true"
spec:
  replicas: 2
  revisionHistoryLimit: 3
  selector:
    matchLabels: {app: triton}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 25%
  template:
    metadata:
      labels: {app: triton}
    spec:
      runtimeClassName: nvidia
      nodeSelector:
        nvidia.com/gpu.present: "true"
      tolerations:
      - key: nvidia.com/gpu
        operator: Exists
        effect: NoSchedule
      - key: dedicated
        operator: Equal
        value: gpu
        effect: NoExecute
        tolerationSeconds: 300
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - {key: nvidia.com/gpu.product, operator: In, values: [NVIDIA-H100-80GB-HBM3]}
      securityContext: {runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000}
      terminationGracePeriodSeconds: 60
      containers:
      - name: server
        image: nvcr.io/nvidia/tritonserver:24.05-py3
        imagePullPolicy: IfNotPresent
        args: ["tritonserver", "--model-repository=/models"]
        env:
        - name: CUDA_VISIBLE_DEVICES
          value: "0"
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - name: MEM_LIMIT
          valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
        ports:
        - {name: http, containerPort: 8000, protocol: TCP}
        - {name: grpc, containerPort: 8001}
        readinessProbe:
          httpGet: {path: /v2/health/ready, port: http}
          initialDelaySeconds: 10
          periodSeconds: 5
        livenessProbe:
          tcpSocket: {port: 8001}
          failureThreshold: 3
        startupProbe:
          exec: {command: [sh, -c, "nvidia-smi"]}
        resources:
          limits:
            nvidia.com/gpu: 1
            memory: 32Gi
            cpu: 4
          requests:
            cpu: 500m
            memory: 16Gi
            ephemeral-storage: 1.5
        volumeMounts:
        - {name: models, mountPath: /models, readOnly: true}
        - {name: shm, mountPath: /dev/shm}
      volumes:
      - name: models
        persistentVolumeClaim: {claimName: models}
      - name: shm
        emptyDir: {medium: Memory, sizeLimit: 8Gi}
      - name: cfg
        configMap:
          name: triton-cfg
          defaultMode: 0644
          items: [{key: config.pbtxt, path: config.pbtxt}]
status: {}
"""


def test_valid_deployment_has_no_problems() -> None:
    assert problems(VALID_DEPLOYMENT) == []


def test_typos_with_suggestions_and_positions() -> None:
    text = VALID_DEPLOYMENT.replace("readinessProbe:", "readinessprobe:").replace(
        "maxUnavailable: 0", "maxUnavaliable: 0"
    ).replace("imagePullPolicy:", "imagepullpolicy:").replace("tolerationSeconds:", "tolerationSecond:")
    found = {p.suggestion: p for p in problems(text)}
    assert set(found) == {"readinessProbe", "maxUnavailable", "imagePullPolicy", "tolerationSeconds"}

    p = found["readinessProbe"]
    assert p.message == "unknown field 'readinessprobe' in Container; did you mean 'readinessProbe'?"
    assert p.path == ("spec", "template", "spec", "containers", 0, "readinessprobe")
    assert p.node.value == "readinessprobe"  # the key node, not the value
    line = text.splitlines().index("        readinessprobe:") + 1
    assert where(p) == (line, 9)

    p = found["maxUnavailable"]
    assert p.message == "unknown field 'maxUnavaliable' in RollingUpdateDeployment; did you mean 'maxUnavailable'?"
    assert where(p) == (text.splitlines().index("      maxUnavaliable: 0") + 1, 7)
    assert p.path == ("spec", "strategy", "rollingUpdate", "maxUnavaliable")


def test_unknown_field_without_suggestion() -> None:
    (p,) = problems(
        """
        apiVersion: v1
        kind: Pod
        spec:
          containers:
          - name: a
            image: b
            zzqqxx: 1
        """,
        "v1",
        "Pod",
    )
    assert p.message == "unknown field 'zzqqxx' in Container"
    assert p.suggestion is None
    assert where(p) == (8, 5)


def test_wrong_types() -> None:
    found = problems(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          labels: {version: 1.0, enabled: true}
        spec:
          replicas: 3x
          paused: "false"
          minReadySeconds: "3"
          selector: [app]
          strategy:
            rollingUpdate: {maxSurge: 1.5}
          template:
            spec:
              containers:
                name: not-a-list
              initContainers:
              - name: init
                image: busybox
                ports: {containerPort: 80}
                env:
                - {name: A, value: 3}
                resources:
                  limits: {nvidia.com/gpu: true}
              volumes:
              - name: v
                emptyDir: 1Gi
        """
    )
    by_path = {p.path: p for p in found}
    expect = {
        ("metadata", "labels", "version"): ("field 'version' must be a string, got number 1.0", (5, 21)),
        ("metadata", "labels", "enabled"): ("field 'enabled' must be a string, got boolean true", (5, 35)),
        ("spec", "replicas"): ("field 'replicas' must be an integer, got string '3x'", (7, 13)),
        ("spec", "paused"): ("field 'paused' must be a boolean, got string 'false'", (8, 11)),
        ("spec", "minReadySeconds"): ("field 'minReadySeconds' must be an integer, got string '3'", (9, 20)),
        ("spec", "selector"): ("field 'selector' must be a mapping (LabelSelector), got list", (10, 13)),
        ("spec", "strategy", "rollingUpdate", "maxSurge"): (
            "field 'maxSurge' must be an integer or string, got number 1.5", (12, 31)),
        ("spec", "template", "spec", "containers"): ("field 'containers' must be a list, got mapping", (16, 9)),
        ("spec", "template", "spec", "initContainers", 0, "ports"): (
            "field 'ports' must be a list, got mapping", (20, 16)),
        ("spec", "template", "spec", "initContainers", 0, "env", 0, "value"): (
            "field 'value' must be a string, got integer 3", (22, 28)),
        ("spec", "template", "spec", "initContainers", 0, "resources", "limits", "nvidia.com/gpu"): (
            "field 'nvidia.com/gpu' must be a quantity (string or number), got boolean true", (24, 36)),
        ("spec", "template", "spec", "volumes", 0, "emptyDir"): (
            "field 'emptyDir' must be a mapping (EmptyDirVolumeSource), got string '1Gi'", (27, 19)),
    }
    assert set(by_path) == set(expect)
    for path, (message, pos) in expect.items():
        assert by_path[path].message == message
        assert where(by_path[path]) == pos, message
        assert by_path[path].suggestion is None


def test_list_item_of_wrong_type_is_labelled_with_index() -> None:
    (p,) = problems("spec: {template: {spec: {containers: [nginx]}}}")
    assert p.message == "field 'containers[0]' must be a mapping (Container), got string 'nginx'"
    assert p.path == ("spec", "template", "spec", "containers", 0)


def test_lenient_where_kubectl_is() -> None:
    # null means unset; 3.0 and 1e3 are numbers to kubectl's YAML reader; IntOrString takes
    # both; object fields take anything; custom tags belong to some templating tool.
    assert problems(
        """
        metadata: {labels: {a: "1"}, annotations: {at: 2024-01-01, t: 10:30}}
        spec:
          replicas: 3.0
          progressDeadlineSeconds: 1e3
          paused:
          selector: ~
          strategy: {rollingUpdate: {maxSurge: 2, maxUnavailable: "50%"}}
          template:
            spec:
              containers:
              - name: a
                resources: {limits: {cpu: 0.5, memory: 1e9, nvidia.com/gpu: "2"}}
                livenessProbe: {httpGet: {port: 8080}}
              - !custom {name: b}
              nodeSelector: !include selectors.yaml
        """
    ) == []


def test_merge_keys_are_expanded_not_reported() -> None:
    found = problems(
        """
        spec:
          template:
            spec:
              containers:
              - &base
                name: a
                image: x
                resources: {limits: {nvidia.com/gpu: 1}}
              - <<: *base
                name: b
                imagePullPolicy: Always
              - <<: [*base, {command: [sh]}]
                name: c
                badField: 1
        """
    )
    assert [(p.message, p.path) for p in found] == [
        ("unknown field 'badField' in Container", ("spec", "template", "spec", "containers", 2, "badField"))
    ]


def test_merged_problem_points_at_anchor_and_is_reported_once() -> None:
    found = problems(
        """
        x: &res
          limit: {cpu: 1}
        spec:
          template:
            spec:
              containers:
              - {name: a, resources: {<<: *res}}
              - {name: b, resources: {<<: *res}}
        """
    )
    assert [(p.message, where(p)) for p in found] == [
        ("unknown field 'x' in Deployment", (2, 1)),
        ("unknown field 'limit' in ResourceRequirements; did you mean 'limits'?", (3, 3)),
    ]


def test_recursive_alias_terminates() -> None:
    # A node already on the walk is not entered again, so a cycle cannot recurse forever.
    node = yaml.compose("spec: &a {template: {spec: {containers: [*a]}}}", Loader=yaml.SafeLoader)
    assert check_node(node, "V1Deployment") == []


def test_documents_that_are_not_mappings() -> None:
    assert check_node(yaml.compose("", Loader=yaml.CSafeLoader), "V1Pod") == []
    (p,) = check_node(yaml.compose("- a", Loader=yaml.CSafeLoader), "V1Pod")
    assert p.message == "document must be a mapping (Pod), got list"


def test_path_prefix_and_unknown_type() -> None:
    node = yaml.compose("{name: a, imag: b}", Loader=yaml.CSafeLoader)
    (p,) = check_node(node, "V1Container", ("spec", "containers", 0))
    assert p.path == ("spec", "containers", 0, "imag")
    assert p.suggestion == "image"
    with pytest.raises(KeyError):
        check_node(node, "V1NoSuchThing")
