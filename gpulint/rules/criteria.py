"""Which lab criterion a finding decides: a grading matter, so it lives with the rules, not in the
artifact models they read."""

from __future__ import annotations

from gpulint.artifacts.kubernetes.model import K8sObject
from gpulint.artifacts.kubernetes.workloads import PodTemplate

# Findings about a kind other than Deployment carry no lab criterion (the engine reads a report's
# ``criterion=None`` as "the rule's own", so rules pass this instead).
NO_CRITERION = ""


def criterion_for_path(path: tuple) -> str:
    """The deployment criterion a field belongs to, judged by where it sits."""
    parts = [str(p) for p in path]
    if any("probe" in p.lower() for p in parts):
        return "deployment.probes"
    if "resources" in parts:
        return "deployment.gpu"
    if "strategy" in parts:
        return "deployment.rolling"
    return "deployment.shape"


def field_criterion(obj: K8sObject, path: tuple) -> str | None:
    """The deployment criterion of a field; only a Deployment's fields bear on deployment.*."""
    return criterion_for_path(path) if obj.kind == "Deployment" else None


def criterion_of(template: PodTemplate) -> str | None:
    """A report's criterion override: the rule's own for a Deployment, none for other kinds."""
    return None if template.is_deployment else NO_CRITERION
