"""Rollout-plan rules (GL4xx) and the kubectl command model they share.

Snippets are written the way students and teams write runbooks; each test lists the
(rule, line) findings it expects from the GL4xx rules, nothing more.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.artifacts import rollout as R
from gpulint.syntax.shellflow import flow
from gpulint.rules.base import DOC_HEADINGS, load_rules
from gpulint.core.source import Source, Span

REF = Path(__file__).resolve().parents[1] / "reference"
GOOD_ROLLBACK = """\
rollback_commands:
  - kubectl -n ml rollout history deployment/gpu-inference
  - kubectl -n ml rollout undo deployment/gpu-inference
"""
GOOD_FLOW = """\
image_promotion_flow:
  - {stage: dev, env: gpu-dev, tag_pattern: "^[0-9a-f]{40}$", gate: GPU smoke test in CI}
  - {stage: staging, env: gpu-staging, tag_pattern: "^v[0-9.]+-rc[0-9]+$", gate: 1h healthy in dev}
  - {stage: prod, env: gpu-prod, tag_pattern: "^v[0-9.]+$", gate: manual approval}
"""


def gl4(tmp_path: Path, text: str, name: str = "rollout.yaml") -> set[tuple[str, int]]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return {(f.rule, f.line) for f in run([path]).findings if f.rule.startswith("GL4")}


def messages(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "rollout.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return [f"{f.rule} {f.message}" for f in run([path]).findings if f.rule.startswith("GL4")]


def rollout(command: str) -> R.Rollout | None:
    source = Source(command, "x")
    parsed = [R.parse_rollout(R.CommandLine(c.words, Span(source, c.start, c.end))) for c in flow(command)]
    found = [p for p in parsed if p is not None]
    return found[0] if found else None


# ------------------------------------------------------------------ the kubectl command model

@pytest.mark.parametrize("command, action, namespace, names", [
    ("kubectl rollout undo deployment/web", "undo", None, ["web"]),
    ("kubectl -n ml rollout history deploy/web", "history", "ml", ["web"]),
    ("kubectl rollout history deployment web --namespace=ml", "history", "ml", ["web"]),
    ("kubectl --namespace ml rollout undo deployments/web --to-revision 2", "undo", "ml", ["web"]),
    ("kubectl -nml rollout undo deployment.apps/web", "undo", "ml", ["web"]),
    ("kubectl --context prod --kubeconfig k.yaml rollout undo deployment.v1.apps/web -n=ml", "undo", "ml", ["web"]),
    ("/usr/local/bin/kubectl rollout undo Deployment/web", "undo", None, ["web"]),
    ("sudo -E kubectl rollout undo deploy/web", "undo", None, ["web"]),
    ("KUBECONFIG=/etc/k.yaml kubectl rollout undo deploy/web", "undo", None, ["web"]),
    ("microk8s kubectl rollout undo deploy/web", "undo", None, ["web"]),
    ("minikube kubectl -- rollout undo deploy/web", "undo", None, ["web"]),
    ("oc -n ml rollout undo deployment/web", "undo", "ml", ["web"]),
    ("kubectl rollout undo deployment web api", "undo", None, ["web", "api"]),
    ("kubectl rollout undo 'deployment/web'  # previous revision", "undo", None, ["web"]),
    ("kubectl get pods && kubectl rollout undo deploy/web || true", "undo", None, ["web"]),
])
def test_deployment_rollouts_are_recognised(command, action, namespace, names) -> None:
    parsed = rollout(command)
    assert parsed is not None and parsed.is_deployment
    assert (parsed.action, parsed.namespace, parsed.names) == (action, namespace, names)


@pytest.mark.parametrize("command", [
    "echo kubectl rollout undo deployment/web",
    "printf 'kubectl rollout undo deployment/web'",
    "# kubectl rollout undo deployment/web",
    "k rollout undo deploy/web",
    "kubectl argo rollouts undo web",
    "kubectl get deployment/web  # rollout undo",
])
def test_non_commands_are_not_rollouts(command) -> None:
    assert rollout(command) is None


@pytest.mark.parametrize("command", [
    "kubectl rollout undo daemonset/device-plugin",
    "kubectl rollout undo statefulset/db",
    "kubectl rollout undo sts db",
    "kubectl rollout undo deployment",
    "kubectl rollout undo -f deployment.yaml",
    "kubectl rollout undo deployment/web daemonset/agent",
])
def test_other_resources_are_not_deployments(command) -> None:
    parsed = rollout(command)
    assert parsed is not None and not parsed.is_deployment


@pytest.mark.parametrize("text, stage", [
    ("dev", "dev"), ("Development", "dev"), ("develop", "dev"), ("gpu-dev cluster", "dev"),
    ("staging", "staging"), ("Stage", "staging"), ("stg", "staging"), ("pre-prod", "staging"),
    ("Pre Prod", "staging"), ("QA", "staging"), ("prod", "prod"), ("Production (EU)", "prod"),
    ("prd", "prod"), ("live", "prod"), ("stage 1", None), ("canary", None), ("dev to prod", None),
    ("", None),
])
def test_stage_names(text, stage) -> None:
    assert R.classify(text) == stage


# ------------------------------------------------------------------ GL401 / GL402 / GL403

def test_reference_rollout_plan_is_clean() -> None:
    assert [f for f in run([REF / "rollout.yaml"]).findings] == []


def test_good_plan_is_clean(tmp_path) -> None:
    assert gl4(tmp_path, GOOD_ROLLBACK + GOOD_FLOW) == set()


def test_missing_history_and_undo_are_separate_findings(tmp_path) -> None:
    found = messages(tmp_path, "rollback_commands:\n  - kubectl -n ml get pods\n" + GOOD_FLOW)
    assert len(found) == 2
    assert any("rollout history" in m for m in found) and any("rollout undo" in m for m in found)


def test_echo_is_named_in_the_message(tmp_path) -> None:
    text = GOOD_ROLLBACK.replace("- kubectl -n ml rollout undo", "- echo kubectl -n ml rollout undo") + GOOD_FLOW
    assert gl4(tmp_path, text) == {("GL401", 1)}
    assert "only prints" in messages(tmp_path, text)[0]


def test_alias_is_named_in_the_message(tmp_path) -> None:
    text = GOOD_ROLLBACK.replace("- kubectl -n ml rollout history", "- k -n ml rollout history") + GOOD_FLOW
    assert "`k` is not kubectl" in messages(tmp_path, text)[0]


def test_missing_key_points_at_the_plan(tmp_path) -> None:
    assert gl4(tmp_path, "# plan\n" + GOOD_FLOW) == {("GL401", 2)}
    assert gl4(tmp_path, "# plan\n" + GOOD_ROLLBACK) == {("GL411", 2)}


def test_plan_split_over_two_files(tmp_path) -> None:
    (tmp_path / "rollback.yaml").write_text(GOOD_ROLLBACK)
    (tmp_path / "promotion.yaml").write_text(GOOD_FLOW)
    assert [f for f in run([tmp_path]).findings if f.rule.startswith("GL4")] == []


@pytest.mark.parametrize("value", ["", "null", "[]", "{}", "42", "true", "[1, 2]", "[[], {}]", "''"])
def test_odd_values_are_findings_not_crashes(tmp_path, value) -> None:
    found = gl4(tmp_path, f"rollback_commands: {value}\n" + GOOD_FLOW)
    assert ("GL401", 1) in found


def test_block_string_is_read_and_warned(tmp_path) -> None:
    text = textwrap.dedent("""\
    rollback_commands: |
      kubectl -n ml rollout history deployment/gpu-inference   # which revision?
      kubectl -n ml rollout undo \\
        deployment/gpu-inference
    """) + GOOD_FLOW
    assert gl4(tmp_path, text) == {("GL403", 1)}


def test_mapping_is_read_and_warned(tmp_path) -> None:
    text = textwrap.dedent("""\
    rollback_commands:
      inspect: kubectl -n ml rollout history deployment/gpu-inference
      undo: [kubectl -n ml rollout undo deployment/gpu-inference]
    """) + GOOD_FLOW
    assert gl4(tmp_path, text) == {("GL403", 1)}


def test_unclosed_quote_does_not_count(tmp_path) -> None:
    text = GOOD_ROLLBACK.replace("undo deployment/gpu-inference", "undo 'deployment/gpu-inference") + GOOD_FLOW
    assert gl4(tmp_path, text) == {("GL401", 1)}


def test_undo_in_another_namespace_is_a_warning_on_the_undo(tmp_path) -> None:
    text = GOOD_ROLLBACK.replace("-n ml rollout undo", "rollout undo") + GOOD_FLOW
    assert gl4(tmp_path, text) == {("GL402", 3)}


def test_undo_names_a_deployment_the_manifests_lack(tmp_path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deployment.yaml").write_text((REF / "k8s" / "deployment.yaml").read_text())
    text = GOOD_ROLLBACK.replace("gpu-inference", "gpu-server") + GOOD_FLOW
    (tmp_path / "rollout.yaml").write_text(text)
    found = {(f.rule, f.path, f.line) for f in run([tmp_path]).findings if f.rule.startswith("GL4")}
    assert found == {("GL402", "rollout.yaml", 3)}


def test_aliases_in_the_list(tmp_path) -> None:
    text = textwrap.dedent("""\
    x-history: &history kubectl -n ml rollout history deployment/gpu-inference
    rollback_commands: [*history, *history]
    """) + GOOD_FLOW
    assert gl4(tmp_path, text) == {("GL401", 2)}


# ------------------------------------------------------------------ GL411 / GL412

def test_two_stages_are_too_few(tmp_path) -> None:
    flow = "\n".join(line for line in GOOD_FLOW.splitlines() if "staging" not in line) + "\n"
    assert gl4(tmp_path, GOOD_ROLLBACK + flow) == {("GL411", 4)}


def test_out_of_order_stage_is_pointed_at(tmp_path) -> None:
    lines = GOOD_FLOW.splitlines()
    flow = "\n".join([lines[0], lines[3], lines[1], lines[2]]) + "\n"
    found = gl4(tmp_path, GOOD_ROLLBACK + flow)
    assert found == {("GL411", 5)}  # prod first is the one stage out of order
    lines = [lines[0], lines[1], lines[3], lines[2]]
    assert gl4(tmp_path, GOOD_ROLLBACK + "\n".join(lines) + "\n") == {("GL411", 7)}  # staging after prod


def test_missing_and_empty_fields(tmp_path) -> None:
    text = GOOD_ROLLBACK + """\
