"""GitLab CI into the CI model: a pipeline's jobs, scenarios, gates and runner tags."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

from gpulint.ci import model
from gpulint.ci.commands import live_commands, runs_tests
from gpulint.ci.gitlab.pipeline import SCENARIOS, GitLabPipeline, Hit, gpu_tag, scenario_env
from gpulint.ci.refs import bounded, derived_names, regex_names
from gpulint.syntax import gitlab_expressions as GE
from gpulint.ci.gitlab.pipeline import Scenario as GitLabScenario
from gpulint.core.source import Span
from gpulint.core.tri import UNKNOWN, Tri
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import scalar_locator


def _scenario(s: GitLabScenario) -> model.Scenario:
    # GitLab schedules are set up outside the file, for a branch: the model's schedule runs main's
    # code, as a push to main does. A tag pipeline and a pipeline a maintainer runs by hand from the
    # web UI (GitHub's workflow_dispatch) publish on purpose (accepted in production).
    return model.Scenario(s.key, s.label, main_push=s.main_push, release=s.key in ("push-tag", "web"))


class GitLabCiPipeline(model.Pipeline):
    system = "gitlab"
    unit_name = "job"
    main_only_fix = 'give the push job `rules: - if: $CI_COMMIT_BRANCH == "main"` (or `only: [main]`)'
    undecided = "(a rule cannot be decided statically: may run)"

    def __init__(self, pipeline: GitLabPipeline, judged: bool) -> None:
        self.native = pipeline
        self.source = pipeline.source
        self.judged = judged

    @property
    def name(self) -> str:
        return "the GitLab pipeline"

    @property
    def anchor(self) -> Span:
        return Y.span(self.native.source, self.native.node)

    @cached_property
    def actions(self) -> list[model.Action]:
        return [model.Action(h.kind, h.detail, h.span(), f"job '{h.job.name}'", h.job, h.command, h)
                for h in self.native.hits]

    @cached_property
    def _scenarios(self) -> dict[model.Scenario, GitLabScenario]:
        found = {_scenario(s): s for s in SCENARIOS}
        known = {s.env.get("CI_COMMIT_BRANCH") for s in SCENARIOS}
        for name in self._gate_names():  # the branches the pipeline's own rules would be fooled by
            if name not in known:
                s = GitLabScenario(f"push-branch:{name}", f"a push to branch `{name}`", scenario_env("push", branch=name))
                found[_scenario(s)] = s
        return found

    def _gate_names(self) -> list[str]:
        """Branch names resembling the literals and regexes the `rules: if:` compare branches with."""
        names: list[str] = []
        for node in self._rule_conditions():
            try:
                tree = GE.parse(node)
            except GE.GitLabExprError:
                continue
            for compare in _compares(tree):
                sides = (compare.left, compare.right)
                if not any(isinstance(x, GE.Var) and x.name in _BRANCH_VARIABLES for x in sides):
                    continue
                for side in sides:
                    if isinstance(side, GE.Str):
                        names += derived_names(side.value)
                    elif isinstance(side, GE.Regex):
                        names += regex_names(side.pattern)
        return bounded(names)

    def _rule_conditions(self) -> list[str]:
        out = []
        for _, node in Y.walk(self.native.node):
            if Y.is_map(node):
                value = Y.get(node, "if")
                if Y.is_scalar(value) and Y.text(value) and any(k in Y.text(value) for k in _BRANCH_VARIABLES):
                    out.append(Y.text(value))
        for job in self.native.jobs.values():
            for item in Y.items(job.get("rules")):
                value = Y.get(item, "if") if Y.is_map(item) else None
                if Y.is_scalar(value) and Y.text(value):
                    out.append(Y.text(value))
        return list(dict.fromkeys(out))

    def scenarios(self) -> Sequence[model.Scenario]:
        return list(self._scenarios)

    def runs(self, action: model.Action, scenario: model.Scenario) -> Tri:
        hit: Hit = action.native
        return self.native.state(hit.job, self._scenarios[scenario])

    def possible(self, action: model.Action) -> bool:
        return self.native.possible(action.native.job)

    def gate(self, test: model.Action, push: model.Action, scenario: model.Scenario) -> str:
        return self.native.gate(test.native, push.native, self._scenarios[scenario])

    def never_runs(self, action: model.Action) -> str:
        return "the job's `rules:`/`only:` keep it out of every pipeline"

    def push_gate(self, push: model.Action, outside: list) -> str:
        job = push.native.job
        them = "them" if len(outside) > 1 else "it"
        if job.get("rules") is not None:
            return f"its `rules:` do not exclude {them}"
        if job.get("only") is not None or job.get("except") is not None:
            return f"its `only:`/`except:` do not exclude {them}"
        return "it has no `rules:` or `only:`, so it runs in every pipeline"

    def runner_verdicts(self, context: model.RunnerContext) -> Iterator[model.RunnerVerdict]:
        if not self.judged:
            return
        pipeline = self.native
        for job in pipeline.jobs.values():
            work = pipeline.gpu_work(job)
            if not work or not pipeline.possible(job):
                continue
            reasons: dict[str, list[str]] = {}
            for tags in pipeline.runner_tags(job):
                found, reason = gpu_tag(tags, context.extra_labels, context.profile)
                if found in (model.NOT_GPU, model.UNKNOWN_RUNNER) and reason not in reasons.setdefault(found, []):
                    reasons[found].append(reason)
            for verdict, why in reasons.items():
                if why:
                    yield model.RunnerVerdict(verdict, job.span("tags"), f"job '{job.name}' does GPU work "
                                              f"({work[0].detail}), but " + "; ".join(why[:2]))

    def suites_on_gpu_runners(self, context: model.RunnerContext) -> list[tuple[Span, str]]:
        """Test suites (`pytest`, `./run-tests.sh`) of jobs every leg of which runs on GPU-tagged
        runners: GPU tests of the code, or of the image when the job's `image:` is the built one."""
        pipeline = self.native
        found: list[tuple[Span, str]] = []
        for job in pipeline.jobs.values():
            if not pipeline.possible(job):
                continue
            legs = pipeline.runner_tags(job)
            if not legs or any(gpu_tag(tags, context.extra_labels, context.profile)[0] != "gpu" for tags in legs):
                continue
            for line in job.lines:
                suite = next((runs_tests(c.argv()) for c, _ in live_commands(line.node.value, errexit=True)
                              if runs_tests(c.argv())), None)
                if suite is not None:
                    tags = ", ".join(t for t in legs[0] if t)
                    found.append((job.span(), f"`{suite}` in job '{job.name}' on runners tagged [{tags}]"))
                    break
        return found

    # ------------------------------------------------------------------ what the jobs run

    @cached_property
    def commands(self) -> list[model.Command]:
        pipeline = self.native
        out: list[model.Command] = []
        globals_ = _strings(pipeline.global_variables)
        for job in pipeline.jobs.values():
            if not pipeline.possible(job):
                continue
            variables = dict(globals_, **_strings(job.variables))
            allowed = job.allow_failure()
            ignored = "the job has `allow_failure`" if allowed is True or allowed is UNKNOWN else ""
            moved = False  # a `cd` in an earlier line: the runner keeps one shell for the job's lines
            for line in job.lines:
                locate = scalar_locator(line.source, line.node)
                why = ignored or ("it is in `after_script`, whose failure does not fail the job"
                                  if line.section == "after_script" else "")
                for command, offset in live_commands(line.node.value, errexit=True, pipefail=True):
                    out.append(model.Command(command, job, f"job '{job.name}'", variables, locate, offset,
                                             line.node.value, True, True, why, None if moved else "."))
                    moved = moved or command.name in ("cd", "pushd")
        return out

    def repository_root(self) -> str | None:
        return self.native.repository_root()


def _strings(variables: dict) -> dict[str, str]:
    """Variables whose value is a plain string (a `value:`/`description:` mapping gives its value)."""
    out: dict[str, str] = {}
    for name, value in variables.items():
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = str(value)
    return out


_BRANCH_VARIABLES = ("CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME", "CI_COMMIT_REF_SLUG", "CI_DEFAULT_BRANCH")


def _compares(tree) -> list:
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, GE.Compare):
            out.append(node)
        elif isinstance(node, GE.Logic):
            stack += [node.left, node.right]
        elif hasattr(node, "operand"):
            stack.append(node.operand)
    return out
