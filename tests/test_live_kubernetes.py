"""``--engine kubernetes``: the Jobs it creates, checked against the Kubernetes API schema of the
official client (deserialized into ``V1Job`` with its ApiClient and serialized back unchanged, so a
misspelt or misplaced field cannot hide) and against gpulint's own field snapshot; the run against
a cluster given by KUBECONFIG, skipped with the reason when there is none.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil

import pytest
import yaml
from conftest import REPO
from test_live_host import assert_contract

kubernetes = pytest.importorskip("kubernetes", reason="needs the official kubernetes client (pip install kubernetes)")

IMAGE = "registry.example.edu/gpu-lab/alice:3f2a1c"
FLAGS = ["--engine", "kubernetes", "--image", IMAGE, "--queue", "gpu-lab", "--toleration", "nvidia.com/gpu:NoSchedule",
         "--toleration", "pool=gpu:NoExecute", "--node-selector", "nvidia.com/gpu.present=true",
         "--runtime-class", "nvidia", "--memory", "6g", "--cpus", "3", "--job-deadline", "1200"]


class _Response:  # what ApiClient.deserialize reads from an HTTP response
    def __init__(self, document: dict):
        self.data = json.dumps(document)


def to_model(api, document: dict, type_name: str):
    """The client's own deserializer: newer releases take the response's text and content type, older
    ones a response object."""
    if "content_type" in inspect.signature(api.deserialize).parameters:
        return api.deserialize(json.dumps(document), type_name, "application/json")
    return api.deserialize(_Response(document), type_name)


def dry_run(cli, *extra: str) -> list[dict]:
    result = cli("live", "reference", *FLAGS, "--dry-run", *extra)
    assert result.returncode == 0, result.stderr
    return list(yaml.safe_load_all(result.stdout))


def test_dry_run_jobs_validate_against_the_client_schema(cli):
    from kubernetes.client import ApiClient

    from gpulint.live.reference import payload

    documents = dry_run(cli)
    api = ApiClient()
    config_map, jobs = documents[0], documents[1:]
    assert config_map["kind"] == "ConfigMap"
    model = to_model(api, config_map, "V1ConfigMap")
    assert api.sanitize_for_serialization(model) == config_map
    assert config_map["data"] == {name: content.decode() for name, content in payload().items()}
    roles = []
    for document in jobs:
        job = to_model(api, document, "V1Job")
        assert api.sanitize_for_serialization(job) == document  # nothing unknown to the API was dropped
        assert job.api_version == "batch/v1" and job.kind == "Job"
        labels = job.metadata.labels
        run_id, role = labels["io.gpulint.run"], labels["io.gpulint.role"]
        roles.append(role)
        assert labels["kueue.x-k8s.io/queue-name"] == "gpu-lab" and job.spec.suspend is True
        assert job.metadata.name.startswith(f"gpulint-{run_id}-") and len(job.metadata.name) <= 63
        assert job.spec.backoff_limit == 0 and job.spec.active_deadline_seconds == 1200
        pod = job.spec.template.spec
        assert job.spec.template.metadata.labels["io.gpulint.run"] == run_id
        assert pod.restart_policy == "Never" and pod.automount_service_account_token is False
        assert pod.security_context.run_as_non_root is True
        assert pod.security_context.seccomp_profile.type == "RuntimeDefault"
        assert pod.runtime_class_name == "nvidia" and pod.node_selector == {"nvidia.com/gpu.present": "true"}
        assert [(t.key, t.operator, t.value, t.effect) for t in pod.tolerations] == [
            ("nvidia.com/gpu", "Exists", None, "NoSchedule"), ("pool", "Equal", "gpu", "NoExecute")]
        (container,) = pod.containers
        assert container.image == IMAGE
        security = container.security_context
        assert security.allow_privilege_escalation is False and security.capabilities.drop == ["ALL"]
        assert security.run_as_non_root is True
        limits = container.resources.limits
        assert limits["memory"] == "6Gi" and limits["cpu"] == "3"
        wants_gpu = role.endswith(("positive", "cuda-hidden"))
        assert (limits.get("nvidia.com/gpu") == "1") is wants_gpu
        env = {e.name: e.value for e in container.env or []}
        if role.endswith("nvidia-void"):
            assert env == {"NVIDIA_VISIBLE_DEVICES": "void"}
        elif role.endswith("cuda-hidden"):
            assert env == {"CUDA_VISIBLE_DEVICES": ""}
        else:
            assert env == {}
        if role.startswith("reference."):
            assert container.command == ["python3", "/.gpulint/run_reference.py"]
            (mount,) = container.volume_mounts
            assert mount.mount_path == "/.gpulint" and mount.read_only is True
            (volume,) = pod.volumes
            assert volume.config_map.name == config_map["metadata"]["name"]
        else:
            assert container.command == ["python3", "/app/smoke_test.py"]  # the reference HEALTHCHECK's command
            assert not container.volume_mounts and not pod.volumes
    misspelt = json.loads(json.dumps(jobs[0]))
    misspelt["spec"]["activeDeadlineSecond"] = 60  # a field the API does not have is dropped, so it shows
    assert api.sanitize_for_serialization(to_model(api, misspelt, "V1Job")) != misspelt
    assert roles == ["smoke.positive", "reference.positive", "smoke.negative", "reference.negative",
                     "smoke.negative.nvidia-void", "reference.negative.nvidia-void", "smoke.negative.cuda-hidden",
                     "reference.negative.cuda-hidden"]


def test_dry_run_jobs_pass_gpulints_own_kubernetes_schema(cli):
    from gpulint.artifacts.kubernetes.schema import check_node, type_for_kind

    result = cli("live", "reference", *FLAGS, "--dry-run", "--gpu-resource", "amd.com/gpu", "--run-as-user", "10001")
    assert result.returncode == 0, result.stderr
    nodes = list(yaml.compose_all(result.stdout, Loader=yaml.SafeLoader))
    asked: dict[str, dict] = {}
    for node, document in zip(nodes, yaml.safe_load_all(result.stdout), strict=True):
        if document["kind"] == "Job":  # the snapshot holds the workload kinds
            assert check_node(node, type_for_kind(document["apiVersion"], document["kind"])) == []
            pod = document["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsUser"] == 10001
            asked[document["metadata"]["labels"]["io.gpulint.role"]] = pod["containers"][0]["resources"]["limits"]
    assert len(asked) == 8, sorted(asked)
    for role, limits in asked.items():
        assert "nvidia.com/gpu" not in limits
        # the GPU runs and the device-hidden negative ask for the named resource; the GPU-less ones for none
        assert limits.get("amd.com/gpu") == ("1" if role.endswith(("positive", "cuda-hidden")) else None), role


def test_kubernetes_usage_errors(cli):
    assert "--image" in cli("live", "reference", "--engine", "kubernetes", "--dry-run").stderr
    assert cli("live", "reference", "--dry-run").returncode == 2
    result = cli("live", "reference", *FLAGS, "--dry-run", "--smoke", "nvidia-smi -L")
    job = list(yaml.safe_load_all(result.stdout))[1]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["/bin/sh", "-c", "nvidia-smi -L"]


def test_no_cluster_is_a_failed_preflight(cli, tmp_path):
    env = {"KUBECONFIG": str(tmp_path / "missing-kubeconfig")}
    result = cli("live", "reference", "--engine", "kubernetes", "--image", IMAGE, "--format", "json", env=env)
    data = result.json()
    assert_contract(data)
    steps = {s["name"]: s for s in data["steps"]}
    assert steps["preflight"]["status"] == "failed" and "cannot reach a Kubernetes cluster" in \
        steps["preflight"]["detail"]
    assert steps["cleanup"]["detail"] == "nothing was made"
    assert result.returncode == 1


def test_batch_on_kubernetes_needs_an_image_template_and_writes_reports(cli, tmp_path):
    submissions = tmp_path / "subs"
    for name in ("alice", "bob"):
        shutil.copytree(REPO / "reference", submissions / name)
    out = tmp_path / "grades"
    result = cli("grade", submissions, "--batch", "--live", "--engine", "kubernetes", "--image", IMAGE, "-o", out)
    assert result.returncode == 2 and "{submission}" in result.stderr
    assert cli("grade", submissions, "--batch", "--live", "-o", out).returncode == 2
    env = {"KUBECONFIG": str(tmp_path / "missing-kubeconfig")}
    result = cli("grade", submissions, "--batch", "--live", "--engine", "kubernetes", "--parallel", "2",
                 "--image", "registry.example.edu/gpu-lab/{submission}:latest", "-o", out, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in ("alice", "bob"):
        report = json.loads((out / "live" / f"{name}.json").read_text())
        assert report["submission"] == name and report["target"]["image"].endswith(f"/{name}:latest")
    assert (out / "gradebook.csv").is_file()


def _cluster() -> str | None:
    """Why there is no cluster to test against, or None when KUBECONFIG's cluster answers."""
    if not os.environ.get("KUBECONFIG"):
        return "KUBECONFIG is not set"
    from kubernetes import client, config

    try:
        config.load_kube_config()
        client.VersionApi().get_code(_request_timeout=10)
    except Exception as error:  # noqa: BLE001 - any failure to reach it is the reason to skip
        return f"the cluster in KUBECONFIG does not answer: {str(error).splitlines()[0][:160]}"
    return None


