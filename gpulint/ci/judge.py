"""What the lifecycle asks of every pipeline, written once over the CI model.

Is the image built and the GPU test run (by some pipeline of the project)? Can a push run for
something other than a push to main? Can a push run without the GPU test having succeeded?
Adapters answer the per-system questions (``runs``, ``gate``); the answers are combined here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gpulint.ci.model import BUILD, PUSH, TEST, Action, Pipeline, Scenario
from gpulint.core.records import Record
from gpulint.core.tri import Tri


class Ungated(Record):
    """A scenario in which a push may run although it should not, and why."""

    scenario: Scenario
    state: Tri  # True: runs; UNKNOWN: may run
    reason: str = ""
    test: Action | None = None  # the GPU test whose gate the reason is about


def existing(pipeline: Pipeline, kind: str) -> list[Action]:
    """The actions of a kind that may run in some scenario (decided once per pipeline and kind:
    every rule about the project's other pipelines asks again)."""
    cache = pipeline.possible_by_kind
    found = cache.get(kind)
    if found is None:
        found = cache[kind] = [a for a in pipeline.of(kind) if pipeline.possible(a)]
    return list(found)


def first_per_unit(actions: list[Action]) -> list[Action]:
    """One action per step, job or task: a finding per unit, not per command. Actions under a
    condition that does not parse are left out (the system's syntax rule reports it; the CI
    system would not run the pipeline at all)."""
    seen: set[int] = set()
    out = []
    for action in actions:
        if not action.condition_error and id(action.unit) not in seen:
            seen.add(id(action.unit))
            out.append(action)
    return out


def outside_main(pipeline: Pipeline, push: Action, profile: str = "lab") -> list[Ungated]:
    """Scenarios other than a push to main in which the push may run. The production profile
    accepts deliberate publishing (a version tag, a release, a scheduled run on the default
    branch, a push to master); the lab accepts only a push to main."""
    out = []
    for scenario in pipeline.scenarios():
        if scenario.main_push or (profile == "production" and scenario.release):
            continue
        state = pipeline.runs(push, scenario)
        if state is not False:
            out.append(Ungated(scenario, state))
    return out


def untested(pipeline: Pipeline, push: Action) -> list[Ungated]:
    """Scenarios in which the push may run although the GPU test failed or never ran."""
    tests = pipeline.of(TEST)
    out = []
    for scenario in pipeline.scenarios():
        state = pipeline.runs(push, scenario)
        if state is False:
            continue
        reasons: list[tuple[str, Action]] = []
        for test in tests:
            reason = pipeline.gate(test, push, scenario)
            if not reason:
                break
            reasons.append((reason, test))
        else:
            reason, test = reasons[0] if reasons else (f"{pipeline.name} runs no GPU test", None)
            out.append(Ungated(scenario, state, reason, test))
    return out


def main_reason(items: list[Ungated]) -> Ungated:
    """The case to show: the one for a push to main when there is one (it matters most)."""
    return next((u for u in items if u.scenario.main_push), items[0])


def scenario_list(pipeline: Pipeline, items: Sequence[Ungated]) -> str:
    """"on a pull request to main and on a push to branch feature-x (may run: ...)"."""
    parts = [f"on {u.scenario.label}{pipeline.state_text(u.state)}" for u in items]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def missing_everywhere(pipelines: Sequence[Pipeline], kind: str) -> bool:
    """No pipeline of the project has an action of this kind that may run. Pipelines judged
    through others count too: a reusable workflow runs when a workflow calling it (perhaps
    through another reusable workflow) runs, and an included GitLab file with its pipeline."""
    return not any(existing(p, kind) for p in pipelines)


def reports_missing(pipelines: Sequence[Pipeline], pipeline: Pipeline,
                    concerned: Callable[[Pipeline], bool] | None = None) -> bool:
    """Whether a "no unit does this" finding belongs on this pipeline.

    Teams split a pipeline over several files (build and test in one workflow, release in
    another), so an action in any pipeline of the project satisfies the question. When none has
    it, the finding goes on one pipeline only: the first (by path) that ``concerned`` picks (the
    pipelines the finding is about, such as those pushing a GPU image), else the first doing any
    pipeline work, else the first."""
    judged = [p for p in pipelines if p.judged]
    picked = [p for p in judged if concerned(p)] if concerned is not None else []
    doers = [p for p in judged if any(existing(p, k) for k in (BUILD, TEST, PUSH))]
    return (picked or doers or judged or [pipeline])[0] is pipeline
