from __future__ import annotations

from collections.abc import Iterator

from gpulint.findings import Severity
from gpulint.models import yamlnode as Y
from gpulint.models.k8s import (GPU_RESOURCE, K8sObject, Manifests, container_anchor, deployments, gpu_count,
                                gpu_limit, gpu_request, is_template_placeholder, key_node)
from gpulint.models.quantity import parse_quantity
from gpulint.rule import Report, Rule

_FIX = "set `resources: {limits: {nvidia.com/gpu: 1}}` on the GPU container (requests, if any, equal to it)"


class GpuLimit(Rule):
    """
    ## What it does
    Checks that a Deployment's container (not an init container) sets
    `resources.limits["nvidia.com/gpu"]` to a whole number of at least 1 (`1`, `"2"`), and that a
    GPU request, if given, equals the limit. Reports a GPU count of `0`, a fraction (`"0.5"`), a
    non-number, a GPU asked for only in `requests`, a request that differs from the limit, and a
    duplicated `nvidia.com/gpu` (or `limits`) key, which makes kubectl reject the file.

    ## Why is this bad?
    Without a GPU limit the scheduler may place the pod on any node and the device plugin gives it
    no GPU: CUDA is unavailable and the pod fails (or silently runs on CPU). GPUs are an extended
    resource: Kubernetes requires them in `limits`, and requests must equal limits; it once let
    zero limits through by mistake (kubernetes/kubernetes#50182, fixed in #50218). Linters rarely
    check the request/limit pairing (stackrox/kube-linter#947).

    ## Example
    ```yaml
    resources:
      requests:
        nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    resources:
      requests:
        nvidia.com/gpu: "1"
      limits:
        nvidia.com/gpu: "1"
    ```

    ## Fix
    Put `nvidia.com/gpu: 1` (or more, a whole number) under the GPU container's
    `resources.limits`; drop the request or make it equal to the limit.
    """

    id = "GL306"
    name = "gpu-limit"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "deployment.gpu"
    summary = "no container limits nvidia.com/gpu to a whole number >= 1 (or requests differ, or the key is duplicated)"
    fix = _FIX

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        for obj in deployments(manifests):
            good = False
            reports: list[Report] = []
            for container in obj.containers():
                found = list(self._container(manifests, container))
                reports.extend(found)
                good = good or (not found and gpu_limit(container) is not None)
            yield from reports
            if not good and not reports:
                yield self._missing(manifests, obj)

    def _container(self, manifests: Manifests, container: Y.Node) -> Iterator[Report]:
        source = manifests.source
        duplicated = _duplicates(manifests, container)
        for duplicate in duplicated:
            first = duplicate.first.start_mark.line + 1
            yield self.report(Y.span(source, duplicate.key),
                              f"'{duplicate.key.value}' is defined twice (first on line {first}); kubectl "
                              "rejects the file, so the GPU limit never reaches the cluster",
                              fix="keep one occurrence with the GPU count you mean")
        if duplicated:
            return
        limit, request = gpu_limit(container), gpu_request(container)
        if limit is None:
            if request is not None:
                yield self.report(Y.span(source, key_node(Y.get_path(container, "resources", "requests"),
                                                          GPU_RESOURCE)),
                                  f"{GPU_RESOURCE} is only in requests; GPUs are an extended resource and must "
                                  "be set in limits (requests, if given, must equal the limit)",
                                  fix="move it to resources.limits (or set an equal limit)")
            return
        if is_template_placeholder(limit) or is_template_placeholder(request):
            return  # a Helm value: known only once the chart is rendered
        count = gpu_count(limit)
        shown = Y.text(limit) if Y.is_scalar(limit) else "(not a number)"
        if count is None:
            what = f"limit {shown!r} is not a whole number of GPUs; a GPU cannot be split through limits" \
                if Y.is_scalar(limit) and not Y.is_null(limit) else "limit is not a number"
            yield self.report(Y.span(source, limit), f"{GPU_RESOURCE} {what}", fix="use a whole number such as 1")
            return
        if count < 1:
            yield self.report(Y.span(source, limit),
                              f"{GPU_RESOURCE} limit {shown} gives the container no GPU",
                              fix="set it to 1 (or the number of GPUs the model needs)")
            return
        if request is not None and _quantity(request) != count:
            wanted = Y.text(request) if Y.is_scalar(request) else "(not a number)"
            yield self.report(Y.span(source, request),
                              f"{GPU_RESOURCE} request {wanted} differs from the limit {shown}; the API server "
                              "requires extended-resource requests to equal limits",
                              fix=f"set the request to {count} or remove it")

    def _missing(self, manifests: Manifests, obj: K8sObject) -> Report:
        containers = obj.containers()
        if containers:
            first = containers[0]
            anchor = key_node(first, "resources") or container_anchor(first)
        else:
            spec = Y.get(obj.node, "spec")
            anchor = key_node(Y.get(spec, "template"), "spec") or key_node(spec, "template") \
                or key_node(obj.node, "spec") or key_node(obj.node, "kind") or obj.node
        return self.report(Y.span(manifests.source, anchor),
                           f"no container of Deployment '{obj.name or '?'}' limits {GPU_RESOURCE}"
                           f"{_near_misses(obj)}; the pod is scheduled without a GPU")


def _duplicates(manifests: Manifests, container: Y.Node) -> list:
    """Duplicate keys that decide the GPU limit: kubectl rejects them, PyYAML keeps the last."""
    resources = Y.get(container, "resources")
    watched = {id(container): {"resources"}, id(resources): {"limits", "requests"}}
    for section in ("limits", "requests"):
        node = Y.get(resources, section)
        if node is not None:
            watched[id(node)] = {GPU_RESOURCE}
    return [d for d in manifests.yaml.duplicates
            if d.key.value in watched.get(id(d.mapping), ())]


def _quantity(node: Y.Node):
    value = Y.scalar(node)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return parse_quantity(value)
    except ValueError:
        return None


def _near_misses(obj: K8sObject) -> str:
    """Point at what the author probably meant: an init container's GPU, or a misspelt resource name."""
    for container in Y.items(Y.get(obj.pod_spec(), "initContainers")):
        if gpu_limit(container) is not None:
            return " (an init container's GPU limit does not count: it exits before the app starts)"
    for container in obj.containers():
        for key, _ in Y.pairs(Y.get_path(container, "resources", "limits")):
            name = Y.text(key) or ""
            if name != GPU_RESOURCE and "gpu" in name.lower():
                return f" ('{name}' is not '{GPU_RESOURCE}', the resource the NVIDIA device plugin offers)"
    return ""
