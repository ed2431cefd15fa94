"""GitHub Actions into the CI model: a workflow's steps, scenarios, gates and runners."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any

import posixpath
import re

from gpulint.ci import model
from gpulint.ci.commands import BUILD, BUILD_PUSH_ACTIONS, PUSH, Hit, live_commands, runs_tests
from gpulint.ci.github import matrix as ghmatrix
from gpulint.ci.github.pipeline import pipeline as workflow_pipeline
from gpulint.ci.github.reuse import call_inputs, callers, judged_through_callers, only_called
from gpulint.ci.github.scenarios import Scenario as GitHubScenario
from gpulint.ci.github.scenarios import truthy_value
from gpulint.ci.github.workflow import Job, Step, Workflow
from gpulint.core.source import Span
from gpulint.syntax.embedded import scalar_locator
from gpulint.core.tri import Tri
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.shell import is_shell, parse_shell, script_file

# Deliberate publishing the production profile accepts besides a push to main: a version tag, a
# release, and a manual run (only people with write access can dispatch a workflow).
_RELEASE_KEYS = ("push-tag", "release", "registry_package", "workflow_dispatch")
_NOT_SCHEDULED = ("pull_request", "pull_request_target", "push-branch", "push-main", "workflow_dispatch",
                  "workflow_call", "merge_group")


# Branches whose name says they are how a project releases or deploys (`release/1.2`, `deploy`,
# `flexai/deploy`, `stable`): a push the workflow's own branch filter names is publishing on purpose.
_RELEASE_BRANCH = re.compile(r"(?:^|/)(?:release|releases|deploy|deployment|production|prod|stable|lts|maint|"
                             r"maintenance)(?:$|[-/_.])")
# Version lines (`v1.2`, `1.x`, `v0.7-dev`, `2.0-lts`): a filter such as `v*-dev` names the project's
# release branches (the scenarios try generic names such as `feature-x` first, so a catch-all filter
# never yields one).
_VERSION_LINE = re.compile(r"^(?:v(?:\d+|x)|\d+)(?:[._-](?:\d+|x))*(?:[._-](?:dev|maint|lts|stable|branch))?$")


# Long-lived integration branches a project publishes from on purpose (dev and nightly images):
# the scenario names one only when the workflow's own branch filter does (a catch-all filter
# yields `feature-x` first).
_INTEGRATION_BRANCHES = frozenset({"dev", "develop", "development", "staging", "next", "nightly", "canary",
                                   "beta", "preview", "edge", "trunk"})


def _is_release(s: GitHubScenario) -> bool:
    """A version tag or a release, a push to `master` as the default branch, a push to a branch
    named for releasing or deploying, to a version line or to a long-lived integration branch the
    filter names (`dev`, `develop`, `nightly`), or a scheduled (or otherwise automatic) run on the
    default branch."""
    if s.key in _RELEASE_KEYS:
        return True
    if s.key.startswith("push-branch") and str(s.ref) == "refs/heads/master":
        return True
    branch = str(s.ref).removeprefix("refs/heads/")
    if s.key.startswith("push-branch") and (_RELEASE_BRANCH.search(branch) or _VERSION_LINE.match(branch)
                                            or branch in _INTEGRATION_BRANCHES):
        return True
    return s.key not in _NOT_SCHEDULED and str(s.ref) == "refs/heads/main"


class GitHubPipeline(model.Pipeline):
    system = "github"
    unit_name = "step"
    main_only_fix = "gate the push with `if: github.event_name == 'push' && github.ref == 'refs/heads/main'`"
    undecided = "(an `if:` cannot be decided statically: may run)"

    def __init__(self, workflow: Workflow, project: Any, profile: str = "production") -> None:
        self.workflow = workflow
        self.project = project
        # The lab asks for the image's GPU check: tests recognised only by how they run do not count.
        self.counts_inferred = profile == "production"
        self.source = workflow.source
        self.judged = not judged_through_callers(project, workflow)
        # A reusable workflow whose callers are not in the scanned files: they decide its events.
        self.triggers_known = not (only_called(workflow) and self.judged)
        self._native = workflow_pipeline(workflow, project)

    @property
    def name(self) -> str:
        return "the workflow"

    @property
    def workflow_name(self) -> str:
        """The name other workflows' `workflow_run:` triggers use (its `name:`, else its path)."""
        return Y.text(Y.get(self.workflow.node, "name")) or self.source.rel_path

    @property
    def triggered_by(self) -> list[str]:
        """The workflows whose runs start this one (`on: workflow_run: workflows:`)."""
        on = self.workflow.on_node
        node = Y.get_path(on, "workflow_run", "workflows") if Y.is_map(on) else None
        return [t for t in (Y.text(n) for n in (Y.items(node) if Y.is_seq(node) else [node] if node else [])) if t]

    @property
    def anchor(self) -> Span:
        return self.workflow.span(self.workflow.anchor)

    @cached_property
    def actions(self) -> list[model.Action]:
        out = []
        for hit in self._native.hits:
            if hit.inferred and not self.counts_inferred:
                continue
            job = self.workflow.jobs.get(hit.step.job_id)
            broken = any(e is not None and e.tree is None for e in ((job.if_ if job else None), hit.step.if_))
            out.append(model.Action(hit.kind, hit.detail, self.workflow.span(hit.step.key_node),
                                    f"the {hit.step.label()} in job '{hit.step.job_id}'", hit.step, hit.command,
                                    hit, condition_error=broken))
        return out

    @cached_property
    def _scenarios(self) -> dict[model.Scenario, GitHubScenario]:
        # Calls from workflows in the scanned files are judged in each caller's pipeline (which runs
        # this workflow's jobs in the caller's context); a call from elsewhere cannot be judged.
        called_here = bool(callers(self.project, self.workflow))
        return {model.Scenario(s.key, s.label, main_push=s.main_push, release=_is_release(s),
                               unknown=s.key == "workflow_call"): s
                for s in self._native.scenarios if not (called_here and s.key == "workflow_call")}

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
                if verdict == model.NOT_GPU and _apple_gpu_tests(runner, work):
                    continue  # tests named for GPUs on a Mac run on its Metal GPU: no NVIDIA work
                if verdict in (model.NOT_GPU, model.UNKNOWN_RUNNER):
                    by_node.setdefault((verdict, id(runner.node)), []).append(runner)
            for (verdict, _), runners in by_node.items():
                legs = [r.leg.describe() for r in runners if r.leg is not None and r.leg.values]
                where = f" for matrix leg{'s' if len(legs) > 1 else ''} " + "; ".join(f"({x})" for x in legs[:4]) \
                    if legs else ""
                yield model.RunnerVerdict(verdict, workflow.span(runners[0].node),
                                          f"{what}{where}, but {runners[0].reason}")

    def suites_on_gpu_runners(self, context: model.RunnerContext) -> list[tuple[Span, str]]:
        workflow = self.workflow
        found: list[tuple[Span, str]] = []
        for job in workflow.jobs.values():
            runners = ghmatrix.runners(workflow, job)
            if not runners or any(ghmatrix.classify(r, context.extra_labels, context.profile).verdict != ghmatrix.GPU
                                  for r in runners):
                continue
            for step in job.steps:
                script = step.script
                for command, _ in live_commands(script.text, step.errexit, step.pipefail) if script else ():
                    suite = runs_tests(command.argv()) or self._suite_in_script(command.argv())
                    if suite is not None:
                        found.append((workflow.span(step.key_node),
                                      f"`{suite}` in job '{job.id}' on {', '.join(runners[0].known)}"))
                        break
        return found

    def _suite_in_script(self, argv: list[str]) -> str | None:
        """The test suite a repository shell script the step runs (``bash ./ci/run.sh``) runs,
        its functions included: one level, read from the scanned files."""
        script = (script_file(argv) or "") if argv and is_shell(argv[0]) else (argv[0] if argv else "")
        root = self.repository_root()
        if not script.endswith(".sh") or script.startswith(("-", "/", "$")) or root is None:
            return None
        source = self.project.files.read(posixpath.normpath(posixpath.join(root, script)))
        if source is None:
            return None
        for command in parse_shell(source.text, errexit=False).commands:
            suite = runs_tests(command.argv())
            if suite is not None:
                return f"{suite} (in {script})"
        return None

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

    # ------------------------------------------------------------------ what the steps run

    @cached_property
    def commands(self) -> list[model.Command]:
        workflow = self.workflow
        out: list[model.Command] = []
        for job in workflow.jobs.values():
            for step in job.steps:
                if step.script is None:
                    continue
                ignored = "its step has continue-on-error" if step.continue_on_error is not None and \
                    truthy_value(step.continue_on_error, {}) is not False else ""
                env, locate, workdir = step_env(workflow, step), scalar_locator(workflow.source, step.run), step_workdir(workflow, job, step)
                where = f"the {step.label()} in job '{job.id}'"
                for command, offset in live_commands(step.script.text, step.errexit, step.pipefail):
                    out.append(model.Command(command, step, where, env, locate, offset, step.script.text, step.errexit,
                                             step.pipefail, ignored, workdir))
        return out

    def normalise(self, text: str) -> str:
        return normal_expressions(text)

    def repository_root(self) -> str | None:
        parts = self.source.rel_path.split("/")
        if len(parts) >= 3 and parts[-3:-1] == [".github", "workflows"]:
            return "/".join(parts[:-3])
        return None

    def image_inputs(self) -> list[model.ImageInput]:
        out: list[model.ImageInput] = []
        for hit in self._native.hits:
            step = hit.step
            if hit.command is not None or hit.via is not None or not step.action.startswith(BUILD_PUSH_ACTIONS):
                continue
            pair = step.with_.get("tags")
            if pair is None:
                continue
            env = step_env(self.workflow, step)
            job = self.workflow.jobs.get(step.job_id)
            span = self.workflow.span(pair[1])
            if hit.kind == BUILD:
                for text in _tag_list(pair[1]):
                    out.append(model.ImageInput(BUILD, text, span, step, env))
            elif hit.kind == PUSH and job is not None:
                for text in action_tags(job, Y.text(pair[1]) or ""):
                    out.append(model.ImageInput(PUSH, text, span, step, env))
        return out

    def build_inputs(self) -> list[model.BuildInput]:
        """The Dockerfile, context and target of each `docker/build-push-action` step: one input per
        distinct value its job's matrix legs give them (`file: ${{ matrix.dockerfile }}`); a step
        whose inputs stay unknown (an expression over inputs or env) gives none."""
        out: list[model.BuildInput] = []
        for hit in self._native.of(BUILD):
            step = hit.step
            if hit.command is not None or hit.via is not None or not step.action.startswith(BUILD_PUSH_ACTIONS):
                continue
            file_pair, ctx_pair = step.with_.get("file"), step.with_.get("context")
            target_pair = step.with_.get("target")
            file_text = Y.text(file_pair[1]) if file_pair else None
            ctx_text = Y.text(ctx_pair[1]) if ctx_pair else "."
            target = Y.text(target_pair[1]) if target_pair and Y.is_scalar(target_pair[1]) else None
            if ctx_text is None:
                continue
            anchor = file_pair[1] if file_pair else (ctx_pair[1] if ctx_pair else step.key_node)
            seen: set[tuple[str | None, str, str | None]] = set()
            for values, from_matrix in self._leg_values(step, (file_text, ctx_text, target)):
                file_value, ctx_value, target_value = values
                if ctx_value is None or _unknown(ctx_value) or (file_value is not None and _unknown(file_value)):
                    continue
                target_value = None if target_value is None or _unknown(target_value) else target_value
                if (file_value, ctx_value, target_value) in seen:
                    continue
                seen.add((file_value, ctx_value, target_value))
                out.append(model.BuildInput(step, file_value, ctx_value, self.workflow.span(anchor),
                                            self.workflow.span(file_pair[1]) if file_pair else None, target_value,
                                            from_matrix))
        return out

    def _leg_values(self, step: Step, texts: tuple[str | None, ...]) -> Iterator[tuple[tuple[str | None, ...], bool]]:
        """(``texts`` as each matrix leg of the step's job writes them, True), `${{ matrix.x }}`
        replaced; (``texts``, False) when they name no matrix value or the matrix cannot be expanded."""
        job = self.workflow.jobs.get(step.job_id)
        if job is None or not any(text and "matrix." in text for text in texts):
            yield texts, False
            return
        legs = ghmatrix.expand(job.matrix)
        if legs.unknown or not legs.legs:
            yield texts, False
            return
        for leg in legs.legs[:ghmatrix.MAX_LEGS]:
            context = E.OpenDict(matrix=leg.context())
            yield tuple(text if text is None or "${{" not in text else _interpolated(text, context)
                        for text in texts), True


