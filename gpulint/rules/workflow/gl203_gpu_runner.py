from __future__ import annotations

from collections.abc import Iterator

from gpulint.project.config import profile_of
from gpulint.core.findings import Severity
from gpulint.ci.github import matrix as ghmatrix
from gpulint.ci.github.pipeline import pipeline
from gpulint.ci.github.reuse import judged_through_callers
from gpulint.rules.base import Report, Rule


def gpu_runner_verdicts(rule: Rule, workflow, project, verdict: str) -> Iterator[Report]:
    """Reports for the legs of GPU jobs whose runner has the given verdict, one per node."""
    if judged_through_callers(project, workflow):
        return  # judged with each caller's inputs, at the caller's `uses:` job
    p = pipeline(workflow, project)
    extra = tuple(getattr(getattr(project, "config", None), "gpu_runner_labels", ()) or ())
    profile = profile_of(project)
    for job in workflow.jobs.values():
        work = [h for h in p.gpu_work(job) if p.possible(h)]
        if work and job.uses:
            yield from _called_runners(rule, workflow, job, work, extra, profile, verdict)
        if not work or job.uses:
            continue
        what = f"job '{job.id}' does GPU work ({work[0].detail})"
        if job.runs_on is None:
            if verdict == ghmatrix.NOT_GPU:
                yield rule.report(workflow.span(job.key), f"{what} but has no `runs-on`; run it on "
                                  "`runs-on: [self-hosted, gpu]`")
            continue
        by_node: dict[int, list[ghmatrix.Runner]] = {}
        for runner in ghmatrix.runners(workflow, job):
            if not any(ghmatrix.leg_may_run(job, h.step, runner.leg, workflow.input_defaults) for h in work):
                continue  # this leg skips every GPU step (`if: contains(matrix.os, 'gpu')`)
            if ghmatrix.classify(runner, extra, profile).verdict == verdict:
                by_node.setdefault(id(runner.node), []).append(runner)
        for runners in by_node.values():
            legs = [r.leg.describe() for r in runners if r.leg is not None and r.leg.values]
            where = f" for matrix leg{'s' if len(legs) > 1 else ''} " + "; ".join(f"({x})" for x in legs[:4]) \
                if legs else ""
            yield rule.report(workflow.span(runners[0].node), f"{what}{where}, but {runners[0].reason}")


def _called_runners(rule: Rule, workflow, job, work, extra, profile, verdict) -> Iterator[Report]:
    """Runners of the called workflow's jobs that do GPU work, with the caller's `with:` inputs."""
    from gpulint.syntax import github_expressions as E
    from gpulint.syntax import yamlnode as Y
    from gpulint.ci.github.reuse import call_inputs

    neutral = {"github": E.OpenDict(), "vars": E.OpenDict(), "secrets": E.OpenDict(), "env": E.OpenDict(),
               "needs": E.OpenDict(), "matrix": E.OpenDict(), "inputs": E.OpenDict(), "job": E.OpenDict(),
               "runner": E.OpenDict(), "strategy": E.OpenDict()}
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
            if verdict == ghmatrix.NOT_GPU:
                yield rule.report(workflow.span(Y.get_pair(job.node, "uses")[0]), f"{what} but has no `runs-on`")
            continue
        inputs = call_inputs(workflow, callee, job, neutral)
        found = [r for r in ghmatrix.runners(callee, inner_job, dict(inputs))
                 if ghmatrix.classify(r, extra, profile).verdict == verdict]
        if not found:
            continue
        runs_on = Y.text(inner_job.runs_on) if Y.is_scalar(inner_job.runs_on) else ""
        anchor = Y.get(job.node, "uses")
        for name, value in Y.pairs(Y.get(job.node, "with")):
            if Y.key_text(name) and f"inputs.{Y.key_text(name)}" in (runs_on or ""):
                anchor = value  # the caller's input that picks the runner
        yield rule.report(workflow.span(anchor), f"{what}, but {found[0].reason}")


class GpuRunner(Rule):
    """
    ## What it does
    Checks that every job doing GPU work (the GPU test, `docker run --gpus`, `nvidia-smi`) runs
    on a self-hosted runner with a GPU label, for every matrix leg: `runs-on` must include
    `self-hosted` and a label containing `gpu` (or one listed in `gpu-runner-labels` in the
    config); the `{group, labels}` form is accepted when its labels (or group) name a GPU.
    `runs-on: ${{ matrix.runner }}` is resolved through `strategy.matrix` with `include` and
    `exclude`. GitHub-hosted labels (`ubuntu-latest`, `windows-*`, `macos-*`), a bare
    `self-hosted`, or a leg without a GPU label fail.

    ## Why is this bad?
    GitHub-hosted runners have no NVIDIA GPU: `docker run --gpus all` there errors out or, with
    a fallback, silently tests the CPU path, so the pipeline reports green for an image that
    was never run on a GPU. A bare `self-hosted` label lets any self-hosted machine take the
    job. Keep untrusted pull requests off these machines too: a plain `pull_request` trigger on
    a self-hosted runner executes fork code on your host (mozilla/neqo#3872), and GitHub
    advises against self-hosted runners for public repositories' pull requests
    (allenai/allennlp#4108); guard such jobs with
    `github.event.pull_request.head.repo.full_name == github.repository`.

    ## Example
    ```yaml
    gpu-test:
      runs-on: ${{ matrix.os }}
      strategy:
        matrix:
          os: [[self-hosted, gpu], ubuntu-latest]
      steps:
        - run: docker run --rm --gpus all app python3 /app/smoke_test.py
    ```

    ## Use instead
    ```yaml
    gpu-test:
      runs-on: [self-hosted, gpu]
      steps:
        - run: docker run --rm --gpus all app python3 /app/smoke_test.py
    ```

    ## Fix
    Register a self-hosted runner on a GPU host with a `gpu` label and use
    `runs-on: [self-hosted, gpu]` (or `{group: ..., labels: [gpu]}`) in every GPU job and leg.
    """

    id = "GL203"
    name = "gpu-job-not-on-gpu-runner"
    severity = Severity.ERROR
    kind = "workflow"
    criterion = "workflow.gpu-runner"
    summary = "a job doing GPU work does not run on a self-hosted GPU runner (for some matrix leg)"
    fix = "use `runs-on: [self-hosted, gpu]` for every job (and matrix leg) that runs the GPU test"

    def check(self, workflow, project):
        yield from gpu_runner_verdicts(self, workflow, project, ghmatrix.NOT_GPU)
