from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts import rollout as R
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule

_EXAMPLE = "`- {stage: dev, env: ..., tag_pattern: ..., gate: ...}`"


class PromotionFlow(Rule):
    """
    ## What it does
    Checks that `image_promotion_flow` has at least three stages in the order dev → staging →
    prod, each with a non-empty `env`, `tag_pattern` and `gate`, and no stage a copy of an
    earlier one (the same `env`, `tag_pattern` and `gate`, as `<<: *dev` gives). Accepted forms: a list of
    stage mappings named by `stage`, `name` or `env` (the first that names a stage), a mapping
    of stage name to stage mapping (`dev: {env: ..., ...}`), and either form under a `stages`
    key. Synonyms: development/develop for dev; stage, stg, preprod, pre-prod, qa, uat for
    staging; production, prd, live for prod. Extra stages (a canary between staging and prod)
    are fine. A null, blank, `false` or empty-list value is empty. Near-miss keys
    (`tagPattern`, `environment`, `gates`) do not count; the message names the right key.

    ## Why is this bad?
    Promotion is what makes "the image that passed the GPU tests" the image that serves users:
    without a staging step a bad image goes straight from CI to production, and without a
    written tag pattern and gate per environment nobody can tell which tags may be deployed
    where, or what must have passed before they are.

    ## Example
    ```yaml
    image_promotion_flow:
      - stage: dev
        env: gpu-dev
        tag_pattern: "sha-*"
      - stage: prod
        env: gpu-prod
        tag_pattern: "v*"
        gate: manual approval
    ```

    ## Use instead
    ```yaml
    image_promotion_flow:
      - {stage: dev, env: gpu-dev, tag_pattern: "^[0-9a-f]{40}$", gate: GPU smoke test passed in CI}
      - {stage: staging, env: gpu-staging, tag_pattern: "^v\\d+\\.\\d+\\.\\d+-rc\\.\\d+$", gate: 1h healthy in dev}
      - {stage: prod, env: gpu-prod, tag_pattern: "^v\\d+\\.\\d+\\.\\d+$", gate: 24h staging soak + approval}
    ```

    ## Fix
    List the stages dev, staging and prod in that order and give each an `env`, a
    `tag_pattern` and a `gate`.
    """

    id = "GL411"
    name = "promotion-flow"
    severity = Severity.ERROR
    kind = "rollout"
    criterion = "promotion.flow"
    summary = "image_promotion_flow lacks dev → staging → prod stages, in order, each with env, tag_pattern and gate"
    fix = "list stages dev, staging, prod in that order, each with a non-empty env, tag_pattern and gate"

    def check(self, spec, project):
        pair = Y.get_pair(spec.node, "image_promotion_flow")
        if pair is None:
            if not project.facts(R.RolloutPlans).promotion_elsewhere(spec):
                yield self.report(Y.span(spec.source, spec.node),
                                  "the rollout plan has no `image_promotion_flow` key; add a list of stages "
                                  f"dev → staging → prod, each like {_EXAMPLE}")
            return
        key, flow = pair
        stages = R.stages(flow)
        if not stages:
            what = "is empty" if R.is_empty(flow) else "is not a list of stages"
            yield self.report(Y.span(spec.source, key),
                              f"`image_promotion_flow` {what}; write a list of stages dev → staging → prod, "
                              f"each like {_EXAMPLE}")
            return
        yield from self._coverage(spec, key, stages)
        yield from self._order(spec, stages)
        for stage in stages:
            yield from self._fields(spec, stage)
        yield from self._copies(spec, stages)

    def _copies(self, spec, stages):
        """A stage whose env, tag_pattern and gate are an earlier stage's (`<<: *dev`): the flow
        promotes nothing, as every stage is the same environment behind the same gate."""
        seen: dict[tuple, R.Stage] = {}
        for stage in stages:
            values = tuple(Y.text(pair[1]) if (pair := stage.field(name)) is not None and Y.is_scalar(pair[1]) else None
                           for name in R.FIELDS)
            if None in values or any(not v.strip() for v in values):
                continue  # missing or empty fields are reported above
            earlier = seen.get(values)
            if earlier is not None and earlier.stage != stage.stage:
                yield self.report(Y.span(spec.source, stage.anchor),
                                  f"stage {_name(stage)} has the env, tag_pattern and gate of stage {_name(earlier)}: "
                                  "promoting to it changes nothing; give each stage its own environment, the tags "
                                  "it accepts and the gate an image must pass to reach it")
            seen.setdefault(values, stage)

    def _coverage(self, spec, key, stages):
        present = {s.stage for s in stages}
        missing = [name for name in R.STAGES if name not in present]
        if len(stages) < 3 or missing:
            names = ", ".join(s.label for s in stages)
            need = f"; it has no {' or '.join(missing)} stage" if missing else ""
            yield self.report(Y.span(spec.source, key),
                              f"`image_promotion_flow` has {len(stages)} stage(s) ({names}){need}; it needs at "
                              "least three, dev → staging → prod, named by `stage:` (or `name:`)")

    def _order(self, spec, stages):
        """Report the fewest stages that must move: those off the longest in-order run."""
        named = [s for s in stages if s.stage is not None]
        keep = _in_order(named)
        for i, stage in enumerate(named):
            if i in keep:
                continue
            rank = R.STAGES.index(stage.stage)
            later = next((named[j] for j in sorted(keep) if j > i and R.STAGES.index(named[j].stage) < rank), None)
            if later is not None:
                where = f"comes before {_name(later)}"
            else:
                earlier = next(named[j] for j in sorted(keep, reverse=True)
                               if j < i and R.STAGES.index(named[j].stage) > rank)
                where = f"comes after {_name(earlier)}"
            yield self.report(Y.span(spec.source, stage.anchor),
                              f"stage {_name(stage)} {where}; order the stages dev → staging → prod")

    def _fields(self, spec, stage):
        if not Y.is_map(stage.fields):
            yield self.report(Y.span(spec.source, stage.anchor),
                              f"stage '{stage.label}' is not a mapping; give it `env`, `tag_pattern` and `gate` keys")
            return
        missing = []
        for name in R.FIELDS:
            pair = stage.field(name)
            if pair is None:
                missing.append(name)
            elif R.is_empty(pair[1]):
                node = pair[0] if Y.is_null(pair[1]) else pair[1]
                yield self.report(Y.span(spec.source, node),
                                  f"`{name}` of stage '{stage.label}' is empty; {_WHAT[name]}")
        if missing:
            keys = {Y.text(k) for k, _ in Y.pairs(stage.fields)}
            typos = [f"`{alias}` is not `{name}`" for name in missing for alias in R.FIELD_ALIASES[name] if alias in keys]
            hint = f" ({'; '.join(typos)})" if typos else ""
            yield self.report(Y.span(spec.source, stage.anchor),
                              f"stage '{stage.label}' has no {', '.join(f'`{m}`' for m in missing)}{hint}; "
                              + "; ".join(_WHAT[m] for m in missing))


def _in_order(named: list[R.Stage]) -> set[int]:
    """Indices of the longest run of stages in non-decreasing order, preferring earlier stages."""
    ranks = [R.STAGES.index(s.stage) for s in named]
    length = [1] * len(ranks)
    previous = [-1] * len(ranks)
    for i in range(len(ranks)):
        for j in range(i):
            if ranks[j] <= ranks[i] and length[j] + 1 > length[i]:
                length[i], previous[i] = length[j] + 1, j
    keep: set[int] = set()
    i = length.index(max(length)) if length else -1
    while i != -1:
        keep.add(i)
        i = previous[i]
    return keep


def _name(stage: R.Stage) -> str:
    same = stage.label.strip().lower() == stage.stage
    return f"'{stage.label}'" if same else f"'{stage.label}' ({stage.stage})"


_WHAT = {
    "env": "set `env` to the cluster/namespace the stage deploys to",
    "tag_pattern": "set `tag_pattern` to the image tags this stage accepts (e.g. `^v\\d+\\.\\d+\\.\\d+$`)",
    "gate": "set `gate` to what must pass before an image is promoted into this stage",
}
