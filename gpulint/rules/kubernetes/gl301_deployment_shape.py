from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes.model import K8sObject, Manifests, key_node
from gpulint.project.lab_deployment import describe, stand_ins
from gpulint.project.config import profile_of
from gpulint.project.kustomize import KustomizeFacts, is_partial, patches_a_whole_object
from gpulint.rules.base import Report, Rule

# Deployment API versions the API server no longer serves (all removed in Kubernetes 1.16).
_REMOVED = {"extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"}
# metadata.name of a Deployment must be a DNS subdomain (RFC 1123), at most 253 characters.
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class DeploymentShape(Rule):
    """
    ## What it does
    Checks that every Deployment has the shape the API server accepts and the lab asks for:
    `apiVersion: apps/v1`, a non-empty, valid `metadata.name`, a `spec.selector` (`matchLabels`
    and/or `matchExpressions`) that really selects the labels of `spec.template.metadata.labels`,
    and a pod template with containers. The selector is evaluated (`In`, `NotIn`, `Exists`,
    `DoesNotExist`), not compared as text; in the production profile a kustomize base may leave
    the selector out when the kustomization that builds it adds labels to selectors
    (`commonLabels`, or `labels` with `includeSelectors: true`; the lab asks for a Deployment that
    applies as written). It also reports a `kind` that is almost `Deployment`
    (`deployment`, `Deploymnet`): kinds are case-sensitive. With the lab profile, manifests
    without any Deployment fail: the workload written instead (a StatefulSet, DaemonSet, Argo
    Rollout, Pod...) is reported at its `kind`, as the lab asks for an `apps/v1` Deployment. The
    production profile judges every workload kind and does not require a Deployment.

    ## Why is this bad?
    `extensions/v1beta1`, `apps/v1beta1` and `apps/v1beta2` Deployments were removed in
    Kubernetes 1.16, so `kubectl apply` fails with "no matches for kind". A selector that does not
    match the template is rejected ("selector does not match template labels"); a lowercase
    `kind: deployment` is not a Deployment at all. Each of these stops the rollout before it
    starts, usually discovered only at deploy time.

    ## Example
    ```yaml
    apiVersion: extensions/v1beta1
    kind: Deployment
    metadata:
      name: gpu-inference
    spec:
      selector:
        matchLabels: {app: gpu-inference}
      template:
        metadata:
          labels: {app: inference}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: gpu-inference
    spec:
      selector:
        matchLabels: {app: gpu-inference}
      template:
        metadata:
          labels: {app: gpu-inference}
    ```

    ## Fix
    Use `apiVersion: apps/v1`, give the Deployment a lowercase DNS name, and copy the selector's
    `matchLabels` into `spec.template.metadata.labels`.
    """

    id = "GL301"
    name = "deployment-shape"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "deployment.shape"
    summary = "a Deployment has a removed apiVersion, no name, no template, or a selector that misses its pods"
    fix = "use apiVersion apps/v1, set metadata.name, and make spec.selector match spec.template.metadata.labels"

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        for obj, kind in stand_ins(manifests, project):
            if _almost_deployment(obj.kind):
                continue  # reported below as a misspelt kind
            yield self.report(Y.span(manifests.source, kind),
                              f"the lab asks for an apps/v1 Deployment and the manifests have none: "
                              f"{describe(obj)} is not a Deployment (the lab's validator checks `kind: Deployment`)",
                              fix="write the GPU workload as `apiVersion: apps/v1`, `kind: Deployment` with a "
                                  "`strategy`, a selector and a pod template")
        production = profile_of(project) == "production"
        for obj in manifests.objects:
            # a kustomize patch: in the lab, judged only when no whole Deployment of that name stands behind it
            partial = is_partial(obj, project) if production else patches_a_whole_object(obj, project)
            if obj.kind == "Deployment" and not partial:
                yield from self._deployment(manifests, obj, project)
            elif _almost_deployment(obj.kind):
                kind = Y.get(obj.node, "kind")
                yield self.report(Y.span(manifests.source, kind),
                                  f"kind '{obj.kind}' is not a Kubernetes kind (kinds are case-sensitive); "
                                  "did you mean Deployment?", fix="write `kind: Deployment`")

    def _deployment(self, manifests: Manifests, obj: K8sObject, project) -> Iterator[Report]:
        source = manifests.source
        version = Y.get(obj.node, "apiVersion")
        if obj.api_version != "apps/v1":
            yield self.report(Y.span(source, version), _version_message(obj.api_version, version))
        kind_key = key_node(obj.node, "kind") or obj.node
        metadata = Y.get(obj.node, "metadata")
        name = Y.get(metadata, "name")
        if not Y.is_map(metadata) or Y.is_null(name) or Y.text(name) == "":
            where = key_node(obj.node, "metadata") if Y.is_map(metadata) else kind_key
            yield self.report(Y.span(source, name if Y.is_scalar(name) and not Y.is_null(name) else where),
                              "the Deployment has no metadata.name; kubectl apply needs a name to create "
                              "and later update the object", fix="add `metadata: {name: <lowercase-name>}`")
        elif Y.is_scalar(name) and name.tag == Y.STR_TAG and not _valid_name(name.value):
            yield self.report(Y.span(source, name),
                              f"metadata.name {name.value!r} is not a valid DNS subdomain name; the API "
                              "server rejects it", fix="use lowercase letters, digits, '-' and '.', "
                              "starting and ending with a letter or digit")
        spec = Y.get(obj.node, "spec")
        if not Y.is_map(spec):
            yield self.report(Y.span(source, key_node(obj.node, "spec") or kind_key),
                              "the Deployment has no spec (selector and pod template)",
                              fix="add spec.selector.matchLabels and a spec.template with labels and containers")
            return
        spec_key = key_node(obj.node, "spec") or kind_key
        template = Y.get(spec, "template")
        if not Y.is_map(template):
            yield self.report(Y.span(source, key_node(spec, "template") or spec_key),
                              "the Deployment has no pod template (spec.template), so it runs no pods",
                              fix="add spec.template with metadata.labels and spec.containers")
        elif not Y.items(Y.get_path(template, "spec", "containers")):
            where = key_node(Y.get(template, "spec"), "containers") or key_node(template, "spec") \
                or key_node(spec, "template")
            yield self.report(Y.span(source, where),
                              "the pod template has no containers; the API server requires at least one",
                              fix="add spec.template.spec.containers with the GPU container")
        yield from self._selector(source, spec, spec_key, template, project)

    def _selector(self, source, spec: Y.Node, spec_key: Y.Node, template: Y.Node | None,
                  project) -> Iterator[Report]:
        selector = Y.get(spec, "selector")
        if not Y.is_map(selector):
            if profile_of(project) == "production" and \
                    project.facts(KustomizeFacts).adds_selector_labels(source) is not None:
                return  # a kustomize base: the kustomization that builds it writes the selector and labels
            yield self.report(Y.span(source, key_node(spec, "selector") or spec_key),
                              "the Deployment has no spec.selector; apps/v1 requires one that matches the "
                              "pod template's labels", fix="add spec.selector.matchLabels copied from "
                              "spec.template.metadata.labels")
            return
        match_labels = Y.get(selector, "matchLabels")
        expressions = Y.items(Y.get(selector, "matchExpressions"))
        if not Y.pairs(match_labels) and not expressions:
            yield self.report(Y.span(source, key_node(spec, "selector")),
                              "spec.selector is empty; the API server rejects an empty selector",
                              fix="add spec.selector.matchLabels copied from spec.template.metadata.labels")
            return
        if not Y.is_map(template):
            return
        labels_node = Y.get_path(template, "metadata", "labels")
        labels = {k.value: Y.text(v) for k, v in Y.pairs(labels_node) if Y.is_scalar(k)}
        where_labels = _describe_labels(source, labels_node)
        for key, value in Y.pairs(match_labels):
            want = Y.text(value)
            if not Y.is_scalar(key) or want is None:
                continue  # the wrong type: the schema rule reports it
            have = labels.get(key.value)
            if have != want:
                got = f"has {key.value}={have}" if have is not None else f"has no label '{key.value}'"
                yield self.report(Y.span(source, value),
                                  f"selector {key.value}={want} does not match the pod template, which "
                                  f"{got}{where_labels}; the API server rejects the Deployment",
                                  fix=f"set `{key.value}: {want}` in spec.template.metadata.labels")
        for expression in expressions:
            problem = _expression_problem(expression, labels)
            if problem:
                yield self.report(Y.span(source, expression), f"selector {problem}{where_labels}; "
                                  "the API server rejects the Deployment",
                                  fix="make the expression true for spec.template.metadata.labels")


