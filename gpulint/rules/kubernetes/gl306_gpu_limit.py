from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import (GPU_RESOURCE, Manifests, container_anchor, gpu_count, is_gpu_resource, is_template_placeholder, key_node)
from gpulint.syntax.placeholders import placeholder_in
from gpulint.syntax.quantity import parse_quantity
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.rules.criteria import NO_CRITERION
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.gpu_limit import fix_gpu_ask
from gpulint.project.config import profile_of
from gpulint.rules.base import Report, Rule

_FIX = "set `resources: {limits: {nvidia.com/gpu: 1}}` on the GPU container (requests, if any, equal to it)"


class GpuLimit(Rule):
    """
    ## What it does
    Checks that a Deployment's container (not an init container) asks for a GPU: a GPU limit of a
    whole number of at least 1 (`1`, `"2"`), or a Dynamic Resource Allocation claim on a GPU
    device class; and that a GPU request, if given, equals the limit. GPU limits are
    `nvidia.com/gpu`, MIG profiles (`nvidia.com/mig-1g.10gb`), `amd.com/gpu` and
    `gpu.intel.com/i915`/`xe`. A DRA claim counts when the container's `resources.claims` names a
    pod `resourceClaims` entry whose `ResourceClaimTemplate` (or `ResourceClaim`), found in the
    scanned files, requests a GPU device class (`gpu.nvidia.com`, `mig.nvidia.com`,
    `gpu.amd.com`); a template that is not in the scanned files is given the benefit of the doubt
    with a warning (info with `--profile production`: whatever it requests, nothing needs to
    change). Reports a GPU count of `0`, a fraction (`"0.5"`), a non-number, a GPU asked
    for only in `requests`, a request that differs from the limit, a duplicated `nvidia.com/gpu`
    (or `limits`) key, which makes kubectl reject the file, and a container claim the pod does
    not declare.

    A count that is a placeholder (`$GPU_PER_NODE`, `${GPUS}`, `<gpus>`) cannot be judged: one
    info finding says so. With `--profile production` the rule judges GPU workloads only (a
    container asks for a GPU, or the pod is scheduled onto GPU nodes by a node selector, affinity
    or toleration): a CPU-only Deployment (a request router, a controller) is not told to ask for
    a GPU, nor is a GPU infrastructure daemon. The lab profile judges the lab's Deployment.

    Every other workload kind is checked the same way for each container that asks for a GPU
    (a StatefulSet, a Job, a Ray worker group, a KServe predictor's `model:`), except that an
    explicit GPU count of `0` there is accepted as "this workload runs on CPU", and a workload
    that asks for no GPU at all is fine: a device-plugin DaemonSet or a CPU-only Ray head is not
    told to request one. Only Deployment findings bear on the `deployment.gpu` criterion.

    Covers: Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job, CronJob, Argo Rollout,
    LeaderWorkerSet (leader and worker templates), RayCluster, RayService and RayJob (head and
    worker groups), KServe InferenceService (predictor, transformer, explainer), Kubeflow's
    replica-spec training jobs (PyTorchJob, TFJob, MPIJob, ...), JobSet and Volcano Job.

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

    Automatic fix: a GPU asked for only in `requests` gets an equal limit (safe: the count is
    the author's, copied as written); a request that differs from its limit is set to the limit
    (unsafe). A zero, fractional or non-numeric count is for the author to decide.
    """

    id = "GL306"
    name = "gpu-limit"
    severity = Severity.ERROR
    kind = "kubernetes"
    applies_to = "gpu-workload"
    criterion = "deployment.gpu"
    covers = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob", "Rollout",
              "LeaderWorkerSet", "RayCluster", "RayService", "RayJob", "InferenceService", "PyTorchJob", "TFJob",
              "MPIJob", "JobSet")
    summary = "no container asks for a whole number of GPUs in limits or by a DRA GPU claim (or requests differ, or the key is duplicated)"
    fix = _FIX
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.SAFE, Applicability.UNSAFE)

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        index = W.claim_index(project, manifests)
        for template in W.templates_in(manifests):
            criterion = None if template.is_deployment else NO_CRITERION
            good = False
            reports: list[Report] = []
            notes: list[Report] = []
            for container in template.containers():
                found = list(self._container(manifests, container, template.is_deployment))
                claims = template.claims(container, index)
                for claim in claims:
                    if claim.status == W.UNDECLARED:
                        found.append(self.report(
                            Y.span(manifests.source, claim.node),
                            f"container {_label(container)} uses claim '{claim.name}', but the pod's "
                            "resourceClaims declares no claim of that name; the API server rejects the pod",
                            fix=f"add `resourceClaims: [{{name: {claim.name}, resourceClaimTemplateName: "
                                "gpu-claim-template}]` to the pod spec"))
                reports.extend(found)
                if found:
                    continue
                if W.gpu_resource_limit(container) is not None:
                    good = True
                if any(c.status == W.GPU for c in claims):
                    good = True
                unresolved = [c for c in claims if c.status == W.UNRESOLVED]
                if unresolved and not good and template.is_deployment:
                    good = True
                    claim = unresolved[0]
                    notes.append(self.report(
                        Y.span(manifests.source, claim.node),
                        f"container {_label(container)} claims devices through {claim.where()}, which is not "
                        "in the scanned files: gpulint cannot tell whether it requests a GPU device class",
                        fix="add the ResourceClaimTemplate manifest (spec.spec.devices.requests with "
                            "deviceClassName: gpu.nvidia.com) next to the workload",
                        # production: either answer needs no change (a GPU claim satisfies the rule, any
                        # other claim makes no GPU workload), so it is information
                        severity=Severity.INFO if profile_of(project) == "production" else Severity.WARNING,
                        criterion=NO_CRITERION))
            for report in reports:
                if criterion is not None:
                    report.criterion = criterion
                    report.message += f" ({template.describe()})"
            yield from reports
            yield from notes
            if template.is_deployment and not good and not reports:
                yield self._missing(manifests, template, index)

    def _container(self, manifests: Manifests, container: Y.Node, deployment: bool = True) -> Iterator[Report]:
        source = manifests.source
        asks = W.gpu_asks(container)
        duplicated = _duplicates(manifests, container, {a.resource for a in asks} | {GPU_RESOURCE})
        for duplicate in duplicated:
            first = Y.line(source, duplicate.first)
            yield self.report(Y.span(source, duplicate.key),
                              f"'{duplicate.key.value}' is defined twice (first on line {first}); kubectl "
                              "rejects the file, so the GPU limit never reaches the cluster",
                              fix="keep one occurrence with the GPU count you mean")
        if duplicated:
            return
        for resource in dict.fromkeys(a.resource for a in asks):
            limit = next((a.value for a in asks if a.resource == resource and a.section == "limits"), None)
            request = next((a for a in asks if a.resource == resource and a.section == "requests"), None)
            for report in self._resource(source, resource, limit, request, deployment):
                report.autofix = fix_gpu_ask(manifests, container, resource, limit, request, report.span.start)
                yield report

    def _resource(self, source, resource: str, limit: Y.Node | None, request_ask,
                  deployment: bool = True) -> Iterator[Report]:
        request = request_ask.value if request_ask is not None else None
        if limit is None:
            if request_ask is not None:
                yield self.report(Y.span(source, request_ask.key),
                                  f"{resource} is only in requests; GPUs are an extended resource and must "
                                  "be set in limits (requests, if given, must equal the limit)",
                                  fix="move it to resources.limits (or set an equal limit)")
            return
        if is_template_placeholder(limit) or is_template_placeholder(request):
            return  # a Helm value: known only once the chart is rendered
        placeholder = next((placeholder_in(Y.text(n)) for n in (limit, request) if Y.is_scalar(n)
                            and placeholder_in(Y.text(n))), None)
        if placeholder is not None:
            yield self.report(Y.span(source, limit), f"cannot judge the {resource} count: {placeholder} is a "
                              "placeholder filled in when the manifest is rendered", severity=Severity.INFO,
                              fix="check the rendered manifest (envsubst, kustomize, the CI step that fills it)")
            return
        count = gpu_count(limit)
        shown = Y.text(limit) if Y.is_scalar(limit) else "(not a number)"
        if count is None:
            what = f"limit {shown!r} is not a whole number of GPUs; a GPU cannot be split through limits" \
                if Y.is_scalar(limit) and not Y.is_null(limit) else "limit is not a number"
            yield self.report(Y.span(source, limit), f"{resource} {what}", fix="use a whole number such as 1")
            return
        if count < 1:
            if deployment:
                yield self.report(Y.span(source, limit),
                                  f"{resource} limit {shown} gives the container no GPU",
                                  fix="set it to 1 (or the number of GPUs the model needs)")
            # Outside the lab's Deployment an explicit 0 is a valid way to say "no GPU" (a CPU job).
            return
        if request is not None and _quantity(request) != count:
            wanted = Y.text(request) if Y.is_scalar(request) else "(not a number)"
            yield self.report(Y.span(source, request),
                              f"{resource} request {wanted} differs from the limit {shown}; the API server "
                              "requires extended-resource requests to equal limits",
                              fix=f"set the request to {count} or remove it")

    def _missing(self, manifests: Manifests, template: W.PodTemplate, index) -> Report:
        containers = template.containers()
        if containers:
            first = containers[0]
            anchor = key_node(first, "resources") or container_anchor(first)
        else:
            obj = template.obj
            spec = Y.get(obj.node, "spec")
            anchor = key_node(Y.get(spec, "template"), "spec") or key_node(spec, "template") \
                or key_node(obj.node, "spec") or key_node(obj.node, "kind") or obj.node
        return self.report(Y.span(manifests.source, anchor),
                           f"no container of Deployment '{template.obj.name or '?'}' limits {GPU_RESOURCE} "
                           f"(or claims a GPU through DRA){_near_misses(template, index)}; the pod is scheduled "
                           "without a GPU")


