from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.artifacts.kubernetes.model import K8sObject, Manifests, deployments, key_node, read_knob
from gpulint.project.lab_deployment import describe, stand_ins
from gpulint.rules.criteria import NO_CRITERION
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.rolling import make_rolling
from gpulint.artifacts.kubernetes.rolling import effective, knob, replicas_of
from gpulint.project.config import profile_of
from gpulint.project.kustomize import patches_a_whole_object
from gpulint.rules.base import Report, Rule

_KNOBS = ("maxUnavailable", "maxSurge")
_FIX = "set `strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}`"


class RollingUpdate(Rule):
    """
    ## What it does
    Checks each Deployment's `spec.strategy`: `type` must be `RollingUpdate` (or absent, which
    means RollingUpdate), and `rollingUpdate` must set both `maxUnavailable` and `maxSurge`, each
    a non-negative integer or a percentage string (`"25%"`), not both zero. Values are read as the
    API server reads them: `"25"` (a string without `%`), `-1` and `"1.5"` are rejected.

    An Argo Rollout has no `rollingUpdate`: its `spec.strategy` must be exactly one of `canary`
    or `blueGreen` (the seeds' promotion story), so the rule reports a Rollout with neither, with
    both, with Deployment-style `type`/`rollingUpdate` fields, a `blueGreen` without
    `activeService`, and canary `maxSurge`/`maxUnavailable` values that are invalid or both zero
    (which Argo Rollouts rejects). The canary knobs may be left to Argo's defaults. A Rollout
    with `workloadRef` takes its pods from a Deployment, which is checked on its own. Only
    Deployment findings bear on the `deployment.rolling` criterion.

    With `--profile production` the rule judges what the Deployment controller does rather than
    whether the knobs are written: with `spec.replicas` (default 1) and the 25% defaults,
    `maxSurge` rounds up and `maxUnavailable` rounds down, so 1 to 3 replicas without a
    `strategy` (or with only one knob) already roll out with 0 unavailable and 1 surge pod and
    are not reported; from 4 replicas on the defaults stop serving pods early (a warning). A
    `spec.replicas` placeholder (`$REPLICAS`) cannot be judged (info). `Recreate` is info with one
    replica (a rolling update would need a spare GPU for its surge pod) and a warning with
    several (`maxSurge: 0`, `maxUnavailable: 1` replaces them one at a time without a spare GPU). Only GPU workloads are judged (CPU routers and controllers are not).

    StatefulSets and DaemonSets are not covered: they replace pods one at a time by default and
    cannot surge, so `maxSurge`/`maxUnavailable` do not carry the same meaning. With the lab
    profile, manifests without any Deployment fail: the lab's rolling update is a Deployment's
    `strategy`, so the workload written instead is reported (at its `updateStrategy` or `kind`).

    Covers: Deployment, Argo Rollout.

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

    Automatic fix: a Deployment without a strategy gets `strategy: {type: RollingUpdate,
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}`, missing knobs are added and a misspelt
    `rollingupdate` is corrected (safe); `Recreate`, invalid values, two zero knobs and a
    non-zero `maxUnavailable` of a GPU Deployment are replaced (unsafe). An Argo Rollout's
    canary with both knobs at zero gets `maxSurge: 1` (unsafe).
    """

    id = "GL307"
    name = "rolling-update"
    severity = Severity.ERROR
    kind = "kubernetes"
    applies_to = "gpu-workload"
    criterion = "deployment.rolling"
    summary = ("the Deployment is not a RollingUpdate with valid, explicit maxUnavailable and maxSurge "
               "(or an Argo Rollout has no valid canary or blueGreen strategy)")
    fix = _FIX

    covers = ("Deployment", "Rollout")
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.SAFE, Applicability.UNSAFE)

    def check(self, manifests: Manifests, project) -> Iterator[Report]:
        for obj, kind in stand_ins(manifests, project):
            anchor = key_node(Y.get(obj.node, "spec"), "updateStrategy") or key_node(Y.get(obj.node, "spec"), "strategy")
            yield self.report(Y.span(manifests.source, anchor or kind),
                              f"the lab's rolling update is a Deployment's `spec.strategy` (RollingUpdate with "
                              f"maxUnavailable and maxSurge), and the manifests have no Deployment: {describe(obj)} "
                              "has no such strategy")
        production = profile_of(project) == "production"
        gpu: set[int] | None = None
        for obj in deployments(manifests):
            if not production and patches_a_whole_object(obj, project):
                continue  # an overlay's patch of a whole Deployment the lab judges itself (production: the gate)
            for report in self._deployment(manifests, obj, production):
                gpu = W.gpu_object_nodes(manifests, project) if gpu is None else gpu
                report.autofix = make_rolling(manifests, obj, id(obj.node) in gpu)
                yield report
        for obj in manifests.objects:
            if obj.kind == "Rollout" and (obj.api_version or "").startswith("argoproj.io/") and Y.is_map(obj.node):
                for report in self._rollout(manifests, obj):
                    report.criterion = NO_CRITERION
                    gpu = W.gpu_object_nodes(manifests, project) if gpu is None else gpu
                    report.autofix = make_rolling(manifests, obj, id(obj.node) in gpu)
                    yield report

    def _rollout(self, manifests: Manifests, obj: K8sObject) -> Iterator[Report]:
        source = manifests.source
        spec = Y.get(obj.node, "spec")
        if not Y.is_map(spec):
            return
        strategy_pair = Y.get_pair(spec, "strategy")
        strategy = strategy_pair[1] if strategy_pair else None
        if strategy is not None and not Y.is_map(strategy) and not Y.is_null(strategy):
            return  # the wrong type
        name = obj.name or "?"
        present = [(k, v) for k, v in Y.pairs(strategy) if Y.is_scalar(k) and k.value in ("canary", "blueGreen")]
        deployment_fields = [p for p in (Y.get_pair(strategy, "type"), Y.get_pair(strategy, "rollingUpdate")) if p]
        if deployment_fields:
            yield self.report(Y.span(source, deployment_fields[0][0]),
                              f"`strategy.{deployment_fields[0][0].value}` is Deployment syntax; Rollout '{name}' "
                              "ignores it: a Rollout's strategy is `canary` or `blueGreen`",
                              fix="replace it with `canary: {maxUnavailable: 0, maxSurge: 1, steps: "
                                  "[{setWeight: 20}, {pause: {}}]}`")
        if not present:
            if deployment_fields:
                return
            anchor = strategy_pair[0] if strategy_pair else key_node(obj.node, "spec") or key_node(obj.node, "kind")
            yield self.report(Y.span(source, anchor or obj.node),
                              f"Rollout '{name}' has no canary or blueGreen strategy; Argo Rollouts rejects it "
                              "and nothing would gate the promotion of a new GPU image",
                              fix="add `strategy: {canary: {maxUnavailable: 0, maxSurge: 1, steps: "
                                  "[{setWeight: 20}, {pause: {}}]}}`")
            return
        if len(present) > 1:
            yield self.report(Y.span(source, present[1][0]),
                              f"Rollout '{name}' sets both canary and blueGreen; Argo Rollouts accepts only one",
                              fix="keep the one strategy you promote with")
            return
        key, body = present[0]
        if key.value == "blueGreen":
            if Y.is_map(body) and not Y.text(Y.get(body, "activeService")):
                yield self.report(Y.span(source, key),
                                  f"the blueGreen strategy of Rollout '{name}' has no activeService; Argo "
                                  "Rollouts rejects it (the Service it switches to the new pods)",
                                  fix="set `activeService:` to the Service in front of the GPU pods")
            return
        knobs = {}
        for knob_name in _KNOBS:
            node = Y.get(body, knob_name)
            if Y.is_null(node):
                continue
            knob = read_knob(node)
            knobs[knob_name] = knob
            if knob.problem and not knob.schema_error:
                yield self.report(Y.span(source, node),
                                  f"invalid canary {knob_name}: {knob.problem}; Argo Rollouts accepts only a "
                                  "non-negative integer or a percentage string like '25%'",
                                  fix=f"write `{knob_name}: {'0' if knob_name == 'maxUnavailable' else '1'}`")
        if len(knobs) == 2 and all(k.zero for k in knobs.values()):
            yield self.report(Y.span(source, Y.get(body, "maxSurge")),
                              "canary maxSurge and maxUnavailable are both zero: the Rollout can neither add nor "
                              "remove a pod, and Argo Rollouts rejects it", fix="set `maxSurge: 1`")

    def _effective(self, manifests: Manifests, obj: K8sObject, anchor: Y.Node, rolling: Y.Node | None) -> Iterator[Report]:
        """Production: judge what the controller does with the defaults, not that they are implicit."""
        replicas = replicas_of(obj)
        if isinstance(replicas, str):
            yield self.report(Y.span(manifests.source, anchor),
                              f"cannot judge the rolling update: spec.replicas is the placeholder {replicas}, and "
                              "the 25% defaults stop serving pods only from 4 replicas on", severity=Severity.INFO)
            return
        if replicas is None:
            return  # invalid replicas: the schema rule reports it
        result = effective(replicas, knob(Y.get(rolling, "maxSurge")), knob(Y.get(rolling, "maxUnavailable")))
        if result.unavailable == 0:
            return  # 1-3 replicas with the defaults: 0 unavailable, 1 surge pod
        left = " and ".join(result.defaults)
        yield self.report(Y.span(manifests.source, anchor),
                          f"with {replicas} replicas the default {left} of 25% lets the rollout stop "
                          f"{result.unavailable} serving GPU pod{'s' if result.unavailable > 1 else ''} before "
                          "the replacements are ready (the controller rounds maxUnavailable down, maxSurge up)",
                          severity=Severity.WARNING)

    def _deployment(self, manifests: Manifests, obj: K8sObject, production: bool = False) -> Iterator[Report]:
        source = manifests.source
        spec = Y.get(obj.node, "spec")
        strategy_pair = Y.get_pair(spec, "strategy")
        if strategy_pair is None or Y.is_null(strategy_pair[1]):
            anchor = strategy_pair[0] if strategy_pair else key_node(obj.node, "spec") or key_node(obj.node, "kind")
            if production:
                yield from self._effective(manifests, obj, anchor or obj.node, None)
                return
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
                if production:
                    replicas = replicas_of(obj)
                    if replicas == 1:  # the only way without a spare GPU: a surge pod would wait for one
                        yield self.report(Y.span(source, kind), message + "; with one replica a RollingUpdate "
                                          "needs a spare GPU for the surge pod, so Recreate may be the right trade",
                                          severity=Severity.INFO)
                    else:
                        yield self.report(Y.span(source, kind), message + "; with several replicas a RollingUpdate "
                                          "with maxSurge 0 and maxUnavailable 1 replaces them one at a time "
                                          "without a spare GPU", severity=Severity.WARNING)
                    return
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
        if missing and production:
            if all(not read_knob(Y.get(rolling, k)).problem for k in _KNOBS if k not in missing):
                yield from self._effective(manifests, obj, anchor, rolling)
            missing = []
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