image_promotion_flow:
  - stage: dev
    env: gpu-dev
    tag_pattern: ~
    gate: GPU smoke test
  - stage: staging
    environment: gpu-staging
    tag_pattern: "v*-rc*"
    gate: []
  - stage: prod
    env: "  "
    tag_pattern: "v*"
    gate: false
"""
    assert gl4(tmp_path, text) == {("GL411", 7), ("GL411", 9), ("GL411", 12), ("GL411", 14), ("GL411", 16)}
    assert any("`environment` is not `env`" in m for m in messages(tmp_path, text))


def test_mapping_form_and_stages_key(tmp_path) -> None:
    text = GOOD_ROLLBACK + """\
image_promotion_flow:
  stages:
    development: {env: gpu-dev, tag_pattern: "sha-*", gate: CI}
    preprod: {env: gpu-pre, tag_pattern: "rc-*", gate: soak}
    production: {env: gpu-prod, tag_pattern: "v*", gate: approval}
"""
    assert gl4(tmp_path, text) == set()


def test_stage_named_by_env_and_merge_keys(tmp_path) -> None:
    text = GOOD_ROLLBACK + """\
base: &base {gate: previous stage healthy for 1h, tag_pattern: "v*"}
image_promotion_flow:
  - {<<: *base, env: dev}
  - {<<: *base, env: staging}
  - {<<: *base, env: prod}
