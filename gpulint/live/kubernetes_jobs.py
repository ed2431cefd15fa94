"""The Kubernetes objects of a live run, as the official client's models (``kubernetes.client``).

Per condition, two Jobs: the project's smoke test (the HEALTHCHECK's command, or ``--smoke``) and
gpulint's reference smoke test (mounted from a ConfigMap at /.gpulint, never taken from the image's
author). The positive run asks for the GPU resource (``nvidia.com/gpu: 1`` by default); the
negative runs ask for none, one of them with ``NVIDIA_VISIBLE_DEVICES=void`` (a default nvidia
runtime would otherwise hand the GPUs to an NVIDIA image anyway), and one asks for the GPU but sets
``CUDA_VISIBLE_DEVICES=''``. Every pod runs non-root with no service-account token, all
capabilities dropped, no privilege escalation, memory and CPU limits and a deadline; everything
carries the run's label. Imported only on the Kubernetes path.
"""

from __future__ import annotations

import re
from typing import Any

from gpulint.core.records import Record
from gpulint.live.docker_cleanup import LABEL
from gpulint.live.model import (
    SMOKE_NEGATIVE,
    SMOKE_NEGATIVE_HIDDEN,
    SMOKE_NEGATIVE_VOID,
    SMOKE_POSITIVE,
    reference_step,
)
from gpulint.live.options import LiveOptions
from gpulint.live.reference import FOLDER, RUNNER, payload
from gpulint.live.target import Target, TargetError

ROLE = "io.gpulint.role"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
MANAGED_BY = {"app.kubernetes.io/managed-by": "gpulint"}
CONDITIONS = ((SMOKE_POSITIVE, True, {}), (SMOKE_NEGATIVE, False, {}),
              (SMOKE_NEGATIVE_VOID, False, {"NVIDIA_VISIBLE_DEVICES": "void"}),
              (SMOKE_NEGATIVE_HIDDEN, True, {"CUDA_VISIBLE_DEVICES": ""}))
WHERE = {SMOKE_POSITIVE: "with {gpu} requested", SMOKE_NEGATIVE: "with no GPU resource",
         SMOKE_NEGATIVE_VOID: "with no GPU resource and NVIDIA_VISIBLE_DEVICES=void",
         SMOKE_NEGATIVE_HIDDEN: "with {gpu} requested and CUDA_VISIBLE_DEVICES=''"}


class PlannedJob(Record):
    step: str  # the report's step name
    condition: str  # the project's step it pairs with
    gpu: bool
    env: dict[str, str]
    reference: bool
    job: Any  # V1Job


def project_command(target: Target, options: LiveOptions) -> list[str]:
    if options.smoke:
        return ["/bin/sh", "-c", options.smoke]
    argv = target.healthcheck_argv()
    if argv is None:
        raise TargetError("no smoke test to run: the Dockerfile has no HEALTHCHECK command; pass --smoke CMD")
    return argv


def job_name(run_id: str, step: str) -> str:
    return f"gpulint-{run_id}-{re.sub(r'[^a-z0-9-]+', '-', step.lower())}"[:63].rstrip("-")


def _tolerations(k8s: Any, specs: list[str]) -> list[Any]:
    """KEY[=VALUE][:EFFECT] -> V1Toleration (Exists without a value, Equal with one)."""
    found = []
    for spec in specs:
        rest, _, effect = spec.partition(":")
        key, equals, value = rest.partition("=")
        found.append(k8s.V1Toleration(key=key or None, operator="Equal" if equals else "Exists",
                                      value=value if equals else None, effect=effect or None))
    return found


def _node_selector(specs: list[str]) -> dict[str, str] | None:
    selector = {}
    for spec in specs:
        key, equals, value = spec.partition("=")
        if not equals or not key:
            raise TargetError(f"--node-selector takes KEY=VALUE, not {spec!r}")
        selector[key] = value
    return selector or None


def config_map(k8s: Any, run_id: str) -> Any:
    return k8s.V1ConfigMap(
        api_version="v1", kind="ConfigMap",
        metadata=k8s.V1ObjectMeta(name=f"gpulint-{run_id}-reference", labels={LABEL: run_id, **MANAGED_BY}),
        data={name: content.decode("utf-8") for name, content in payload().items()})


def plan_jobs(target: Target, options: LiveOptions, run_id: str) -> tuple[Any, list[PlannedJob]]:
    """(the reference's ConfigMap, the Jobs), built with the client's models."""
    from kubernetes import client as k8s

    command = project_command(target, options)
    quantities = {"memory": _memory(options.memory), "cpu": f"{options.cpus:g}"}
    planned = []
    for condition, gpu, env in CONDITIONS:
        for reference in (False, True):
            step = reference_step(condition) if reference else condition
            limits = dict(quantities)
            if gpu:
                limits[options.gpu_resource] = str(options.gpu_count)
            labels = {LABEL: run_id, ROLE: step, **MANAGED_BY}
            container = k8s.V1Container(
                name="smoke", image=options.image,
                command=["python3", RUNNER] if reference else command,
                env=[k8s.V1EnvVar(name=k, value=v) for k, v in env.items()] or None,
                resources=k8s.V1ResourceRequirements(limits=limits, requests=dict(quantities)),
                security_context=k8s.V1SecurityContext(
                    allow_privilege_escalation=False, capabilities=k8s.V1Capabilities(drop=["ALL"]),
                    run_as_non_root=True, run_as_user=options.run_as_user),
                volume_mounts=[k8s.V1VolumeMount(name="gpulint-reference", mount_path=FOLDER, read_only=True)]
                if reference else None)
            pod = k8s.V1PodSpec(
                restart_policy="Never", automount_service_account_token=False, enable_service_links=False,
                containers=[container], runtime_class_name=options.runtime_class,
                node_selector=_node_selector(options.node_selector),
                tolerations=_tolerations(k8s, options.tolerations) or None,
                security_context=k8s.V1PodSecurityContext(
                    run_as_non_root=True, run_as_user=options.run_as_user,
                    seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault")),
                volumes=[k8s.V1Volume(name="gpulint-reference", config_map=k8s.V1ConfigMapVolumeSource(
                    name=f"gpulint-{run_id}-reference", default_mode=0o644))] if reference else None)
            job_labels = {**labels, QUEUE_LABEL: options.queue} if options.queue else labels
            job = k8s.V1Job(
                api_version="batch/v1", kind="Job",
                metadata=k8s.V1ObjectMeta(name=job_name(run_id, step), labels=job_labels),
                spec=k8s.V1JobSpec(
                    backoff_limit=0, active_deadline_seconds=int(options.job_deadline),
                    ttl_seconds_after_finished=3600, suspend=True if options.queue else None,
                    template=k8s.V1PodTemplateSpec(metadata=k8s.V1ObjectMeta(labels=labels), spec=pod)))
            planned.append(PlannedJob(step, condition, gpu, env, reference, job))
    return config_map(k8s, run_id), planned


def _memory(text: str) -> str:
    """Docker's 8g -> Kubernetes' 8Gi (a Kubernetes quantity passes through)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kmgtKMGT])?[bB]?", text.strip())
    if not match:
        return text
    number, unit = match.groups()
    return number + ({"k": "Ki", "m": "Mi", "g": "Gi", "t": "Ti"}[unit.lower()] if unit else "")


def dry_run_documents(target: Target, options: LiveOptions, run_id: str) -> list[dict]:
    from kubernetes.client import ApiClient

    cm, planned = plan_jobs(target, options, run_id)
    api = ApiClient()
    return [api.sanitize_for_serialization(cm)] + [api.sanitize_for_serialization(p.job) for p in planned]
