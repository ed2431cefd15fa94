"""The build -> GPU test -> push pipeline of one workflow, judged scenario by scenario.

Combines command detection (`ghcommands`) with scenario evaluation (`ghscenarios`): where each
build, test and push step may run, and whether a failed GPU test stops each push.
"""

from __future__ import annotations

from functools import cached_property

from gpulint.ci.commands import BUILD, GPU, PUSH, TEST, Hit, workflow_hits
from gpulint.ci.github.scenarios import Evaluator, Scenario, Tri, and3, cond, scenarios, truthy_value
from gpulint.ci.github.workflow import Job, Step, Workflow
from gpulint.core.records import Record, replace
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y

_PASSED = {"success": True, "failure": False, "always": True, "cancelled": False}


class Via(Record):
    """Where a hit found through a local reusable workflow call really is."""

    caller: Job  # the calling job (`uses: ./.github/workflows/x.yml`)
    callee: Workflow
    job: Job  # the called workflow's job
    inner: Step  # the step in it
    order: int  # the step's position in the called workflow (its jobs in `needs` order)


class Ungated(Record):
    scenario: Scenario
    state: Tri  # True: runs; UNKNOWN: may run (an expression could not be decided)
    reason: str = ""


class Pipeline:
    def __init__(self, workflow: Workflow, project=None) -> None:
        self.workflow = workflow
        self.project = project
        self.scenarios = scenarios(workflow)
        self.evaluators = {s.key: Evaluator(workflow, s) for s in self.scenarios}

    @cached_property
    def hits(self) -> list[Hit]:
        if self.project is None:
            return workflow_hits(self.workflow)
        from gpulint.ci.commands import followed_step_hits, gpu_container
        from gpulint.ci.github.reuse import called_workflow, repo_prefix

        prefix = repo_prefix(self.workflow)
        hits: list[Hit] = []
        for job in self.workflow.jobs.values():
            gpu = gpu_container(job)
            for step in job.steps:
                hits.extend(followed_step_hits(step, self.project, prefix, gpu=gpu))
            callee = called_workflow(self.project, self.workflow, job)
            if callee is not None:
                hits.extend(self._called_hits(job, callee))
        return hits

    def _called_hits(self, job: Job, callee: Workflow) -> list[Hit]:
        """The called workflow's hits, as work of the calling job (pointing at its `uses:`)."""
        from gpulint.ci.commands import followed_step_hits, gpu_container
        from gpulint.ci.github.reuse import repo_prefix

        prefix = repo_prefix(callee)
        pair = Y.get_pair(job.node, "uses")
        out: list[Hit] = []
        order = 0
        for inner_job in callee.topological():
            gpu = gpu_container(inner_job)
            for inner in inner_job.steps:
                order += 1
                label = f"{inner.label()} of job '{inner_job.id}' in the called workflow {callee.source.rel_path}"
                stand_in = Step(order, job.node, job.id, uses_key=pair[0] if pair else None, uses=job.uses,
                                continue_on_error=inner.continue_on_error, via=label)
                for hit in followed_step_hits(inner, self.project, prefix, gpu=gpu):
                    out.append(replace(hit, step=stand_in, via=Via(job, callee, inner_job, inner, order)))
        return out

    def _via_context(self, hit: Hit, ev: Evaluator, states: dict, failed: frozenset[str]) -> dict:
        from gpulint.ci.github.reuse import call_inputs

        via: Via = hit.via  # type: ignore[assignment]
        ctx = ev.job_context(via.caller, states, failed)
        return dict(ctx, inputs=call_inputs(self.workflow, via.callee, via.caller, ctx), needs=E.OpenDict(),
                    steps=E.OpenDict(), matrix=E.OpenDict())

    def _state(self, hit: Hit, ev: Evaluator, failed_jobs: frozenset[str] = frozenset()) -> Tri:
        """May the hit's step run (its job's and step's `if:`, those of a called workflow's job and
        step, and those of composite action steps), when the jobs in `failed_jobs` fail."""
        job = self.job(hit)
        if hit.via is None:
            state = ev.step_state(job, hit.step, failed_jobs=failed_jobs)
            ctx = None
        else:
            states = ev.job_states(failed_jobs)
            state = states.get(job.id, False)
            if state is False:
                return False
            ctx = self._via_context(hit, ev, states, failed_jobs)
            state = and3(state, cond(hit.via.job.if_, ctx, _PASSED))
            state = and3(state, cond(hit.via.inner.if_, ctx, _PASSED))
        if hit.conds and state is not False:
            if ctx is None:
                ctx = dict(ev.job_context(job, ev.job_states(failed_jobs), failed_jobs), matrix=E.OpenDict(),
                           steps=E.OpenDict())
            inner_ctx = dict(ctx, inputs=self._action_inputs(hit, ctx))
            for expr in hit.conds:
                state = and3(state, cond(expr, inner_ctx, _PASSED))
        return state

    @staticmethod
    def _action_inputs(hit: Hit, ctx: dict) -> E.OpenDict:
        from gpulint.ci.github.reuse import evaluate_value

        return E.OpenDict({k: evaluate_value(v, ctx) for k, v in (hit.inputs or {}).items()})

    def of(self, kind: str) -> list[Hit]:
        return [h for h in self.hits if h.kind == kind]

    def job(self, hit: Hit) -> Job:
        return self.workflow.jobs[hit.step.job_id]

    def runs(self, hit: Hit, scenario: Scenario) -> Tri:
        """May the hit's step run in `scenario` (and, for an action, does `push:` hold there)."""
        ev = self.evaluators[scenario.key]
        state = self._state(hit, ev)
        if hit.kind == PUSH and hit.push_input is not None:
            if hit.via is not None:
                ctx = self._via_context(hit, ev, ev.job_states(), frozenset())
            else:
                ctx = dict(ev.job_context(self.job(hit), ev.job_states(), frozenset()), matrix=E.OpenDict())
            if hit.inputs is not None:
                ctx = dict(ctx, inputs=self._action_inputs(hit, ctx))
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
        # An action that runs the GPU test on machines of its own needs no GPU on the runner.
        return [h for h in self.hits if h.kind in (TEST, GPU) and h.step.job_id == job.id and not h.remote]

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
                reason = self.gate(test, push, s)
                if not reason:
                    break
                reasons.append(reason)
            else:
                why = reasons[0] if reasons else "the workflow runs no GPU test"
                out.append(Ungated(s, self.runs(push, s), why))
        return out

    def gate(self, test: Hit, push: Hit, s: Scenario) -> str:
        """'' when a failure of `test` stops `push` in `s`; otherwise why it does not."""
        masked = self._masks(test, s)
        test_job, push_job = self.job(test), self.job(push)
        where = f"the GPU test in job '{test_job.id}'"
        if masked:
            return f"{where} cannot gate it: {masked}"
        ev = self.evaluators[s.key]
        if self.runs(test, s) is False:
            return f"{where} does not run on {s.label}"
        if test_job is push_job and (test.via is not None or push.via is not None):
            return self._gate_called(test, push, where)
        if test_job is push_job and test.step is push.step and test.sub and push.sub:
            if test.sub >= push.sub:
                return f"{where} runs after the push (both in {push.step.label()})"
            if any(e.uses_status for e in push.conds):
                return "the push's composite action step has an `if:` with a status function"
            return ""
        if test_job is push_job:
            if test.step.index >= push.step.index:
                return f"{where} runs after the push step"
            if ev.step_state(push_job, push.step, failed_step=test.step) is False:
                return ""
            return "the push step's `if:` lets it run after the GPU test step failed"
        if test_job.id not in self.workflow.ancestors(push_job.id):
            return (f"job '{push_job.id}' does not depend on job '{test_job.id}', which runs the GPU test "
                    f"(add `needs: {test_job.id}`)")
        if self._state(push, ev, failed_jobs=frozenset({test_job.id})) is False:
            return ""
        return (f"job '{push_job.id}' still runs when job '{test_job.id}' failed (its `if:` uses a status "
                f"function such as always() or failure())")


    def _gate_called(self, test: Hit, push: Hit, where: str) -> str:
        """Gating of a test and a push done by the same calling job (through the called workflow)."""
        tv, pv = test.via, push.via
        if tv is None or pv is None or tv.callee is not pv.callee:
            return f"{where} and the push are not ordered inside the called workflow"
        callee = pv.callee.source.rel_path
        if tv.job is pv.job:
            if (tv.order, test.sub) >= (pv.order, push.sub):
                return f"{where} runs after the push step in the called workflow {callee}"
            if pv.inner.if_ is not None and pv.inner.if_.uses_status or any(e.uses_status for e in push.conds):
                return f"the push step's `if:` in the called workflow {callee} lets it run after the test failed"
            return ""
        if tv.job.id not in pv.callee.ancestors(pv.job.id):
            return (f"in the called workflow {callee}, job '{pv.job.id}' does not depend on job '{tv.job.id}', "
                    f"which runs the GPU test (add `needs: {tv.job.id}`)")
        if pv.job.if_ is not None and pv.job.if_.uses_status:
            return (f"in the called workflow {callee}, job '{pv.job.id}' still runs when job '{tv.job.id}' "
                    "failed (its `if:` uses a status function)")
        return ""


def pipeline(workflow: Workflow, project=None) -> Pipeline:
    """The workflow's pipeline, built once and shared by every rule. With `project`, local
    reusable workflows and composite actions are followed."""
    key = "_pipeline" if project is None else "_pipeline_followed"
    cached = workflow.__dict__.get(key)
    if cached is None or (project is not None and cached.project is not project):
        cached = workflow.__dict__[key] = Pipeline(workflow, project)
    return cached





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
        project.of_kind("workflow"), key=lambda w: (w.source.rel_path, Y.start(w.node))))
    if any(pipeline(w, project).existing(kind) for w in workflows):
        return False
    doers = [w for w in workflows if any(pipeline(w, project).existing(k) for k in (BUILD, TEST, PUSH))]
    return (doers or workflows or [workflow])[0] is workflow
