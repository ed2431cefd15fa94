"""Google Cloud Build into the CI model: a build's steps, its triggers as scenarios, step order
as the gate, and worker pools as runners."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

from gpulint.ci import model
from gpulint.ci.cloudbuild.build import CloudBuild, Hit, Trigger
from gpulint.ci.commands import PUSH
from gpulint.core.source import Span
from gpulint.core.tri import Tri
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import scalar_locator

_ANY_BUILD = model.Scenario("build", "a build")
_MAIN = model.Scenario("push-main", "a push to main", main_push=True)


class CloudBuildPipeline(model.Pipeline):
    system = "cloudbuild"
    unit_name = "step"
    main_only_fix = "set the trigger's branch pattern to `^main$` and keep its export in the repository"
    undecided = "(may run)"

    def __init__(self, build: CloudBuild, triggers: list[Trigger]) -> None:
        self.native = build
        self.source = build.source
        self.triggers = triggers
        self.triggers_known = bool(triggers)

    @property
    def name(self) -> str:
        return "the Cloud Build configuration"

    @property
    def anchor(self) -> Span:
        pair = Y.get_pair(self.native.node, "steps")
        return Y.span(self.native.source, pair[0] if pair else self.native.node)

    @cached_property
    def actions(self) -> list[model.Action]:
        source = self.native.source
        return [model.Action(h.kind, h.detail, h.span(source), h.where(), h.step if h.step is not None else self.native,
                             h.command, h) for h in self.native.hits]

    @cached_property
    def _scenarios(self) -> list[model.Scenario]:
        if not self.triggers:
            return [_ANY_BUILD]
        out: list[model.Scenario] = []
        for trigger in self.triggers:
            if trigger.main_only and _MAIN not in out:
                out.append(_MAIN)
            for kind, label in zip(trigger.kinds, trigger.events):
                scenario = model.Scenario(f"{kind}: {label}", label, release=kind == "tag")
                if scenario not in out:
                    out.append(scenario)
        return out

    def scenarios(self) -> Sequence[model.Scenario]:
        return self._scenarios

    def runs(self, action: model.Action, scenario: model.Scenario) -> Tri:
        return True  # every step of a build runs (a failing step stops the ones after it)

    def possible(self, action: model.Action) -> bool:
        return True

    def gate(self, test: model.Action, push: model.Action, scenario: model.Scenario) -> str:
        return self.native.gate(test.native, push.native)

    def push_gate(self, push: model.Action, outside: list) -> str:
        files = sorted({t.source.rel_path for t in self.triggers if not t.main_only})
        if not files:
            return "no trigger in the scanned files says which branches start the build"
        return f"the trigger{'s' if len(files) > 1 else ''} in {', '.join(files)} start{'' if len(files) > 1 else 's'} " \
               "the build for " + ("them" if len(outside) > 1 else "it")

    def runner_verdicts(self, context: model.RunnerContext) -> Iterator[model.RunnerVerdict]:
        build = self.native
        pool, _ = build.pool
        seen: set[int] = set()
        for hit in build.gpu_work():
            hit: Hit
            if hit.step is None or hit.step.index in seen:
                continue
            seen.add(hit.step.index)
            what = f"{hit.step.label()} does GPU work ({hit.detail})"
            if pool is None:
                yield model.RunnerVerdict(model.NOT_GPU, hit.span(build.source),
                                          f"{what}, but the build runs on Cloud Build's default workers, which have "
                                          "no GPU (no `options.pool`)",
                                          fix="run the GPU test in a private pool with GPUs (`options.pool.name`) or "
                                              "on a GPU VM via `gcloud compute ssh`")
            else:
                yield model.RunnerVerdict(model.UNKNOWN_RUNNER, hit.span(build.source),
                                          f"{what} on private pool `{pool}`; whether its workers have a GPU is set in "
                                          "the pool's configuration, outside this file (note: check the pool, or hand "
                                          "the test to a GPU VM with `gcloud compute ssh`)",
                                          fix="check that the pool's workers have GPUs, or hand the test to a GPU VM "
                                              "with `gcloud compute ssh`")

    # ------------------------------------------------------------------ what the steps run

    @cached_property
    def commands(self) -> list[model.Command]:
        build = self.native
        source = build.source
        substitutions = build.substitutions
        out: list[model.Command] = []
        for step in build.steps:
            variables = dict(substitutions)
            for item in Y.items(Y.get(step.node, "env")):
                name, eq, value = (Y.text(item) or "").partition("=")
                if eq and name:
                    variables[name] = value
            workdir = Y.text(Y.get(step.node, "dir")) or "."
            ignored = "the step has `allowFailure`/`allowExitCodes`" if step.allow_failure else ""
            for sc in build.step_commands(step):
                locate = scalar_locator(source, sc.node) if sc.script is not None else _fixed(Y.span(source, sc.node))
                out.append(model.Command(sc.command, step, step.label(), variables, locate, sc.offset, sc.script,
                                         sc.errexit, False, ignored, None if "$" in workdir else workdir))
        return out

    def repository_root(self) -> str | None:
        """A build's paths are relative to the source it is given: the repository when a trigger
        starts it, the folder `gcloud builds submit` names when run by hand. Only a configuration
        at the top of the scanned tree makes both the same folder."""
        return "" if "/" not in self.source.rel_path else None

    def candidate_roots(self) -> list[str]:
        """A nested configuration: the repository (a trigger's source), its own folder or a folder
        between them (`gcloud builds submit <folder> --config ...`)."""
        parts = self.source.rel_path.split("/")[:-1]
        return ["/".join(parts[:depth]) for depth in range(len(parts) + 1)]

    def image_inputs(self) -> list[model.ImageInput]:
        source = self.native.source
        return [model.ImageInput(PUSH, Y.text(node) or "", Y.span(source, node), self.native,
                                 dict(self.native.substitutions))
                for node in Y.items(Y.get(self.native.node, "images")) if Y.is_scalar(node) and Y.text(node)]


def _fixed(span: Span):
    return lambda start, end: span
