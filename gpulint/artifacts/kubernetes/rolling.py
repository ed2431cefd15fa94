"""A Deployment's rolling update as the Deployment controller runs it.

``maxSurge`` and ``maxUnavailable`` default to 25%; a percentage is scaled by ``spec.replicas``
(default 1), ``maxSurge`` rounding up and ``maxUnavailable`` rounding down
(``intstr.GetScaledValueFromIntOrPercent``), and when both come out 0 the controller uses one
unavailable pod (``deploymentutil.ResolveFenceposts``). So with 1 to 3 replicas and no strategy
the defaults already give 0 unavailable and 1 surge pod: no serving pod is stopped before its
replacement is ready; from 4 replicas on, 25% means at least one pod.
"""

from __future__ import annotations

import math

from gpulint.artifacts.kubernetes.model import K8sObject, Knob, read_knob
from gpulint.core.records import Record
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.placeholders import placeholder_in

DEFAULT = Knob(25, percent=True)


class Effective(Record, frozen=True):
    replicas: int
    surge: int  # pods the rollout may add above replicas
    unavailable: int  # serving pods it may stop before their replacements are ready
    defaults: tuple[str, ...]  # the knobs left to their 25% default


def _scaled(knob: Knob, replicas: int, round_up: bool) -> int:
    if not knob.percent:
        return knob.value or 0
    exact = replicas * (knob.value or 0) / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def replicas_of(obj: K8sObject) -> int | str | None:
    """``spec.replicas`` (1 when absent); the placeholder text when it is one; None when invalid."""
    node = Y.get(Y.get(obj.node, "spec"), "replicas")
    if Y.is_null(node):
        return 1
    value = Y.scalar(node)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    return placeholder_in(Y.text(node)) if Y.is_scalar(node) else None


def effective(replicas: int, surge: Knob | None, unavailable: Knob | None) -> Effective:
    defaults = tuple(name for name, knob in (("maxUnavailable", unavailable), ("maxSurge", surge)) if knob is None)
    surge_pods = _scaled(surge or DEFAULT, replicas, True)
    unavailable_pods = _scaled(unavailable or DEFAULT, replicas, False)
    if surge_pods == 0 and unavailable_pods == 0:
        unavailable_pods = 1
    return Effective(replicas, surge_pods, min(unavailable_pods, replicas), defaults)


def knob(node: Y.Node | None) -> Knob | None:
    """A knob as written (None when absent or null)."""
    return None if Y.is_null(node) else read_knob(node)
