"""The build -> GPU test -> push pipeline of one workflow, judged scenario by scenario.

Combines command detection (`ghcommands`) with scenario evaluation (`ghscenarios`): where each
build, test and push step may run, and whether a failed GPU test stops each push.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from gpulint.models import expressions as E
from gpulint.models.ghcommands import BUILD, GPU, PUSH, TEST, Hit, workflow_hits
from gpulint.models.ghscenarios import Evaluator, Scenario, Tri, and3, scenarios, truthy_value
from gpulint.models.workflow import Job, Workflow


@dataclass
class Ungated:
    scenario: Scenario
    state: Tri  # True: runs; UNKNOWN: may run (an expression could not be decided)
    reason: str = ""


class Pipeline:
    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.scenarios = scenarios(workflow)
        self.evaluators = {s.key: Evaluator(workflow, s) for s in self.scenarios}

    @cached_property
    def hits(self) -> list[Hit]:
        return workflow_hits(self.workflow)

    def of(self, kind: str) -> list[Hit]:
        return [h for h in self.hits if h.kind == kind]

    def job(self, hit: Hit) -> Job:
        return self.workflow.jobs[hit.step.job_id]

    def runs(self, hit: Hit, scenario: Scenario) -> Tri:
        """May the hit's step run in `scenario` (and, for an action, does `push:` hold there)."""
        ev = self.evaluators[scenario.key]
        state = ev.step_state(self.job(hit), hit.step)
        if hit.kind == PUSH and hit.push_input is not None:
            ctx = dict(ev.job_context(self.job(hit), ev.job_states(), frozenset()), matrix=E.OpenDict())
            state = and3(state, truthy_value(hit.push_input, ctx))
        return state

    def possible(self, hit: Hit) -> bool:
        """The hit may run in some scenario (or the workflow has no trigger to judge by)."""
        if hit.kind == PUSH and hit.push_input is not None and truthy_value(hit.push_input, {}) is False:
            return False
        if not self.scenarios:
            return True
        return any(self.runs(hit, s) is not False for s in self.scenarios)

    def existing(self, kind: str) -> list[Hit]:
        return [h for h in self.of(kind) if self.possible(h)]

    def gpu_work(self, job: Job) -> list[Hit]:
        return [h for h in self.hits if h.kind in (TEST, GPU) and h.step.job_id == job.id]

    # ------------------------------------------------------------------ push gating

    def outside_main(self, push: Hit) -> list[Ungated]:
        """Scenarios other than a push to main in which the push step may run."""
        out = []
        for s in self.scenarios:
            if not s.main_push:
                state = self.runs(push, s)
                if state is not False:
                    out.append(Ungated(s, state))
        return out

    def _masks(self, test: Hit, s: Scenario) -> str:
        """Why this test's failure cannot stop anything ('' when it can)."""
        if test.masked:
            return f"its failure is hidden (`{' '.join(test.command.argv()[:3]) if test.command else ''}` " \
                   "is masked by `|| true`, a pipe or an `if` test)"
        ev = self.evaluators[s.key]
        job = self.job(test)
        ctx = ev.job_context(job, ev.job_states(), frozenset())
        if truthy_value(test.step.continue_on_error, ctx) is not False:
            return "its step has `continue-on-error`"
        if truthy_value(job.continue_on_error, ctx) is not False:
            return f"job '{job.id}' has `continue-on-error`"
        return ""

    def untested(self, push: Hit) -> list[Ungated]:
        """Scenarios in which the push step may run although the GPU test failed or never ran."""
        out = []
        tests = self.of(TEST)
        for s in self.scenarios:
            if self.runs(push, s) is False:
                continue
            reasons: list[str] = []
            for test in tests:
                reason = self._gate(test, push, s)
                if not reason:
                    break
                reasons.append(reason)
            else:
                why = reasons[0] if reasons else "the workflow runs no GPU test"
                out.append(Ungated(s, self.runs(push, s), why))
        return out

    def _gate(self, test: Hit, push: Hit, s: Scenario) -> str:
        """'' when a failure of `test` stops `push` in `s`; otherwise why it does not."""
        masked = self._masks(test, s)
        test_job, push_job = self.job(test), self.job(push)
        where = f"the GPU test in job '{test_job.id}'"
        if masked:
            return f"{where} cannot gate it: {masked}"
        ev = self.evaluators[s.key]
        if self.runs(test, s) is False:
            return f"{where} does not run on {s.label}"
        if test_job is push_job:
            if test.step.index >= push.step.index:
                return f"{where} runs after the push step"
            if ev.step_state(push_job, push.step, failed_step=test.step) is False:
                return ""
            return f"the push step's `if:` lets it run after the GPU test step failed"
        if test_job.id not in self.workflow.ancestors(push_job.id):
            return (f"job '{push_job.id}' does not depend on job '{test_job.id}', which runs the GPU test "
                    f"(add `needs: {test_job.id}`)")
        if ev.step_state(push_job, push.step, failed_jobs=frozenset({test_job.id})) is False:
            return ""
        return (f"job '{push_job.id}' still runs when job '{test_job.id}' failed (its `if:` uses a status "
                f"function such as always() or failure())")


def pipeline(workflow: Workflow) -> Pipeline:
    """The workflow's pipeline, built once and shared by every rule."""
    cached = workflow.__dict__.get("_pipeline")
    if cached is None:
        cached = workflow.__dict__["_pipeline"] = Pipeline(workflow)
    return cached


def first_per_step(hits: list[Hit], workflow: Workflow | None = None) -> list[Hit]:
    """One hit per step; with `workflow`, steps whose job or step `if:` does not parse are left
    out (GL208 reports the syntax error; GitHub would not run the workflow at all)."""
    seen: set[int] = set()
    out = []
    for hit in hits:
        job = workflow.jobs.get(hit.step.job_id) if workflow is not None else None
        broken = [e for e in ((job.if_ if job else None), hit.step.if_) if e is not None and e.tree is None]
        if workflow is not None and broken:
            continue
        if id(hit.step) not in seen:
            seen.add(id(hit.step))
            out.append(hit)
    return out


def scenario_list(items: list[Ungated]) -> str:
    """"on a pull_request to main and on a push to branch feature-x (may run: ...)"."""
    parts = [f"on {u.scenario.label}" + (" (an `if:` cannot be decided statically: may run)"
                                         if u.state is E.UNKNOWN else "") for u in items]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def reports_missing(project, workflow: Workflow, kind: str) -> bool:
    """Whether a "no step does `kind`" finding belongs on this workflow.

    Teams split a pipeline over several workflows (build and test in one, release in another), so a
    build, GPU test or push in any workflow of the scanned tree satisfies the criterion. When none
    has it, the finding goes on one workflow only: the first (by path) doing any pipeline work,
    else the first.
    """
    workflows = project.memo("workflows-by-path", lambda: sorted(
        project.of_kind("workflow"), key=lambda w: (w.source.rel_path, w.node.start_mark.index)))
    if any(pipeline(w).existing(kind) for w in workflows):
        return False
    doers = [w for w in workflows if any(pipeline(w).existing(k) for k in (BUILD, TEST, PUSH))]
    return (doers or workflows or [workflow])[0] is workflow