NO_CLUSTER = _cluster()


@pytest.mark.skipif(NO_CLUSTER is not None, reason=f"needs a Kubernetes cluster: {NO_CLUSTER}")
def test_against_the_cluster_in_kubeconfig(cli):
    from kubernetes import client, config
    from kubernetes.client import ApiClient

    config.load_kube_config()
    namespace = os.environ.get("GPULINT_K8S_NAMESPACE", "default")
    image = os.environ.get("GPULINT_K8S_TEST_IMAGE", "python:3.12-slim")
    flags = ["--engine", "kubernetes", "--image", image, "--namespace", namespace, "--job-deadline", "600",
             "--run-as-user", "65534", "--memory", "512m", "--cpus", "1"]
    documents = dry_run(cli, *flags[4:])
    api, batch = ApiClient(), client.BatchV1Api()
    for document in documents[1:]:  # the API server itself validates every Job
        document["spec"]["template"]["spec"]["containers"][0]["image"] = image
        batch.create_namespaced_job(namespace, to_model(api, document, "V1Job"), dry_run="All")
    result = cli("live", "reference", *flags, "--format", "json", timeout=900)
    data = result.json()
    assert_contract(data)
    steps = {s["name"]: s for s in data["steps"]}
    assert steps["preflight"]["status"] == "passed" and steps["cleanup"]["status"] == "passed"
    assert steps["smoke.negative"]["status"] in ("passed", "failed", "inconclusive")
    left = batch.list_namespaced_job(namespace, label_selector=f"io.gpulint.run={data['run_id']}").items
    assert left == [] or all(job.metadata.deletion_timestamp for job in left)
