"""GL306: a GPU asked for only in ``requests`` gets an equal limit; a request that differs from
its limit is set to the limit.

GPUs are an extended resource: the API server rejects a request without a limit, and a limit
alone also sets the request. Adding a limit equal to the request (its text copied as written)
keeps what the author asked for and is safe; changing a request to match the limit picks
one of two numbers the author wrote, so it is unsafe.
"""

from __future__ import annotations

from gpulint.artifacts.kubernetes.model import Manifests
from gpulint.artifacts.kubernetes.workloads import GpuAsk
from gpulint.core.fix import Fix
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.yamledit import Raw, layout_of, replace_scalar, set_value


def _text(manifests: Manifests, node: Y.Node) -> Raw:
    return Raw(manifests.source.text[node.start_mark.index:node.end_mark.index])


def add_limit(manifests: Manifests, container: Y.Node, request: GpuAsk) -> Fix | None:
    if not Y.is_scalar(request.value) or Y.is_null(request.value):
        return None
    resources = Y.get(container, "resources")
    if not Y.is_map(resources):
        return None
    layout = layout_of(manifests.source, manifests.yaml.documents, container)
    count = _text(manifests, request.value)
    limits = Y.get(resources, "limits")
    if Y.is_map(limits):
        edit = set_value(manifests.source, limits, request.resource, count, layout)
    else:
        edit = set_value(manifests.source, resources, "limits", {request.resource: count}, layout)
    if edit is None:
        return None
    return Fix.safe(f"add the limit {request.resource}: {count} (equal to the request)", edit)


def request_to_limit(manifests: Manifests, request: Y.Node, limit: Y.Node, resource: str) -> Fix | None:
    if not Y.is_scalar(request) or not Y.is_scalar(limit):
        return None
    count = _text(manifests, limit)
    edit = replace_scalar(manifests.source, request, count)
    return Fix.unsafe(f"set the {resource} request to the limit {count}", edit) if edit else None


def fix_gpu_ask(manifests: Manifests, container: Y.Node, resource: str, limit: Y.Node | None,
                request: GpuAsk | None, reported_at: int) -> Fix | None:
    """The fix for a finding about one GPU resource of a container (reported at ``reported_at``)."""
    if request is None:
        return None
    if limit is None:
        return add_limit(manifests, container, request)
    if reported_at == request.value.start_mark.index:
        return request_to_limit(manifests, request.value, limit, resource)
    return None
