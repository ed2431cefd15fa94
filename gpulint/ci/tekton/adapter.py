"""Tekton into the CI model: a Pipeline's tasks, EventListener scenarios, `runAfter` and `when`
as gates, and the GPU resources and node selection of the pods that run GPU steps."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cached_property

from gpulint.artifacts.kubernetes.scheduling import selection
from gpulint.ci import model
from gpulint.ci.refs import bounded, derived_names
from gpulint.ci.tekton import pipeline as T
from gpulint.core.source import Span
from gpulint.core.tri import Tri
from gpulint.syntax import cel
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import scalar_locator


def _scenario(s: T.TScenario) -> model.Scenario:
    return model.Scenario(s.key, s.label, main_push=s.main, release=s.key == "push-tag")


class TektonPipeline(model.Pipeline):
    system = "tekton"
    unit_name = "task"
    main_only_fix = "filter the EventListener with CEL `body.ref == 'refs/heads/main'`, or add a `when` on the push task"
    undecided = "(may run: a `when` or trigger cannot be decided)"

    def __init__(self, pipeline: T.TPipeline, index: T.Index) -> None:
        self.native = pipeline
        self.index = index
        self.source = pipeline.source
        self.triggers_known = bool(index.triggers_of(pipeline))

    @property
    def name(self) -> str:
        return f"Pipeline '{self.native.name}'"

    @property
    def anchor(self) -> Span:
        return Y.span(self.native.source, self.native.anchor)

    @cached_property
    def actions(self) -> list[model.Action]:
        out = []
        for task, hit in self.native.hits():
            out.append(model.Action(hit.kind, hit.detail, Y.span(task.source, task.anchor), task.label(), task,
                                    None, (task, hit)))
        return out

    @cached_property
    def _scenarios(self) -> dict[model.Scenario, T.TScenario]:
        found = {_scenario(s): s for s in T.SCENARIOS}
        for name in self._gate_names():  # the branches the pipeline's own filters would be fooled by
            s = T.TScenario(f"push-branch:{name}", f"a push to branch `{name}`", "push", f"refs/heads/{name}")
            found[_scenario(s)] = s
        return found

    def _gate_names(self) -> list[str]:
        """Branch names resembling the refs that the triggers' CEL filters and the tasks' `when`
        compare with (`body.ref == 'refs/heads/main'`, `values: [refs/heads/main]`)."""
        literals: list[str] = []
        for trigger, _run in self.index.triggers_of(self.native):
            for _, node in Y.walk(trigger):
                text = Y.text(node) if Y.is_scalar(node) else None
                if text and "refs/" in text:
                    try:
                        tree = cel.parse(text)
                    except cel.CelSyntaxError:
                        continue
                    literals += _cel_strings(tree)
        for task in self.native.tasks.values():
            for when in task.when:
                literals += [v for v in when.values or [] if isinstance(v, str)]
        return bounded([n for lit in literals if lit.startswith("refs/heads/") for n in derived_names(lit)])

    def scenarios(self) -> Sequence[model.Scenario]:
        return list(self._scenarios)

    def runs(self, action: model.Action, scenario: model.Scenario) -> Tri:
        return self.index.task_runs(action.unit, self._scenarios[scenario])

    def possible(self, action: model.Action) -> bool:
        return self.index.possible(action.unit)

    def gate(self, test: model.Action, push: model.Action, scenario: model.Scenario) -> str:
        return T.gate(self.index, test.native, push.native, self._scenarios[scenario])

    def never_runs(self, action: model.Action) -> str:
        return "its `when` expressions or its triggers exclude every event"

    def push_gate(self, push: model.Action, outside: list) -> str:
        task: T.PTask = push.unit
        return "its `when` does not exclude " + ("them" if len(outside) > 1 else "it") if task.when \
            else "no `when` restricts it"

    def runner_verdicts(self, context: model.RunnerContext) -> Iterator[model.RunnerVerdict]:
        ix = self.index
        groups = list(context.node_groups)
        for task in self.native.tasks.values():
            work = [h for h in task.hits if h.kind in (model.TEST, model.GPU) and h.step is not None]
            if not work or not ix.possible(task):
                continue
            seen_steps: set[int] = set()
            for hit in work:
                step = hit.step
                if id(step) in seen_steps:
                    continue
                seen_steps.add(id(step))
                limits = [n for n in [step.gpu_limit()] + ix.run_gpu_limits(task, step) if n is not None]
                if not any(T.gpu_limit_ok(n) for n in limits):
                    where = limits[0] if limits else step.anchor
                    why = (f"its nvidia.com/gpu limit `{Y.text(limits[0])}` is not a whole number ≥ 1"
                           if limits else "it asks for no nvidia.com/gpu in computeResources.limits")
                    yield model.RunnerVerdict(model.NOT_GPU, Y.span(step.task.source, where),
                                              f"{step.label()} (used by {task.label()}) does GPU work ({hit.detail}) "
                                              f"but {why}: the device plugin gives it no GPU",
                                              fix="ask for `nvidia.com/gpu: 1` in the step's computeResources.limits")
            for source, pod in ix.pod_templates(task):
                chosen = selection(pod)
                if not chosen.selects or not groups:
                    continue
                matched = [g for g in groups if chosen.matches(g)]
                if matched and not any(g.gpu for g in matched):
                    yield model.RunnerVerdict(model.NOT_GPU, Y.span(source, chosen.anchor),
                                              f"{task.label()} does GPU work ({work[0].detail}) but its pod template "
                                              "selects only node groups without GPUs "
                                              f"({', '.join(g.describe() for g in matched[:3])})",
                                              fix="select the GPU node pool's labels in the pod template's nodeSelector")

    # ------------------------------------------------------------------ what the steps run

    @cached_property
    def commands(self) -> list[model.Command]:
        out: list[model.Command] = []
        for task in self.native.tasks.values():
            if task.task is None or not self.index.possible(task):
                continue
            ignored = "the pipeline task has `onError: continue`" if task.on_error_continue else ""
            for step in task.task.steps:
                variables = {T._text(Y.get(e, "name")) or "": T._text(Y.get(e, "value")) or ""
                             for e in Y.items(Y.get(step.node, "env")) if T._text(Y.get(e, "value")) is not None}
                why = ignored or ("its step has `onError: continue`" if step.on_error_continue else "")
                source = step.task.source
                for sc in T.step_commands(step):
                    locate = scalar_locator(source, sc.node) if sc.script is not None else _fixed(Y.span(source, sc.node))
                    out.append(model.Command(sc.command, task, f"{step.label()} (used by {task.label()})", variables,
                                             locate, sc.offset, sc.script, sc.errexit, False, why, None))
        return out

    def normalise(self, text: str) -> str:
        """``$(params.image)`` as a variable whose value is unknown (it is bound at run time)."""
        return _TEKTON_VAR.sub(lambda m: "${tekton_" + re.sub(r"\W", "_", m.group(1)) + "}", text)


_TEKTON_VAR = re.compile(r"\$\(([A-Za-z][\w.\-\[\]'\"]*)\)")


def _fixed(span: Span):
    return lambda start, end: span


def _cel_strings(tree) -> list[str]:
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        if node.op == "lit" and isinstance(node.value, str):
            out.append(node.value)
        stack.extend(a for a in node.args if isinstance(a, cel.Node))
    return out
