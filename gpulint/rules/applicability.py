"""Which artifacts a rule applies to, decided once for every rule that declares it.

A rule declares ``applies_to`` (see ``Rule``); with the production profile the engine passes each
report through ``applicable`` before it becomes a finding:

* ``gpu-workload``: the report must be about a GPU workload (``artifacts.kubernetes.gpu_workload``):
  a report inside a CPU-only workload or a GPU infrastructure daemon (a device plugin,
  dcgm-exporter) is dropped, and so is one inside a fragment (a kustomize patch whose containers
  have no image: what it leaves out comes from its base); one inside a workload whose GPU use
  cannot be told becomes info and says why.
* ``gpu-serving-image``: the report must be about a GPU serving image
  (``artifacts.dockerfile.role``): about any other image (a build, tool, test, base, CI or
  development image, a GPU daemon, a CPU image) it becomes info, naming what the image is; when
  the role cannot be told it becomes info and says so. An image that leaves its process to whoever
  runs it (no ENTRYPOINT or CMD, a shell) is a GPU serving image when a Compose service of the
  project builds it, reserves GPUs and publishes ports (``project.compose``).

* Kubernetes objects read back from a cluster (``metadata.uid``, ``resourceVersion``,
  ``managedFields``: a ``kubectl get -o yaml`` dump kept for reference) are no manifest anyone
  applies: every report inside one becomes info.

The lab profile judges what the lab asks for (the submission's Dockerfile and its one
Deployment) whatever they are, so nothing is filtered there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gpulint.core.findings import Severity
from gpulint.core.tri import UNKNOWN
from gpulint.project.config import profile_of
from typing import TYPE_CHECKING

from gpulint.rules.base import Report, Rule

if TYPE_CHECKING:  # the models of a kind load with the files of that kind
    from gpulint.artifacts.kubernetes.gpu_workload import WorkloadRole

GPU_WORKLOAD = "gpu-workload"
GPU_SERVING_IMAGE = "gpu-serving-image"
KINDS = (GPU_WORKLOAD, GPU_SERVING_IMAGE)


def applicable(rule: Rule, artifact: Any, project: Any) -> Iterator[Report]:
    """The rule's reports on one artifact, each kept, dropped or made info by what the artifact is."""
    reports = rule.check(artifact, project)
    production = profile_of(project) == "production"
    if production and rule.kind == "workflow" and not artifact.in_workflows_folder:
        for report in reports:  # a workflow GitHub never runs: nothing it says happens
            if report.severity is not Severity.INFO:
                yield _advice(report, "advice only: GitHub Actions runs only the workflows in "
                                      ".github/workflows/, and this file is not there")
            else:
                yield report
        return
    if production and rule.kind == "kubernetes" and any(obj.captured for obj in artifact.objects):
        reports = _captured_gate(reports, artifact)
    kind = getattr(rule, "applies_to", None)
    if kind is None or not production:
        yield from reports
        return
    if kind == GPU_SERVING_IMAGE:
        gate = _image_gate
    elif kind == GPU_WORKLOAD:
        gate = _workload_gate
    else:  # pragma: no cover - a typo in a rule class, caught by the rule-docs test
        raise ValueError(f"{rule.id}: unknown applies_to {kind!r}; use one of {KINDS}")
    for report in reports:
        kept = gate(report, artifact, project)
        if kept is not None:
            yield kept


def _captured_gate(reports, manifests: Any) -> Iterator[Report]:
    """Reports inside a copy of live cluster state (``K8sObject.captured``) are advice: nobody
    applies, reruns or rolls back that file."""
    spans = [(o.node.start_mark.index, o.node.end_mark.index) for o in manifests.objects if o.captured]
    for report in reports:
        if report.severity is not Severity.INFO and any(s <= report.span.start < e for s, e in spans):
            yield _advice(report, "advice only: a copy of an object read back from a cluster (it has a uid and "
                                  "resourceVersion), not a manifest the project applies")
        else:
            yield report


def _advice(report: Report, note: str) -> Report:
    report.severity = Severity.INFO
    report.message = f"{report.message} ({note})"
    return report


# --------------------------------------------------------------------------- Dockerfiles