def _label(container: Y.Node) -> str:
    name = Y.text(Y.get(container, "name"))
    return f"'{name}'" if name else "(unnamed)"


def _duplicates(manifests: Manifests, container: Y.Node, resources: set[str]) -> list:
    """Duplicate keys that decide the GPU limit: kubectl rejects them, PyYAML keeps the last."""
    resources_node = Y.get(container, "resources")
    watched = {id(container): {"resources"}, id(resources_node): {"limits", "requests"}}
    for section in ("limits", "requests"):
        node = Y.get(resources_node, section)
        if node is not None:
            watched[id(node)] = resources
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


def _near_misses(template: W.PodTemplate, index) -> str:
    """Point at what the author probably meant: an init container's GPU, a misspelt resource name,
    or a DRA claim on a device class that is not a GPU."""
    for container in template.init_containers():
        if W.gpu_asks(container):
            return " (an init container's GPU limit does not count: it exits before the app starts)"
    for container in template.containers():
        for key, _ in Y.pairs(Y.get_path(container, "resources", "limits")):
            name = Y.text(key) or ""
            if not is_gpu_resource(name) and "gpu" in name.lower():
                return f" ('{name}' is not '{GPU_RESOURCE}', the resource the NVIDIA device plugin offers)"
        for claim in template.claims(container, index):
            if claim.status == W.NOT_GPU:
                return f" (claim '{claim.name}' uses {claim.where()}, whose device class is not a GPU class)"
    return ""