# ----------------------------------------------------------------------------- step context

def step_env(workflow: Workflow, step: Step) -> dict[str, str]:
    """The `env:` a step sees: the workflow's, its job's and its own, as written."""
    env: dict[str, str] = {}
    job = workflow.jobs.get(step.job_id)
    for node in (Y.get(workflow.node, "env"), Y.get(job.node, "env") if job else None, Y.get(step.node, "env")):
        for key, value in Y.pairs(node):
            name = Y.key_text(key)
            if name and Y.is_scalar(value):
                env[name] = "" if Y.is_null(value) else (Y.text(value) or "")
    return env


def _unknown(text: str) -> bool:
    return "$" in text or "`" in text


def _interpolated(text: str, context: E.OpenDict) -> str:
    """``text`` with its expressions evaluated; as written (still unknown) when one of them is
    unknown or invalid (GL208 reports those)."""
    try:
        value = E.interpolate(text, context)
    except E.ExpressionError:
        return text
    return value if isinstance(value, str) else text


def step_workdir(workflow: Workflow, job: Job, step: Step) -> str | None:
    """The step's working directory relative to the repository (None: set by an expression)."""
    for node in (step.node, job.node, workflow.node):
        value = Y.get(node, "working-directory") if node is step.node else \
            Y.get_path(node, "defaults", "run", "working-directory")
        if value is not None:
            text = Y.text(value)
            return None if text is None or _unknown(text) else text
    return "."


