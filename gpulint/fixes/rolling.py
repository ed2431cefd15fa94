"""GL307 and GL308: a rolling update that keeps every GPU pod serving.

The target is the reference's ``strategy: {type: RollingUpdate, rollingUpdate:
{maxUnavailable: 0, maxSurge: 1}}`` (for an Argo Rollout's canary: ``maxUnavailable: 0`` and a
surge of at least one pod). Missing pieces are added (safe: the values are the ones the rules
require); a value the author wrote is replaced only when it is invalid, when it would leave both
knobs at zero, or when it lets a GPU workload drop serving pods (unsafe). A ``type`` misspelt as
``rollingupdate`` is corrected (safe); ``Recreate`` is replaced (unsafe: some workloads need it).
"""

from __future__ import annotations

from gpulint.artifacts.kubernetes.model import K8sObject, Manifests, read_knob
from gpulint.core.fix import Applicability, Edit, Fix
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.yamledit import Layout, insert_pairs, layout_of, replace_scalar, set_value

TARGET = {"maxUnavailable": 0, "maxSurge": 1}


def make_rolling(manifests: Manifests, obj: K8sObject, gpu: bool) -> Fix | None:
    """Edits that turn the object's strategy into a valid rolling update that (for a GPU
    workload) never removes a serving pod."""
    source = manifests.source
    spec = Y.get(obj.node, "spec")
    if not Y.is_map(spec):
        return None
    layout = layout_of(source, manifests.yaml.documents, obj.node)
    canary = obj.kind == "Rollout"
    pair = Y.get_pair(spec, "strategy")
    if pair is None or Y.is_null(pair[1]):
        if canary:
            return None
        edit = set_value(source, spec, "strategy", {"type": "RollingUpdate", "rollingUpdate": dict(TARGET)},
                         layout, before=("selector", "template"))
        return Fix.safe("set strategy RollingUpdate with maxUnavailable: 0 and maxSurge: 1", edit) if edit else None
    strategy = pair[1]
    if not Y.is_map(strategy):
        return None
    edits: list[Edit] = []
    unsafe = False
    if canary:
        rolling = Y.get(strategy, "canary")
        if not Y.is_map(rolling):
            return None
    else:
        kind = Y.get(strategy, "type")
        if Y.is_scalar(kind) and not Y.is_null(kind) and Y.text(kind) != "RollingUpdate":
            typo = (Y.text(kind) or "").lower().replace("-", "").replace("_", "") == "rollingupdate"
            unsafe = unsafe or not typo
            edits.append(replace_scalar(source, kind, "RollingUpdate", flow=bool(strategy.flow_style),
                                        json_style=layout.json))
        rolling_pair = Y.get_pair(strategy, "rollingUpdate")
        rolling = rolling_pair[1] if rolling_pair else None
        if rolling is None or Y.is_null(rolling):
            edits.append(set_value(source, strategy, "rollingUpdate", dict(TARGET), layout))
            return _fix(edits, unsafe)
        if not Y.is_map(rolling):
            return None
    knob_edits, knob_unsafe = _knobs(source, rolling, layout, gpu, canary)
    return _fix(edits + knob_edits, unsafe or knob_unsafe)


def _knobs(source, rolling: Y.MappingNode, layout: Layout, gpu: bool, canary: bool):
    edits: list[Edit | None] = []
    missing: dict[str, int] = {}
    unsafe = False
    flow = bool(rolling.flow_style)
    unavailable, surge = Y.get(rolling, "maxUnavailable"), Y.get(rolling, "maxSurge")
    final_unavailable_zero = True
    if Y.is_null(unavailable):
        if not canary or gpu:
            missing["maxUnavailable"] = 0
    else:
        knob = read_knob(unavailable)
        if knob.problem or (knob.percent and (knob.value or 0) > 100) or (gpu and not knob.zero):
            edits.append(replace_scalar(source, unavailable, 0, flow=flow, json_style=layout.json))
            unsafe = True
        else:
            final_unavailable_zero = knob.zero
    if Y.is_null(surge):
        if not canary:
            missing["maxSurge"] = 1
    else:
        knob = read_knob(surge)
        if knob.problem or (knob.zero and final_unavailable_zero):
            edits.append(replace_scalar(source, surge, 1, flow=flow, json_style=layout.json))
            unsafe = True
    present = [k for k in missing if Y.get_pair(rolling, k) is not None]
    for key in present:  # `maxSurge:` written with no value: fill it in place
        edits.append(set_value(source, rolling, key, missing.pop(key), layout))
    if missing:
        edits.append(insert_pairs(source, rolling, missing, layout))
    return edits, unsafe


def _fix(edits: list[Edit | None], unsafe: bool) -> Fix | None:
    if not edits or any(e is None for e in edits):
        return None
    return Fix("make the strategy a RollingUpdate with maxUnavailable: 0 and maxSurge: 1", list(edits),
               Applicability.UNSAFE if unsafe else Applicability.SAFE)  # type: ignore[arg-type]