def _image_gate(report: Report, dockerfile: Any, project: Any) -> Report | None:
    from gpulint.artifacts.dockerfile.role import image_role, shipped_images, stage_at

    images = shipped_images(dockerfile)  # the final stage: the one the Dockerfile rules judge
    if not images:
        return report
    stage = stage_at(dockerfile, report.span.start) if report.span.source is dockerfile.source else None
    concerned = [s for s in images if stage is not None and stage in s.ancestry()] or images
    roles = [image_role(dockerfile, s) for s in concerned]
    if any(r.judged is True for r in roles):
        return report
    role = roles[0]
    service = _compose_gpu_service(dockerfile, project, role)
    if service is not None:
        report.message = (f"{report.message} (Compose runs the image as a GPU service: {service.path}, service "
                          f"'{service.name}')")
        return report
    if role.judged is UNKNOWN:
        unknown = "whether it uses a GPU" if role.gpu is UNKNOWN else "whether it runs a server"
        detail = role.gpu_reason if role.gpu is UNKNOWN else role.reason
        return _advice(report, f"cannot tell {unknown} ({detail}): advice only, not judged as a GPU serving image")
    if role.gpu is False and role.serving is True:
        return _advice(report, f"advice only: {role.describe()}; {role.gpu_reason}")
    return _advice(report, f"advice only: {role.describe()}, not a GPU serving image")


def _compose_gpu_service(dockerfile: Any, project: Any, role: Any) -> Any:
    """A Compose service that builds the image, reserves GPUs and publishes ports, when the image
    leaves its process to whoever runs it (no ENTRYPOINT or CMD, a shell, or a process gpulint does
    not know): how the project runs it says it is a GPU service."""
    from gpulint.artifacts.dockerfile.role import BASE, SHELL, UNKNOWN_PROCESS
    from gpulint.project.compose import ComposeFacts

    if role.kind not in (BASE, SHELL, UNKNOWN_PROCESS):
        return None  # the image says what it runs (a test, a build, a daemon...): Compose does not change that
    for service in project.facts(ComposeFacts).services(dockerfile.source):
        named = service.target is None or (service.target or "").lower() == (role.stage.name or "")
        if named and service.gpu and service.ports and not _runs_no_server(service):
            return service
    return None


def _runs_no_server(service: Any) -> bool:
    """The service's own `command:` runs something that serves nothing (an interactive `bash`, a
    notebook, a training run): the ports are for what a user starts by hand."""
    from gpulint.artifacts.dockerfile.role import SERVER, UNKNOWN_PROCESS, classify

    return service.command is not None and classify(list(service.command))[0] not in (SERVER, UNKNOWN_PROCESS)


# --------------------------------------------------------------------------- Kubernetes

def _workload_gate(report: Report, manifests: Any, project: Any) -> Report | None:
    roles = _roles(manifests, project)
    where = report.span.start
    inside = [(start, end, label, role) for start, end, label, role in roles if start <= where < end]
    if not inside:
        return report
    start, end, label, role = min(inside, key=lambda item: item[1] - item[0])  # the innermost
    if role.judged is True:
        return report
    if role.judged is False:
        return None
    return _advice(report, f"cannot tell whether {label} is a GPU workload: {role.reason}")


def _roles(manifests: Any, project: Any) -> list[tuple[int, int, str, WorkloadRole]]:
    """(start, end, label, role) for every object and every pod template of the file; an object
    is judged when one of its templates is."""
    from gpulint.artifacts.kubernetes import workloads as W
    from gpulint.artifacts.kubernetes.gpu_workload import WorkloadRole, workload_role
    from gpulint.project.kustomize import is_partial

    cached = manifests.__dict__.get("_workload_roles")
    if cached is not None:
        return cached
    index = W.claim_index(project, manifests)
    found: list[tuple[int, int, str, WorkloadRole]] = []
    for obj in manifests.objects:
        templates = W.pod_templates(obj)
        if not templates:
            continue
        if is_partial(obj, project):
            found.append((obj.node.start_mark.index, obj.node.end_mark.index, f"{obj.kind} '{obj.name or '?'}'",
                          WorkloadRole(False, None, "a kustomize patch, not a whole object")))
            continue
        roles = []
        for template in templates:
            role = workload_role(template, index)
            roles.append(role)
            node = template.spec if template.spec is not None else template.anchor
            found.append((node.start_mark.index, node.end_mark.index, template.describe(), role))
        found.append((obj.node.start_mark.index, obj.node.end_mark.index, f"{obj.kind} '{obj.name or '?'}'",
                      _object_role(roles)))
    manifests.__dict__["_workload_roles"] = found
    return found


def _object_role(roles: list[WorkloadRole]) -> WorkloadRole:
    judged = [r for r in roles if r.judged is True]
    if judged:
        return judged[0]
    unknown = [r for r in roles if r.judged is UNKNOWN]
    if unknown:
        return unknown[0]
    return roles[0]