_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def normal_expressions(text: str) -> str:
    """``${{ env.X }}`` as the shell's ``$X`` (a step sees its env: as variables); any other
    expression kept, without spaces, as a literal that only matches itself."""

    def expr(match: re.Match) -> str:
        inner = re.sub(r"\s+", "", match.group(1))
        env = re.fullmatch(r"env\.([A-Za-z_][A-Za-z0-9_]*)", inner)
        return "$" + env.group(1) if env else "${{" + inner + "}}"

    return _EXPR.sub(expr, text)


def _tag_list(node: Y.Node) -> list[str]:
    if Y.is_seq(node):
        values = [Y.text(n) or "" for n in Y.items(node)]
    else:
        values = re.split(r"[,\n]", Y.text(node) or "")
    return [v.strip() for v in values if v.strip()]


def action_tags(job: Job, text: str) -> list[str]:
    """The ``tags:`` of a build-push-action; ``${{ steps.meta.outputs.tags }}`` reads the ``images:``
    of the docker/metadata-action step it names (each with any tag)."""
    found: list[str] = []
    for item in [t.strip() for line in text.splitlines() for t in line.split(",")]:
        if not item:
            continue
        only = E.strip_template(item)
        path = only[0].strip().split(".") if only else []
        if len(path) == 4 and path[0] == "steps" and path[2] == "outputs" and path[3] == "tags":
            meta = next((s for s in job.steps if s.id == path[1]), None)
            images = Y.text(meta.with_["images"][1]) if meta is not None and "images" in meta.with_ else None
            if meta is None or not meta.action.startswith("docker/metadata-action") or not images:
                found.append("*")
                continue
            for line in images.splitlines():
                image = line.split(",")[0].strip()
                if image.startswith("name="):
                    image = image[5:]
                if image and not image.startswith("#"):
                    found.append(image + ":*")
            continue
        found.append(item)
    return found


def _apple_gpu_tests(runner, work) -> bool:
    """A macOS runner whose only GPU work is tests recognised by their names (`pytest
    tests/test_gpu_codegen.py`): CUDA does not run on macOS, so they test Apple's GPU."""
    return any("macos" in label.lower() for label in runner.known) and \
        all(hit.detail.endswith("pytest on GPU tests") for hit in work)
