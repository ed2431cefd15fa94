"""GitHub Actions into the CI model: a workflow's steps, scenarios, gates and runners."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any

from gpulint.ci import model
from gpulint.ci.commands import Hit
from gpulint.ci.github import matrix as ghmatrix
from gpulint.ci.github.pipeline import pipeline as workflow_pipeline
from gpulint.ci.github.reuse import call_inputs, judged_through_callers
from gpulint.ci.github.scenarios import Scenario as GitHubScenario
from gpulint.ci.github.workflow import Workflow
from gpulint.core.source import Span
from gpulint.core.tri import Tri
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y

# Deliberate publishing the production profile accepts besides a push to main.
_RELEASE_KEYS = ("push-tag", "release", "registry_package")
_NOT_SCHEDULED = ("pull_request", "pull_request_target", "push-branch", "push-main", "workflow_dispatch",
                  "workflow_call", "merge_group")


def _is_release(s: GitHubScenario) -> bool:
    """A version tag or a release, a push to `master` as the default branch, or a scheduled (or
    otherwise automatic) run on the default branch."""
    if s.key in _RELEASE_KEYS:
        return True
    if s.key == "push-branch" and str(s.ref) == "refs/heads/master":
        return True
    return s.key not in _NOT_SCHEDULED and str(s.ref) == "refs/heads/main"


class GitHubPipeline(model.Pipeline):
    system = "github"
    unit_name = "step"
    undecided = "(an `if:` cannot be decided statically: may run)"

    def __init__(self, workflow: Workflow, project: Any) -> None:
        self.workflow = workflow
        self.project = project
        self.source = workflow.source
        self.judged = not judged_through_callers(project, workflow)
        self._native = workflow_pipeline(workflow, project)

    @property
    def name(self) -> str:
        return "the workflow"

    @property
    def anchor(self) -> Span:
        return self.workflow.span(self.workflow.anchor)

    @cached_property
    def actions(self) -> list[model.Action]:
        out = []
        for hit in self._native.hits:
            job = self.workflow.jobs.get(hit.step.job_id)
            broken = any(e is not None and e.tree is None for e in ((job.if_ if job else None), hit.step.if_))
            out.append(model.Action(hit.kind, hit.detail, self.workflow.span(hit.step.key_node),
                                    f"the {hit.step.label()} in job '{hit.step.job_id}'", hit.step, hit.command,
                                    hit, condition_error=broken))
        return out

    @cached_property
    def _scenarios(self) -> dict[model.Scenario, GitHubScenario]:
        return {model.Scenario(s.key, s.label, main_push=s.main_push, release=_is_release(s)): s
                for s in self._native.scenarios}

    def scenarios(self) -> Sequence[model.Scenario]:
        return list(self._scenarios)

    def runs(self, action: model.Action, scenario: model.Scenario) -> Tri:
        return self._native.runs(action.native, self._scenarios[scenario])

    def possible(self, action: model.Action) -> bool:
        return self._native.possible(action.native)

    def gate(self, test: model.Action, push: model.Action, scenario: model.Scenario) -> str:
        return self._native.gate(test.native, push.native, self._scenarios[scenario])

    def never_runs(self, action: model.Action) -> str:
        return "its job's or step's `if:` is false for every trigger"

    def push_gate(self, push: model.Action, outside: list) -> str:
        hit: Hit = push.native
        job = self.workflow.jobs[hit.step.job_id]
        ifs = [f"job `if: {e.text.strip()}`" for e in (job.if_,) if e is not None]
        ifs += [f"step `if: {e.text.strip()}`" for e in (hit.step.if_,) if e is not None]
        gate = (" and ".join(ifs) + " does not exclude " + ("it" if len(outside) == 1 else "them")) \
            if ifs else "no `if:` restricts it"
        if hit.push_input is not None:
            gate += f"; its `push:` input is `{Y.text(hit.push_input) or ''}`"
        return gate

    # ------------------------------------------------------------------ runners

    def runner_verdicts(self, context: model.RunnerContext) -> Iterator[model.RunnerVerdict]:
        if not self.judged:
            return  # judged with each caller's inputs, at the caller's `uses:` job
        workflow, p = self.workflow, self._native
        for job in workflow.jobs.values():
            work = [h for h in p.gpu_work(job) if p.possible(h)]
            if work and job.uses:
                yield from self._called_runners(job, work, context)
            if not work or job.uses:
                continue
            what = f"job '{job.id}' does GPU work ({work[0].detail})"
            if job.runs_on is None:
                yield model.RunnerVerdict(model.NOT_GPU, workflow.span(job.key),
                                          f"{what} but has no `runs-on`; run it on `runs-on: [self-hosted, gpu]`")
                continue
            by_node: dict[tuple[str, int], list[ghmatrix.Runner]] = {}
            for runner in ghmatrix.runners(workflow, job):
                if not any(ghmatrix.leg_may_run(job, h.step, runner.leg, workflow.input_defaults) for h in work):
                    continue  # this leg skips every GPU step (`if: contains(matrix.os, 'gpu')`)
                verdict = ghmatrix.classify(runner, context.extra_labels, context.profile).verdict
                if verdict in (model.NOT_GPU, model.UNKNOWN_RUNNER):
                    by_node.setdefault((verdict, id(runner.node)), []).append(runner)
            for (verdict, _), runners in by_node.items():
                legs = [r.leg.describe() for r in runners if r.leg is not None and r.leg.values]
                where = f" for matrix leg{'s' if len(legs) > 1 else ''} " + "; ".join(f"({x})" for x in legs[:4]) \
                    if legs else ""
                yield model.RunnerVerdict(verdict, workflow.span(runners[0].node),
                                          f"{what}{where}, but {runners[0].reason}")

    def _called_runners(self, job, work: list[Hit], context: model.RunnerContext) -> Iterator[model.RunnerVerdict]:
        """Runners of the called workflow's jobs that do GPU work, with the caller's `with:` inputs."""
        workflow = self.workflow
        neutral = {name: E.OpenDict() for name in ("github", "vars", "secrets", "env", "needs", "matrix", "inputs",
                                                   "job", "runner", "strategy")}
        seen: set[int] = set()
        for hit in work:
            via = hit.via
            if via is None or id(via.job) in seen:
                continue
            seen.add(id(via.job))
            callee, inner_job = via.callee, via.job
            what = (f"job '{job.id}' calls {callee.source.rel_path}, whose job '{inner_job.id}' does GPU work "
                    f"({hit.detail})")
            if inner_job.runs_on is None:
                yield model.RunnerVerdict(model.NOT_GPU, workflow.span(Y.get_pair(job.node, "uses")[0]),
                                          f"{what} but has no `runs-on`")
                continue
            inputs = call_inputs(workflow, callee, job, neutral)
            verdicts = [(ghmatrix.classify(r, context.extra_labels, context.profile).verdict, r)
                        for r in ghmatrix.runners(callee, inner_job, dict(inputs))]
            for wanted in (model.NOT_GPU, model.UNKNOWN_RUNNER):
                found = [r for v, r in verdicts if v == wanted]
                if not found:
                    continue
                runs_on = Y.text(inner_job.runs_on) if Y.is_scalar(inner_job.runs_on) else ""
                anchor = Y.get(job.node, "uses")
                for name, value in Y.pairs(Y.get(job.node, "with")):
                    if Y.key_text(name) and f"inputs.{Y.key_text(name)}" in (runs_on or ""):
                        anchor = value  # the caller's input that picks the runner
                yield model.RunnerVerdict(wanted, workflow.span(anchor), f"{what}, but {found[0].reason}")
