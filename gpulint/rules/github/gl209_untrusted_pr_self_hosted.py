from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.project.config import profile_of
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y
from gpulint.ci.github.matrix import is_gpu_label, runners
from gpulint.ci.github.scenarios import Evaluator, github_context, scenarios
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.pipelines import fork_guard
from gpulint.rules.base import Rule

_REPO, _OWNER, _OUTSIDER = "acme/gpu-app", "acme", "outsider"


def self_hosted(workflow, job) -> bool:
    """Some matrix leg of the job runs on a self-hosted runner (a `self-hosted` label, or a label
    or runner group that names a GPU: `linux-a100`, `gpu`; GitHub-hosted runners have none)."""
    for runner in runners(workflow, job):
        lower = [label.strip().lower() for label in runner.known]
        names = runner.known + ([runner.group] if runner.group is not None else [])
        if "self-hosted" in lower or any(is_gpu_label(x) for x in names):
            return True
    return False


def labelled_self_hosted(workflow, job) -> bool:
    """Some matrix leg names `self-hosted` itself: a GPU label alone may also select a GitHub-hosted
    larger runner (ephemeral, wiped after each job), which gpulint cannot tell apart."""
    return any("self-hosted" in label.strip().lower() for runner in runners(workflow, job) for label in runner.known)


def in_repository_workflows(workflow) -> bool:
    parts = workflow.source.rel_path.replace("\\", "/").split("/")
    return any(a == ".github" and b == "workflows" for a, b in zip(parts, parts[1:]))


def fork_context(scenario) -> E.OpenDict:
    """The `github` context of a pull request opened from a fork by an outside contributor."""
    ctx = github_context(scenario)
    head = E.OpenDict(ref="feature-x", sha="0" * 40, label=f"{_OUTSIDER}:feature-x",
                      repo=E.OpenDict(full_name=f"{_OUTSIDER}/gpu-app", fork=True, name="gpu-app",
                                      owner=E.OpenDict(login=_OUTSIDER)))
    pull = ctx["event"].get("pull_request") if isinstance(ctx.get("event"), dict) else None
    pull = E.OpenDict(pull or {}, head=head, labels=[], author_association="NONE",
                      user=E.OpenDict(login=_OUTSIDER), draft=False)
    event = E.OpenDict(ctx.get("event") or {}, pull_request=pull, sender=E.OpenDict(login=_OUTSIDER))
    return E.OpenDict(ctx, repository=_REPO, repository_owner=_OWNER, actor=_OUTSIDER, triggering_actor=_OUTSIDER,
                      event=event, head_ref="feature-x")


def checks_out_head(job) -> bool:
    for step in job.steps:
        if not step.action.startswith("actions/checkout"):
            continue
        pair = step.with_.get("ref") or step.with_.get("repository")
        text = Y.text(pair[1]) if pair else None
        if text and ("head" in text or "pull/" in text or "merge" in text):
            return True
    return False


