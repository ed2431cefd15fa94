"""Which pod templates of the project a Service sends traffic to.

A Service selects pods by labels (every pair of its ``spec.selector`` among the pod template's
``metadata.labels``, in the same namespace when both name one). The Services are read once per
project from its Kubernetes files.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from gpulint.syntax import yamlnode as Y

# Kinds whose pod template sits at spec.template.
_TEMPLATED = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout")


class ServiceFacts:
    """The project's Service selectors (``project.facts(ServiceFacts)``)."""

    def __init__(self, project: Any) -> None:
        self.project = project

    @cached_property
    def _selectors(self) -> list[tuple[str | None, dict[str, str]]]:
        found = []
        for manifests in self.project.of_kind("kubernetes"):
            for obj in getattr(manifests, "objects", []):
                if obj.kind != "Service" or obj.api_version not in ("v1", None):
                    continue
                selector = Y.get_path(obj.node, "spec", "selector")
                labels = {Y.key_text(k): Y.text(v) or "" for k, v in Y.pairs(selector) if Y.key_text(k)}
                if labels:
                    found.append((_namespace(obj), labels))
        return found

    def selected(self, obj: Any) -> bool | None:
        """Whether a Service of the project selects the object's pods; None when the object's pod
        labels cannot be read (a kind whose template is elsewhere)."""
        if obj.kind not in _TEMPLATED:
            return None
        labels_node = Y.get_path(obj.node, "spec", "template", "metadata", "labels")
        labels = {Y.key_text(k): Y.text(v) or "" for k, v in Y.pairs(labels_node) if Y.key_text(k)}
        namespace = _namespace(obj)
        return any(all(labels.get(k) == v for k, v in selector.items())
                   for service_namespace, selector in self._selectors
                   if service_namespace is None or namespace is None or service_namespace == namespace)


def _namespace(obj: Any) -> str | None:
    return Y.text(Y.get_path(obj.node, "metadata", "namespace"))