"""
    assert gl4(tmp_path, text) == set()


@pytest.mark.parametrize("value", ["", "null", "[]", "42", "[dev, staging, prod]", "[1, 2, 3]", "{dev: 1}",
                                   "dev -> staging -> prod"])
def test_odd_flows_are_findings_not_crashes(tmp_path, value) -> None:
    found = gl4(tmp_path, GOOD_ROLLBACK + f"image_promotion_flow: {value}\n")
    assert found and all(rule == "GL411" for rule, _ in found)


@pytest.mark.parametrize("tag, mutable", [
    ("latest", True), ("^latest$", True), ("stable", True), ("*", True), (".*", True),
    ("ghcr.io/acme/app:latest", True), ("localhost:5000/app:main", True),
    ("^v[0-9]+\\.[0-9]+\\.[0-9]+$", False), ("v*.*.*", False), ("sha-<commit>", False),
    ("ghcr.io/acme/app@sha256:<digest>", False), ("latest-rc", False),
])
def test_mutable_tags(tag, mutable) -> None:
    from gpulint.rules.rollout.gl412_mutable_prod_tag import mutable as is_mutable

    assert is_mutable(tag) is mutable


def test_prod_latest_is_a_warning_at_the_tag(tmp_path) -> None:
    text = GOOD_ROLLBACK + GOOD_FLOW.replace('tag_pattern: "^v[0-9.]+$"', "tag_pattern: latest")
    assert gl4(tmp_path, text) == {("GL412", 7)}


# ------------------------------------------------------------------ documentation

@pytest.mark.parametrize("rule_id", [r for r in load_rules() if r.startswith("GL4")])
def test_docs_have_the_fixed_headings(rule_id) -> None:
    doc = load_rules()[rule_id].documentation()
    assert re.findall(r"^## (.+)$", doc, re.M) == list(DOC_HEADINGS)


# ------------------------------------------------------------------ whose Deployment the undo rolls back

_MANIFEST = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gpu-inference, namespace: ml}\n"
             "spec:\n  selector: {matchLabels: {app: g}}\n  template:\n    metadata: {labels: {app: g}}\n"
             "    spec: {containers: [{name: c, image: 'c:1'}]}\n")


def _undo_findings(tmp_path: Path, commands: list[str], profile: str | None = None) -> set[tuple[str, str, int]]:
    (tmp_path / "k8s.yaml").write_text(_MANIFEST)
    (tmp_path / "rollout.yaml").write_text("rollback_commands:\n" + "".join(f"  - {c}\n" for c in commands)
                                           + GOOD_FLOW)
    if profile:
        (tmp_path / ".gpulint.yaml").write_text(f"profile: {profile}\n")
    return {(f.rule, f.severity.value, f.line) for f in run([tmp_path]).findings
            if f.rule in ("GL401", "GL402", "GL523")}


@pytest.mark.parametrize("profile, severity", [(None, "error"), ("lab", "error"), ("production", "warning")])
def test_undo_of_another_deployment(tmp_path, profile, severity):
    commands = ["kubectl -n ml rollout history deployment/gpu-inference-old",
                "kubectl -n ml rollout undo deployment/gpu-inference-old"]
    found = _undo_findings(tmp_path, commands, profile)
    assert ("GL402", severity, 3) in found


@pytest.mark.parametrize("profile, expected", [(None, ("GL523", "error", 3)), ("production", ("GL402", "warning", 3))])
def test_undo_in_another_namespace(tmp_path, profile, expected):
    commands = ["kubectl -n ml rollout history deployment/gpu-inference",
                "kubectl -n ml-staging rollout undo deployment/gpu-inference"]
    found = _undo_findings(tmp_path, commands, profile)
    assert expected in found and all(s == "warning" for _, s, _ in found) == (profile == "production")


def test_one_undo_of_your_deployment_is_enough(tmp_path):
    commands = ["kubectl -n ml rollout history deployment/gpu-inference",
                "kubectl -n ml rollout undo deployment/gpu-inference",
                "kubectl -n ml rollout undo deployment/gpu-inference-canary"]
    assert _undo_findings(tmp_path, commands) == {("GL402", "warning", 4)}


@pytest.mark.parametrize("undo, hint", [
    ("kubectl -n ml rollout undo deployment/gpu-inference --dry-run=client", "only previews"),
    ("kubectl -n ml rollout undo deployment/gpu-inference --dry-run", "only previews"),
    ("true || kubectl -n ml rollout undo deployment/gpu-inference", "never runs"),
    ("'exit 0; kubectl -n ml rollout undo deployment/gpu-inference'", "ends the shell"),
])
def test_undo_that_never_rolls_back(tmp_path, undo, hint):
    text = f"rollback_commands:\n  - kubectl -n ml rollout history deployment/gpu-inference\n  - {undo}\n" + GOOD_FLOW
    (found,) = [m for m in messages(tmp_path, text) if m.startswith("GL401")]
    assert "no runnable `kubectl rollout undo`" in found and hint in found
