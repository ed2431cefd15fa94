"""Kubernetes rules (GL301-GL308) on tricky manifests beyond the fixtures: positions, criteria,
odd YAML forms and malformed input that must never raise."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.core.limits import Limits
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import read_knob
from gpulint.syntax.yamlfile import load_yaml
from gpulint.core.source import Source

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "k8s" / "deployment.yaml"

GOOD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gpu-inference
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
  selector:
    matchLabels: {app: gpu-inference}
  template:
    metadata:
      labels: {app: gpu-inference}
    spec:
      containers:
        - name: inference
          image: ghcr.io/example/gpu-inference:1.4.2
          resources:
            limits: {nvidia.com/gpu: 1}
          readinessProbe:
            exec: {command: [python3, /app/smoke_test.py]}
            timeoutSeconds: 20
          livenessProbe:
            exec: {command: [python3, /app/smoke_test.py]}
            timeoutSeconds: 30
"""


def lint(tmp_path: Path, text: str, name: str = "deploy.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text)
    return [f for f in run([path]).findings if f.rule.startswith("GL3") or f.rule == "GL002"]


def where(findings) -> set[tuple[str, int, int]]:
    return {(f.rule, f.line, f.column) for f in findings}


def edit(*pairs: str) -> str:
    text = GOOD
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_good_and_reference_have_no_findings(tmp_path: Path) -> None:
    assert lint(tmp_path, GOOD) == []
    assert [f for f in run([REFERENCE]).findings] == []


# ------------------------------------------------------------------------- GL301 shape

def test_removed_api_version_points_at_value(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("apiVersion: apps/v1", "apiVersion: apps/v1beta1"))
    assert where(found) == {("GL301", 1, 13)}
    assert "apps/v1" in found[0].message and found[0].criterion == "deployment.shape"


def test_api_version_case_and_near_miss_kind(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("apiVersion: apps/v1", "apiVersion: Apps/V1"))
    assert where(found) == {("GL301", 1, 13)} and "did you mean apps/v1" in found[0].message
    found = lint(tmp_path, edit("kind: Deployment", "kind: Deploymnet"))
    assert where(found) == {("GL301", 2, 7)} and "did you mean Deployment" in found[0].message


def test_selector_in_expression_must_contain_label(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("    matchLabels: {app: gpu-inference}\n",
                                "    matchExpressions:\n      - {key: app, operator: In, values: [other]}\n"))
    assert where(found) == {("GL301", 12, 9)}


def test_missing_selector_and_labels(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("  selector:\n    matchLabels: {app: gpu-inference}\n", ""))
    assert where(found) == {("GL301", 5, 1)}  # the spec key
    found = lint(tmp_path, edit("      labels: {app: gpu-inference}\n", "      annotations: {app: gpu-inference}\n"))
    assert where(found) == {("GL301", 11, 24)}
    assert "has no label 'app'" in found[0].message


def test_empty_name_points_at_name(tmp_path: Path) -> None:
    assert where(lint(tmp_path, edit("name: gpu-inference\nspec", 'name: ""\nspec'))) == {("GL301", 4, 9)}


def test_non_deployment_objects_are_left_alone(tmp_path: Path) -> None:
    text = edit("apiVersion: apps/v1\nkind: Deployment", "apiVersion: apps/v1\nkind: StatefulSet")
    text = text.replace("  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}\n", "")
    (tmp_path / ".gpulint.yaml").write_text("profile: production\n")
    assert lint(tmp_path, text + "  serviceName: gpu\n") == []


def test_lab_profile_asks_for_a_deployment(tmp_path: Path) -> None:
    text = edit("apiVersion: apps/v1\nkind: Deployment", "apiVersion: apps/v1\nkind: StatefulSet")
    text = text.replace("  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}\n", "")
    found = lint(tmp_path, text + "  serviceName: gpu\n")
    assert {(f.rule, f.criterion, f.line) for f in found} == {("GL301", "deployment.shape", 2),
                                                               ("GL307", "deployment.rolling", 2)}
    assert all(f.severity.value == "error" and "StatefulSet 'gpu-inference'" in f.message for f in found)


# ------------------------------------------------------------------------- GL302/GL303 schema

def test_unknown_fields_carry_the_criterion_of_their_section(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("maxSurge: 1}", "maxSurge: 1, maxUnavaliable: 0}",
                                "          livenessProbe:", "          livenessprobe:"))
    by_rule = {(f.rule, f.criterion) for f in found}
    assert ("GL302", "deployment.rolling") in by_rule and ("GL302", "deployment.probes") in by_rule
    assert ("GL304", "deployment.probes") in by_rule  # the misspelt probe does not count


def test_unknown_field_outside_a_deployment_has_no_deployment_criterion(tmp_path: Path) -> None:
    found = lint(tmp_path, """\
apiVersion: batch/v1
kind: Job
metadata: {name: train}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - {name: train, image: trainer:1, resources: {limits: {nvidia.com/gpu: 1}}, imagepullpolicy: Always}
""")
    assert [(f.rule, f.line, f.criterion) for f in found] == [("GL302", 9, None)]


def test_wrong_type_in_resources_is_a_gpu_criterion(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("limits: {nvidia.com/gpu: 1}", "limits: [nvidia.com/gpu]"))
    assert ("GL303", "deployment.gpu") in {(f.rule, f.criterion) for f in found}
    assert "GL306" in {f.rule for f in found}


# ------------------------------------------------------------------------- GL304/GL305 probes

def test_probes_through_merge_keys_count(tmp_path: Path) -> None:
    text = edit("          readinessProbe:\n", "          readinessProbe: &p\n",
                "          livenessProbe:\n            exec: {command: [python3, /app/smoke_test.py]}\n"
                "            timeoutSeconds: 30\n",
                "          livenessProbe:\n            <<: *p\n            periodSeconds: 30\n")
    assert lint(tmp_path, text) == []


def test_missing_probe_points_at_gpu_container_name(tmp_path: Path) -> None:
    text = edit("      containers:\n        - name: inference\n",
                "      containers:\n        - name: proxy\n          image: envoy:1\n"
                "          readinessProbe: {httpGet: {path: /, port: 80}}\n        - name: inference\n",
                "          livenessProbe:\n            exec: {command: [python3, /app/smoke_test.py]}\n"
                "            timeoutSeconds: 30\n", "")
    found = lint(tmp_path, text)
    assert where(found) == {("GL304", 20, 17)}
    assert "livenessProbe" in found[0].message


def test_exec_and_http_in_one_probe(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("exec: {command: [python3, /app/smoke_test.py]}\n            timeoutSeconds: 20",
                                "exec: {command: [python3, /app/smoke_test.py]}\n            grpc: {port: 9000}\n"
                                "            timeoutSeconds: 20"))
    assert where(found) == {("GL304", 23, 13)}


def test_http_probe_warns_with_column(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("          readinessProbe:\n            exec: {command: [python3, /app/smoke_test.py]}\n",
                                "          readinessProbe:\n            httpGet: {path: /healthz, port: 8000}\n"))
    assert where(found) == {("GL305", 22, 13)}
    assert found[0].severity.value == "warning" and "not that CUDA works" in found[0].message


@pytest.mark.parametrize("command, warns", [
    ("[nvidia-smi]", True),
    ("[sh, -c, 'curl -f localhost:8000/healthz']", True),
    ("[python3, -c, 'import torch; assert torch.cuda.is_available()']", False),
    ("[bash, -ec, 'python3 /app/smoke_test.py']", False),
    ("[/usr/local/bin/gpu-check]", False),  # lives in the image: unverifiable, no warning
])
def test_exec_probe_commands(tmp_path: Path, command: str, warns: bool) -> None:
    found = lint(tmp_path, edit("          livenessProbe:\n            exec: {command: [python3, /app/smoke_test.py]}",
                                f"          livenessProbe:\n            exec: {{command: {command}}}"))
    assert where(found) == ({("GL305", 25, 29)} if warns else set())


# ------------------------------------------------------------------------- GL306 gpu

@pytest.mark.parametrize("value", ["0", '"0"', "-1", '"0.5"', "abc", "true", "500m"])
def test_bad_gpu_limits(tmp_path: Path, value: str) -> None:
    found = lint(tmp_path, edit("limits: {nvidia.com/gpu: 1}", f"limits: {{nvidia.com/gpu: {value}}}"))
    assert ("GL306", 20, 38) in where(found)


@pytest.mark.parametrize("value", ['"2"', "1", "'1'", "1.0", "2e0"])
def test_good_gpu_limits(tmp_path: Path, value: str) -> None:
    found = lint(tmp_path, edit("limits: {nvidia.com/gpu: 1}", f"limits: {{nvidia.com/gpu: {value}}}"))
    assert "GL306" not in {f.rule for f in found}


def test_gpu_words_in_comment_and_annotation_do_not_count(tmp_path: Path) -> None:
    text = edit("limits: {nvidia.com/gpu: 1}", "limits: {memory: 8Gi}  # nvidia.com/gpu: 1",
                "      labels: {app: gpu-inference}\n",
                "      labels: {app: gpu-inference}\n      annotations: {nvidia.com/gpu: \"1\"}\n")
    found = lint(tmp_path, text)
    assert ("GL306", 20, 11) in where(found)  # the container's resources key


def test_duplicate_limits_key_fails_gpu(tmp_path: Path) -> None:
    text = edit("            limits: {nvidia.com/gpu: 1}\n",
                "            limits: {nvidia.com/gpu: 0}\n            limits: {nvidia.com/gpu: 1}\n")
    found = lint(tmp_path, text)
    assert where(found) == {("GL002", 21, 13), ("GL306", 21, 13)}


def test_sidecar_gpu_request_without_limit_is_reported(tmp_path: Path) -> None:
    text = GOOD + "        - name: helper\n          image: helper:1\n          resources: {requests: {nvidia.com/gpu: 1}}\n"
    found = lint(tmp_path, text)
    assert where(found) == {("GL306", 29, 34)}


def test_gpu_in_answers_file_maps_back_to_the_file(tmp_path: Path) -> None:
    body = edit("limits: {nvidia.com/gpu: 1}", "limits: {nvidia.com/gpu: 0}")
    text = "dockerfile: |\n  FROM scratch\ndeployment_yaml: |\n" + "".join(f"  {l}\n" for l in body.splitlines())
    found = lint(tmp_path, text, "answers.yaml")
    assert ("GL306", 4 + 19, 40) in where(found)


# ------------------------------------------------------------------------- GL307/GL308 rolling

@pytest.mark.parametrize("knobs, expected", [
    ("{maxUnavailable: 0, maxSurge: 0}", {("GL307", 9, 50)}),
    ("{maxUnavailable: '0%', maxSurge: '0%'}", {("GL307", 9, 53)}),
    ("{maxUnavailable: 0, maxSurge: 1.5}", {("GL303", 9, 50)}),  # the wrong type: the schema rule
    ("{maxUnavailable: 0, maxSurge: '1.5'}", {("GL307", 9, 50)}),
    ("{maxUnavailable: 101%, maxSurge: 1}", {("GL307", 9, 37), ("GL308", 9, 37)}),
    ("{maxUnavailable: 0, maxSurge: 1e0}", set()),  # kubectl reads 1e0 as the number 1
    ("{maxSurge: 1}", {("GL307", 9, 5)}),
    ("{maxUnavailable: 1, maxSurge: 1}", {("GL308", 9, 37)}),
    ("{maxUnavailable: 0, maxSurge: 5%}", set()),
])
def test_rolling_knobs(tmp_path: Path, knobs: str, expected: set) -> None:
    found = lint(tmp_path, edit("rollingUpdate: {maxUnavailable: 0, maxSurge: 1}", f"rollingUpdate: {knobs}"))
    assert where(found) == expected


def test_strategy_recreate_with_rolling_update(tmp_path: Path) -> None:
    found = lint(tmp_path, edit("type: RollingUpdate", "type: Recreate"))
    assert where(found) == {("GL307", 8, 11)}


def test_rolling_warning_needs_a_gpu_workload(tmp_path: Path) -> None:
    text = edit("rollingUpdate: {maxUnavailable: 0, maxSurge: 1}", "rollingUpdate: {maxUnavailable: 1, maxSurge: 1}",
                "limits: {nvidia.com/gpu: 1}", "limits: {cpu: 1}")
    assert "GL308" not in {f.rule for f in lint(tmp_path, text)}


@pytest.mark.parametrize("text, value, percent, problem", [
    ("0", 0, False, False), ("'25%'", 25, True, False), ("25", 25, False, False),
    ("'25'", None, False, True), ("-1", None, False, True), ("abc", None, False, True),
    ("true", None, False, True), ("[1]", None, False, True), ("3.0", 3, False, False),
])
def test_read_knob(text: str, value, percent: bool, problem: bool) -> None:
    node = load_yaml(Source(f"k: {text}\n", "k.yaml"), Limits()).documents[0]
    knob = read_knob(Y.get(node, "k"))
    assert (knob.value, knob.percent, knob.problem is not None) == (value, percent, problem)


# ------------------------------------------------------------------------- robustness

@pytest.mark.parametrize("text", [
    "apiVersion: apps/v1\nkind: Deployment\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: []\nspec: null\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: [1, 2]\n",
    "apiVersion: {a: 1}\nkind: Deployment\nspec: {template: 5, selector: {matchLabels: [a]}}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  strategy: Recreate\n"
    "  selector: {matchExpressions: [null, 1, {key: [a], operator: {}}]}\n"
    "  template: {metadata: {labels: null}, spec: {containers: [null, 1, {name: [x], resources: 5,"
    " readinessProbe: [1], livenessProbe: {exec: {command: [[1]]}}}]}}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  strategy: {rollingUpdate: 5, type: [1]}\n"
    "  template: {spec: {containers: {name: x}}}\n",
    "apiVersion: v1\nkind: List\nitems: null\n",
    "apiVersion: v1\nkind: List\nitems: [1, null, {apiVersion: apps/v1, kind: Deployment, spec: {strategy: null}}]\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: &a {name: x}\nspec: {template: {spec: {containers: [*a, *a]}}}\n",
])
def test_malformed_manifests_do_not_raise(tmp_path: Path, text: str) -> None:
    for finding in lint(tmp_path, text):
        assert finding.message and finding.line >= 1


def test_helm_placeholders_are_not_type_errors(tmp_path: Path) -> None:
    text = edit("  replicas: 2\n", "  replicas: {{ .Values.replicas }}\n",
                "limits: {nvidia.com/gpu: 1}", "limits:\n              nvidia.com/gpu: {{ .Values.gpus }}")
    assert lint(tmp_path, text) == []