class UntrustedPrOnSelfHosted(Rule):
    """
    ## What it does
    Reports a job that runs on a self-hosted runner for code from outside the repository:
    * any self-hosted job that can run for `pull_request_target` (worse when it checks out the
      pull request's head);
    * a self-hosted job that can run for a `pull_request` opened from a fork. The job's `if:`
      (and the `if:` of the jobs it `needs`) is evaluated with the expression engine for a pull
      request from a fork by an outside contributor, so a guard such as
      `github.event.pull_request.head.repo.full_name == github.repository`,
      `!github.event.pull_request.head.repo.fork`, an `author_association` check or a required
      label keeps the job off the runner. This part applies to workflows in a repository's
      `.github/workflows/` (a YAML file elsewhere may be a snippet whose triggers are
      illustrative). In the `production` profile this part is a warning: a repository can make
      fork pull requests wait for a maintainer's approval, a setting outside the files; when the
      runner's labels name a GPU machine but not `self-hosted`, the message says the label may
      also pick a GitHub-hosted larger GPU runner (confidence low: most such labels are a team's
      own GPU hosts).

    ## Why is this bad?
    A pull request from a fork runs the contributor's code (the Dockerfile's `RUN`, the tests,
    the workflow's own scripts) on the team's GPU host, which keeps state between jobs, sits on
    the internal network and often holds registry credentials (mozilla/neqo#3872,
    Kong/apiops-lab#13). `pull_request_target` with a checkout of the fork's head on a
    self-hosted runner is a critical, persistent compromise (ultravideo/kvazaar#450). GitHub
    advises against self-hosted runners for public repositories' pull requests
    (allenai/allennlp#4108); teams guard GPU jobs with the `head.repo.full_name` check
    (scroll-tech/ceno#1370), and that guard must also exclude `pull_request_target`
    (VeriTeknik/pluggedin-app#158).

    ## Example
    ```yaml
    on: [push, pull_request]
    jobs:
      gpu-test:
        runs-on: [self-hosted, gpu]
    ```

    ## Use instead
    ```yaml
    on: [push, pull_request]
    jobs:
      gpu-test:
        if: github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository
        runs-on: [self-hosted, gpu]
    ```

    ## Fix
    Never use `pull_request_target` with self-hosted runners; for `pull_request`, guard the
    first self-hosted job with `if: github.event_name != 'pull_request' ||
    github.event.pull_request.head.repo.full_name == github.repository` (later jobs that
    `needs` it are skipped with it), or run fork pull requests on GitHub-hosted runners.

    Automatic fix: the first self-hosted job the reported job needs (or the job itself) gets the
    fork guard `if: github.event_name != 'pull_request' ||
    github.event.pull_request.head.repo.full_name == github.repository`, with `github.event_name
    != 'pull_request_target' &&` in front when the workflow has that trigger: safe when the job
    had no `if:`, unsafe when its own `if:` is kept next to the guard.
    """

    id = "GL209"
    name = "untrusted-pr-on-self-hosted"
    severity = Severity.ERROR
    kind = "workflow"
    criterion = None
    summary = "a self-hosted (GPU) runner runs code from fork pull requests or pull_request_target"
    fix = ("guard the job with `if: github.event_name != 'pull_request' || "
           "github.event.pull_request.head.repo.full_name == github.repository`; never use pull_request_target here")
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.SAFE, Applicability.UNSAFE)

    def check(self, workflow, project):
        reported: set[str] = set()
        for scenario in scenarios(workflow):
            if scenario.event == "pull_request_target":
                states = Evaluator(workflow, scenario).job_states()
                why = "for pull_request_target, with the base repository's secrets and write token"
            elif scenario.event == "pull_request" and in_repository_workflows(workflow):
                evaluator = Evaluator(workflow, scenario)
                evaluator.__dict__["base_context"] = dict(evaluator.base_context, github=fork_context(scenario))
                states = evaluator.job_states()
                why = "for a pull request from a fork, executing the contributor's code"
            else:
                continue
            for job in workflow.jobs.values():
                if job.id in reported or states.get(job.id, False) is False or not self_hosted(workflow, job):
                    continue
                reported.add(job.id)
                head = " and checks out the pull request's head" if scenario.event == "pull_request_target" \
                    and checks_out_head(job) else ""
                may = " may" if states[job.id] is E.UNKNOWN else " can"
                anchor = job.if_.node if job.if_ is not None else job.key
                # A fork's plain pull_request waits for a maintainer's approval when the repository
                # requires it (a setting outside the files): in production, a warning of medium
                # confidence; pull_request_target runs with the base repository's secrets: an error.
                softer = scenario.event == "pull_request" and profile_of(project) == "production"
                unsure = softer and not labelled_self_hosted(workflow, job)
                runner = ("a self-hosted runner (its labels name a GPU machine but not `self-hosted`: it may "
                          "also be a GitHub-hosted larger runner, wiped after each job)") if unsure \
                    else "a self-hosted runner"
                yield self.report(workflow.span(anchor),
                                  f"job '{job.id}'{may} run on {runner} {why}{head}; the runner "
                                  "and everything it can reach are exposed to untrusted code"
                                  + (" unless the repository requires approval for outside contributors' workflow "
                                     "runs" if softer else ""),
                                  severity=Severity.WARNING if softer else None,
                                  confidence="low" if unsure else "medium" if softer else "high",
                                  autofix=fork_guard(workflow, job, _untrusted_events(workflow),
                                                     lambda j: self_hosted(workflow, j)))


def _untrusted_events(workflow) -> set[str]:
    """The events this rule judges as untrusted for this workflow (what a guard must exclude)."""
    return {s.event for s in scenarios(workflow) if s.event == "pull_request_target"
            or (s.event == "pull_request" and in_repository_workflows(workflow))}
