from __future__ import annotations

from collections.abc import Iterator

from gpulint.findings import Severity
from gpulint.models import yamlnode as Y
from gpulint.models.k8s import K8sObject, Manifests, deployments, key_node, read_knob
from gpulint.rule import Report, Rule

_KNOBS = ("maxUnavailable", "maxSurge")
_FIX = "set `strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}`"


class RollingUpdate(Rule):
    """
    ## What it does
    Checks each Deployment's `spec.strategy`: `type` must be `RollingUpdate` (or absent, which
    means RollingUpdate), and `rollingUpdate` must set both `maxUnavailable` and `maxSurge`, each
    a non-negative integer or a percentage string (`"25%"`), not both zero. Values are read as the
    API server reads them: `"25"` (a string without `%`), `-1` and `"1.5"` are rejected.

    ## Why is this bad?
    `Recreate` kills every old pod before starting new ones: an outage on every deploy, made
    longer by multi-GB image pulls and CUDA warm-up. Leaving the knobs out silently applies the
    defaults (25%/25%), which can drop serving capacity on a GPU-bound cluster. `maxSurge: 0` with
    `maxUnavailable: 0` can never make progress, and the API server rejects it ("may not be 0
    when maxSurge is 0").

    ## Example
    ```yaml
    strategy:
      type: Recreate
    ```

    ## Use instead
    ```yaml
    strategy:
      type: RollingUpdate
      rollingUpdate:
        maxUnavailable: 0
        maxSurge: 1
    ```

    ## Fix
    Use `type: RollingUpdate` with explicit `maxUnavailable: 0` and `maxSurge: 1`.
    """

    id = "GL307"
    name = "rolling-update"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "deployment.rolling"
    summary = "the Deployment is not a RollingUpdate with valid, explicit maxUnavailable and maxSurge"
    fix = _FIX

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        for obj in deployments(manifests):
            yield from self._deployment(manifests, obj)

    def _deployment(self, manifests: Manifests, obj: K8sObject) -> Iterator[Report]:
        source = manifests.source
        spec = Y.get(obj.node, "spec")
        strategy_pair = Y.get_pair(spec, "strategy")
        if strategy_pair is None or Y.is_null(strategy_pair[1]):
            anchor = strategy_pair[0] if strategy_pair else key_node(obj.node, "spec") or key_node(obj.node, "kind")
            yield self.report(Y.span(source, anchor or obj.node),
                              "the Deployment sets no rolling-update strategy; the defaults (maxUnavailable "
                              "25%, maxSurge 25%) are implicit and may drop GPU serving capacity")
            return
        strategy_key, strategy = strategy_pair
        if not Y.is_map(strategy):
            return  # a scalar or list: GL303 reports the type
        kind = Y.get(strategy, "type")
        if kind is not None and not Y.is_null(kind) and Y.text(kind) != "RollingUpdate":
            text = Y.text(kind)
            if text == "Recreate":
                message = ("strategy type Recreate stops every old pod before new ones start: each deploy is "
                           "an outage lasting the image pull and CUDA warm-up")
            elif (text or "").lower().replace("-", "").replace("_", "") == "rollingupdate":
                message = f"strategy type {text!r} is case-sensitive; did you mean RollingUpdate?"
            else:
                message = f"strategy type {text!r} is not RollingUpdate or Recreate; the API server rejects it"
            yield self.report(Y.span(source, kind), message)
            return
        rolling_pair = Y.get_pair(strategy, "rollingUpdate")
        rolling = rolling_pair[1] if rolling_pair else None
        if rolling is not None and not Y.is_map(rolling) and not Y.is_null(rolling):
            return  # the wrong type: GL303 reports it
        anchor = rolling_pair[0] if rolling_pair else strategy_key
        missing = [k for k in _KNOBS if Y.is_null(Y.get(rolling, k))]
        if missing:
            where = "strategy has no rollingUpdate with" if rolling_pair is None else "rollingUpdate does not set"
            yield self.report(Y.span(source, anchor),
                              f"{where} {' and '.join(missing)}; both must be explicit (the 25% defaults "
                              "may drop GPU serving capacity)")
        knobs = {}
        for name in _KNOBS:
            node = Y.get(rolling, name)
            if Y.is_null(node):
                continue
            knob = read_knob(node)
            knobs[name] = knob
            if knob.problem and not knob.schema_error:
                yield self.report(Y.span(source, node),
                                  f"invalid {name}: {knob.problem}; the API server accepts only a "
                                  "non-negative integer or a percentage string like '25%'", fix=f"write `{name}: {'0' if name == 'maxUnavailable' else '1'}`")
            elif knob.percent and knob.value is not None and knob.value > 100 and name == "maxUnavailable":
                yield self.report(Y.span(source, node), f"maxUnavailable {knob.value}% is over 100%; "
                                  "the API server rejects it", fix="write `maxUnavailable: 0`")
        if len(knobs) == 2 and all(k.zero for k in knobs.values()):
            yield self.report(Y.span(source, Y.get(rolling, "maxSurge")),
                              "maxSurge and maxUnavailable are both zero: the rollout can neither add nor "
                              "remove a pod, and the API server rejects it", fix="set `maxSurge: 1`")
