"""Kubernetes scheduling semantics: node groups with labels and taints, toleration matching as
the scheduler does it, and how a pod template selects nodes (nodeSelector, required node
affinity). Which node groups a project declares is gathered across files in
``gpulint.project.scheduling``."""

from __future__ import annotations

from gpulint.artifacts.kubernetes.model import GPU_RESOURCE
from gpulint.core.records import Record, compared_without
from gpulint.core.source import Source
from gpulint.syntax import yamlnode as Y

BLOCKING = ("NoSchedule", "NoExecute")
_GKE_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}


def _text(node) -> str | None:
    value = Y.scalar(node)
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@compared_without("node")
class Taint(Record, frozen=True):
    key: str
    value: str
    effect: str
    node: object = None

    def describe(self) -> str:
        return f"{self.key}{'=' + self.value if self.value else ''}:{self.effect}"


class NodeGroup(Record):
    source: Source
    node: Y.Node  # the object's name (or mapping), for messages
    kind: str
    name: str
    labels: dict[str, set[str]]  # label -> possible values
    taints: list[Taint]
    gpu: bool

    def describe(self) -> str:
        return f"{self.kind} '{self.name}' ({self.source.rel_path})"


def _taints(items, gke: bool = False) -> list[Taint]:
    out = []
    for t in Y.items(items):
        key, value, effect = _text(Y.get(t, "key")), _text(Y.get(t, "value")) or "", _text(Y.get(t, "effect"))
        if key and effect:
            out.append(Taint(key, value, _GKE_EFFECTS.get(effect, effect) if gke else effect, t))
    return out


def _labels(node) -> dict[str, set[str]]:
    return {k: {v} for k, v in ((_text(kn), _text(vn)) for kn, vn in Y.pairs(node)) if k and v is not None}


def _is_gpu(labels: dict[str, set[str]], taints: list[Taint], extra: bool = False) -> bool:
    if extra or any(t.key == GPU_RESOURCE for t in taints):
        return True
    words = ("gpu", "nvidia", "accelerator", "cuda")
    return any(any(w in k.lower() for w in words) or any(any(w in v.lower() for w in words) for v in vs)
               for k, vs in labels.items())


# ----------------------------------------------------------------------------- tolerations

def tolerates(toleration: Y.Node, taint: Taint) -> bool:
    """Kubernetes' ToleratesTaint: effect empty matches all; operator Exists with an empty key
    matches every taint; Equal (the default) compares key and value."""
    if not Y.is_map(toleration):
        return False
    effect = _text(Y.get(toleration, "effect")) or ""
    if effect and effect != taint.effect:
        return False
    key = _text(Y.get(toleration, "key")) or ""
    operator = _text(Y.get(toleration, "operator")) or "Equal"
    if key and key != taint.key:
        return False
    if operator == "Exists":
        return True
    if operator == "Equal":
        return bool(key) and (_text(Y.get(toleration, "value")) or "") == taint.value
    return False


def untolerated(tolerations: Y.Node | None, group: NodeGroup) -> list[Taint]:
    items = Y.items(tolerations)
    return [t for t in group.taints if t.effect in BLOCKING and not any(tolerates(x, t) for x in items)]


# ----------------------------------------------------------------------------- selection

def _match_expression(expr: Y.Node, labels: dict[str, set[str]]) -> bool:
    key, op = _text(Y.get(expr, "key")), _text(Y.get(expr, "operator"))
    values = {v for v in (_text(x) for x in Y.items(Y.get(expr, "values"))) if v is not None}
    have = labels.get(key or "")
    if op == "In":
        return bool(have and have & values)
    if op == "NotIn":
        return not (have and have <= values)
    if op == "Exists":
        return have is not None
    if op == "DoesNotExist":
        return have is None
    if op in ("Gt", "Lt") and have and len(values) == 1:
        try:
            limit = int(next(iter(values)))
            return any((int(v) > limit) if op == "Gt" else (int(v) < limit) for v in have if v.lstrip("-").isdigit())
        except ValueError:
            return False
    return False


class Selection(Record):
    """How a pod template selects nodes: the nodeSelector and required node affinity terms."""

    node_selector: Y.Node | None
    terms: list[Y.Node]

    @property
    def selects(self) -> bool:
        return (Y.is_map(self.node_selector) and bool(Y.pairs(self.node_selector))) or bool(self.terms)

    @property
    def anchor(self) -> Y.Node | None:
        return self.node_selector if Y.is_map(self.node_selector) and Y.pairs(self.node_selector) else \
            (self.terms[0] if self.terms else None)

    def matches(self, group: NodeGroup) -> bool:
        if not self.selects:
            return False
        for k, v in Y.pairs(self.node_selector) if Y.is_map(self.node_selector) else []:
            key, value = _text(k), _text(v)
            if key is None or value is None or value not in group.labels.get(key, set()):
                return False
        if self.terms:
            return any(all(_match_expression(e, group.labels) for e in Y.items(Y.get(term, "matchExpressions")))
                       and Y.items(Y.get(term, "matchExpressions")) for term in self.terms)
        return True


def selection(pod_spec: Y.Node | None) -> Selection:
    terms = Y.items(Y.get_path(pod_spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                               "nodeSelectorTerms"))
    return Selection(Y.get(pod_spec, "nodeSelector"), [t for t in terms if Y.is_map(t)])