def _almost_deployment(kind: str | None) -> bool:
    if not kind or kind == "Deployment":
        return False
    return kind.lower() == "deployment" or difflib.SequenceMatcher(None, kind.lower(), "deployment").ratio() >= 0.85


def _valid_name(name: str) -> bool:
    return len(name) <= 253 and bool(_DNS_SUBDOMAIN.match(name))


def _version_message(version: str | None, node: Y.Node | None) -> str:
    if version in _REMOVED:
        return (f"apiVersion {version} no longer serves Deployments (removed in Kubernetes 1.16); "
                "kubectl apply fails with 'no matches for kind'. Use apiVersion: apps/v1")
    if version and version.lower() == "apps/v1":
        return f"apiVersion '{version}' is case-sensitive; did you mean apps/v1?"
    shown = repr(version) if version is not None else "(not a string)"
    return f"apiVersion {shown} does not serve Deployments; use apiVersion: apps/v1"


def _describe_labels(source, labels_node: Y.Node | None) -> str:
    if labels_node is None:
        return " (spec.template.metadata.labels is missing)"
    return f" (labels on line {Y.line(source, labels_node)})"


def _expression_problem(expression: Y.Node, labels: dict[str, str | None]) -> str | None:
    """Why one matchExpressions requirement misses the labels, or None when it holds."""
    key = Y.text(Y.get(expression, "key"))
    operator = Y.text(Y.get(expression, "operator"))
    if key is None or operator is None:
        return "matchExpressions entry needs a key and an operator"
    values = [Y.text(v) for v in Y.items(Y.get(expression, "values"))]
    present = key in labels
    if operator in ("In", "NotIn") and not values:
        return f"'{key} {operator}' needs a non-empty values list"
    if operator in ("Exists", "DoesNotExist") and values:
        return f"'{key} {operator}' must not have values"
    if operator == "In" and (not present or labels[key] not in values):
        return f"'{key} In {values}' does not match the pod template label {key}={labels.get(key)}"
    if operator == "NotIn" and present and labels[key] in values:
        return f"'{key} NotIn {values}' excludes the pod template's own label {key}={labels[key]}"
    if operator == "Exists" and not present:
        return f"'{key} Exists' but the pod template has no label '{key}'"
    if operator == "DoesNotExist" and present:
        return f"'{key} DoesNotExist' but the pod template has the label '{key}'"
    if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
        return f"operator {operator!r} is not one of In, NotIn, Exists, DoesNotExist"
    return None
