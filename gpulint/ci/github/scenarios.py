"""Which jobs and steps of a workflow may run, scenario by scenario.

A scenario is one kind of event (a pull request to main, a push to a feature branch, to main,
a tag push, a manual dispatch on a branch, and schedule/release/... when `on:` lists them). For
each, the `on:` filters decide whether the workflow starts, then job and step `if:` expressions
are evaluated with the real expression evaluator, with `needs` results and status functions
(`success()`, `always()`, ...) following GitHub's rules. Values are three-valued: True, False,
or UNKNOWN ("may run"). A "failed" job or step can be given to ask what runs after a failure.
"""

from __future__ import annotations

from functools import cached_property

from gpulint.ci.github import filters as F
from gpulint.ci.github.matrix import expand
from gpulint.ci.github.outputs import output_templates
from gpulint.ci.github.workflow import Expr, Job, Step, Workflow
from gpulint.ci.refs import derived_names
from gpulint.core.records import Record, field
from gpulint.core.tri import Tri, all3, and3, any3, not3, or3  # noqa: F401 - re-exported
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y

MAIN = "main"
MAX_STEP_LEGS = 16  # step `if:`s are evaluated per matrix leg; beyond this the first legs decide


class Scenario(Record, frozen=True):
    key: str  # pull_request | push-branch | push-main | push-tag | workflow_dispatch | <event>
    label: str  # for messages: "a pull request to main"
    event: str | E.Unknown
    ref: str | E.Unknown
    base_ref: str = ""
    head_ref: str = ""
    # A `workflow_run` event: the triggering run's (conclusion, event, head_branch).
    run: tuple[str, str, str] | None = None

    @property
    def main_push(self) -> bool:
        """Main's code after a merge: a push to main, or a run triggered by a successful run of a
        push to main."""
        return self.key == "push-main" or self.run == ("success", "push", MAIN)


# ----------------------------------------------------------------------------- triggers

def events(workflow: Workflow) -> dict[str, Y.Node | None]:
    """`on:` as event name -> its configuration node (None when given by name only)."""
    on = workflow.on_node
    if Y.is_scalar(on) and Y.text(on):
        return {Y.text(on): None}  # type: ignore[dict-item]
    if Y.is_seq(on):
        return {t: None for t in (Y.text(n) for n in Y.items(on)) if t}
    return {Y.key_text(k): v for k, v in Y.pairs(on) if Y.key_text(k)}  # type: ignore[misc]


def _patterns(config: Y.Node | None, key: str) -> list[str] | None:
    node = Y.get(config, key) if Y.is_map(config) else None
    if node is None or Y.is_null(node):
        return None
    if Y.is_seq(node):
        return [t for t in (Y.text(n) for n in Y.items(node)) if t is not None]
    return [Y.text(node)] if Y.text(node) is not None else []  # type: ignore[list-item]


def ref_triggers(config: Y.Node | None, name: str, tag: bool) -> bool:
    """Whether a push of branch (or tag) `name` starts a workflow with this `push:` config.
    With only branch filters tags never trigger, and the other way round."""
    own, other = ("tags", "branches") if tag else ("branches", "tags")
    include, ignore = _patterns(config, own), _patterns(config, f"{own}-ignore")
    if include is not None:
        return F.included(name, include)
    if ignore is not None:
        return not F.ignored(name, ignore)
    return _patterns(config, other) is None and _patterns(config, f"{other}-ignore") is None


def _first(config: Y.Node | None, candidates: list[str], tag: bool, exclude: str = "") -> str | None:
    for name in candidates:
        if name != exclude and ref_triggers(config, name, tag):
            return name
    return None


# Contexts holding a branch or ref name: a literal compared with one is a gate's idea of "main".
_REF_PATHS = {("github", "ref"), ("github", "ref_name"), ("github", "head_ref"), ("github", "base_ref"),
              ("github", "event", "workflow_run", "head_branch"), ("github", "event", "ref"),
              ("github", "event", "pull_request", "head", "ref"), ("github", "event", "pull_request", "base", "ref")}
MAX_DERIVED = 12


def compared_literals(workflow: Workflow, contexts: set[tuple[str, ...]]) -> list[tuple[tuple[str, ...], str]]:
    """(context, string) for every string a job or step `if:` compares with one of ``contexts``
    (`==`, `!=`, `contains`, `startsWith`, `endsWith`), in the order they are written."""
    found: list[tuple[tuple[str, ...], str]] = []
    exprs = [j.if_ for j in workflow.jobs.values()] + [s.if_ for j in workflow.jobs.values() for s in j.steps]
    for expr in exprs:
        if expr is None or expr.tree is None:
            continue
        for node in E.iter_nodes(expr.tree):
            pairs: list[tuple[E.Node, E.Node]] = []
            if isinstance(node, E.BinaryOp) and node.op in ("==", "!="):
                pairs = [(node.left, node.right), (node.right, node.left)]
            elif isinstance(node, E.Call) and node.name in ("contains", "startsWith", "endsWith") and len(node.args) == 2:
                pairs = [(node.args[0], node.args[1])]
            for ref, literal in pairs:
                if isinstance(ref, E.ContextRef) and ref.path in contexts \
                        and isinstance(literal, E.Literal) and isinstance(literal.value, str):
                    path = tuple(str(part) for part in ref.path)
                    if literal.value and len(literal.value) <= 100 and (path, literal.value) not in found:
                        found.append((path, literal.value))
    return found


def ref_literals(workflow: Workflow) -> list[tuple[tuple[str, ...], str]]:
    """(ref context, string) for every string a job or step `if:` compares with a branch or ref."""
    return compared_literals(workflow, _REF_PATHS)


def scenarios(workflow: Workflow) -> list[Scenario]:
    """The scenarios in which the workflow starts at all: the usual events, plus the branches the
    workflow's own gates would be fooled by (a gate `contains(github.ref, 'main')` is tried on a push
    to `feature/main-fix`), pull requests whose head branch is named like main, and for
    `workflow_run` the triggering run's outcome, event and branch."""
    out: list[Scenario] = []
    on = events(workflow)
    literals = ref_literals(workflow)
    derived: list[str] = []
    for _, literal in literals:
        for name in derived_names(literal):
            if name not in derived and len(derived) < MAX_DERIVED:
                derived.append(name)
    heads = [value.removeprefix("refs/heads/") for path, value in literals
             if path in (("github", "head_ref"), ("github", "event", "pull_request", "head", "ref"))]
    for event, config in on.items():
        if event in ("pull_request", "pull_request_target"):
            bases = [MAIN] + F.sample_names(_patterns(config, "branches") or []) + ["develop"]
            base = _first(config, bases, tag=False)
            if base is not None:
                ref = "refs/pull/1/merge" if event == "pull_request" else f"refs/heads/{base}"
                out.append(Scenario(event, f"{event} to {base}", event, ref, base, "feature-x"))
                for head in dict.fromkeys(h for h in heads if h and h != "feature-x"):
                    out.append(Scenario(f"{event}:head={head}", f"{event} to {base} from a branch named `{head}` "
                                        "(a fork's)", event, ref, base, head))
        elif event == "push":
            if ref_triggers(config, MAIN, tag=False):
                out.append(Scenario("push-main", "push to main", "push", "refs/heads/main"))
            names = ["feature-x", "feature/x", "develop", "release/1.0"]
            branch = _first(config, names + F.sample_names(_patterns(config, "branches") or []), False, MAIN)
            if branch is not None:
                out.append(Scenario("push-branch", f"push to branch {branch}", "push", f"refs/heads/{branch}"))
            for name in derived:
                if name != branch and ref_triggers(config, name, tag=False):
                    out.append(Scenario(f"push-branch:{name}", f"push to branch `{name}`", "push", f"refs/heads/{name}"))
            tag = _first(config, ["v1.0.0", "1.0.0"] + F.sample_names(_patterns(config, "tags") or []), True)
            if tag is not None:
                out.append(Scenario("push-tag", f"tag push ({tag})", "push", f"refs/tags/{tag}"))
        elif event == "workflow_dispatch":
            out.append(Scenario(event, "workflow_dispatch on branch feature-x", event, "refs/heads/feature-x"))
        elif event in ("release", "registry_package"):
            out.append(Scenario(event, f"{event} (tag v1.0.0)", event, "refs/tags/v1.0.0"))
        elif event == "workflow_call":
            out.append(Scenario(event, "a call from another workflow (its event and ref are unknown)",
                                E.UNKNOWN, E.UNKNOWN))
        elif event == "workflow_run":
            runs = [("success", "push", MAIN), ("failure", "push", MAIN), ("success", "pull_request", "feature-x"),
                    ("success", "push", "feature-x")] + [("success", "push", n) for n in derived[:4]]
            for conclusion, run_event, branch in runs:
                what = f"a {'successful' if conclusion == 'success' else 'failed'} {run_event} run on `{branch}`"
                out.append(Scenario(f"workflow_run:{conclusion}:{run_event}:{branch}",
                                    f"workflow_run after {what} of the triggering workflow", event,
                                    "refs/heads/main", run=(conclusion, run_event, branch)))
        elif event == "merge_group":
            out.append(Scenario(event, "merge_group", event, "refs/heads/gh-readonly-queue/main/pr-1", MAIN))
        else:  # schedule, workflow_run, repository_dispatch, ...: run on the default branch
            out.append(Scenario(event, f"{event} (on main)", event, "refs/heads/main"))
    return out


def github_context(s: Scenario) -> E.OpenDict:
    if s.event is E.UNKNOWN or s.ref is E.UNKNOWN:
        return E.OpenDict()
    ref = str(s.ref)
    ref_type = "tag" if ref.startswith("refs/tags/") else "branch"
    ref_name = ref.split("/", 2)[2] if ref.count("/") >= 2 else ref
    repository = E.OpenDict(default_branch=MAIN)
    event = E.OpenDict(ref=ref, repository=repository)
    if s.base_ref:
        event = E.OpenDict(repository=repository, pull_request=E.OpenDict(
            base=E.OpenDict(ref=s.base_ref), head=E.OpenDict(ref=s.head_ref), number=1))
    if s.run is not None:
        conclusion, run_event, branch = s.run
        event = E.OpenDict(repository=repository, workflow_run=E.OpenDict(
            conclusion=conclusion, event=run_event, head_branch=branch, status="completed"))
    return E.OpenDict(event_name=s.event, ref=ref, ref_name=ref_name, ref_type=ref_type,
                      base_ref=s.base_ref, head_ref=s.head_ref, event=event)


def _literal_env(node: Y.Node | None) -> dict[str, object]:
    return {Y.key_text(k): Y.scalar(v) for k, v in Y.pairs(Y.get(node, "env"))
            if Y.key_text(k) and Y.is_scalar(v) and "${{" not in (Y.text(v) or "")}  # type: ignore[misc]


def cond(expr: Expr | None, context: dict, status: dict[str, Tri] | None = None) -> Tri:
    """An `if:` value's truth; a missing `if:` is true; an unparseable one is UNKNOWN."""
    if expr is None:
        return True
    if expr.tree is None:
        return E.UNKNOWN
    ctx = dict(context, __status__=status or {})
    try:
        return E.truthy(E.evaluate(expr.tree, ctx))
    except E.ExpressionError:
        return E.UNKNOWN


def truthy_value(node: Y.Node | None, context: dict) -> Tri:
    """A `continue-on-error:`/`push:` value, possibly `${{ }}`, as an action would read it."""
    if node is None or Y.is_null(node):
        return False
    text = Y.text(node)
    if text is None:
        return E.UNKNOWN
    try:
        value = E.interpolate(text, context) if "${{" in text else text
    except E.ExpressionError:
        return E.UNKNOWN
    return E.UNKNOWN if value is E.UNKNOWN else str(value).strip().lower() == "true"


class Evaluator(Record):
    workflow: Workflow
    scenario: Scenario
    _jobs: dict[frozenset[str], dict[str, Tri]] = field(default_factory=dict)
    _job_outputs: dict[str, E.OpenDict] = field(default_factory=dict)

    @cached_property
    def base_context(self) -> dict[str, object]:
        return {"github": github_context(self.scenario), "inputs": E.OpenDict(), "vars": E.OpenDict(),
                "secrets": E.OpenDict(), "env": E.OpenDict(_literal_env(self.workflow.node)),
                "matrix": E.OpenDict(), "job": E.OpenDict(), "runner": E.OpenDict(),
                "strategy": E.OpenDict()}

    def _result(self, job_id: str, states: dict[str, Tri], failed: frozenset[str]) -> Tri | str:
        state = states.get(job_id, E.UNKNOWN)
        if job_id in failed:
            return "skipped" if state is False else "failure"
        return {True: "success", False: "skipped"}.get(state, E.UNKNOWN)  # type: ignore[arg-type]

    def job_states(self, failed: frozenset[str] = frozenset()) -> dict[str, Tri]:
        """May each job run, when the jobs in `failed` fail if they run."""
        if failed in self._jobs:
            return self._jobs[failed]
        states: dict[str, Tri] = {}
        for job in self.workflow.topological():
            states[job.id] = self._job_state(job, states, failed)
        for job_id in self.workflow.jobs:  # jobs in a `needs` cycle never start
            states.setdefault(job_id, False)
        self._jobs[failed] = states
        return states

    def job_context(self, job: Job, states: dict[str, Tri], failed: frozenset[str]) -> dict[str, object]:
        needs = E.OpenDict({n: E.OpenDict(result=self._result(n, states, failed), outputs=self._outputs(n))
                            for n in job.needs})
        env = E.OpenDict(_literal_env(self.workflow.node), **_literal_env(job.node))
        return dict(self.base_context, needs=needs, env=env)

    def _outputs(self, job_id: str) -> E.OpenDict:
        """The outputs of a needed job that the workflow decides in this scenario (``outputs``);
        the others are unknown."""
        cached = self._job_outputs.get(job_id)
        if cached is None:
            cached = self._job_outputs[job_id] = E.OpenDict()  # a `needs` cycle reads no outputs
            producer = self.workflow.jobs.get(job_id)
            context = E.OpenDict(self.base_context, env=E.OpenDict())  # the producer's needs and env: unknown
            for name, template in (output_templates(self.workflow, producer) if producer else {}).items():
                try:
                    value = E.interpolate(template, context)
                except E.ExpressionError:
                    continue
                if value is not E.UNKNOWN:
                    cached[name] = value
        return cached

    def _job_state(self, job: Job, states: dict[str, Tri], failed: frozenset[str]) -> Tri:
        if self.workflow.unknown_needs(job.id):
            return E.UNKNOWN  # GitHub rejects the workflow; the typo is not ours to judge here
        results = [self._result(n, states, failed) for n in job.needs]
        ctx = self.job_context(job, states, failed)
        if job.if_ is None or not job.if_.uses_status:
            all_ok = all3([r if r is E.UNKNOWN else r == "success" for r in results])
            return and3(all_ok, cond(job.if_, ctx))
        ancestry = [self._result(a, states, failed) for a in self.workflow.ancestors(job.id)]
        status: dict[str, Tri] = {
            "success": all3([r if r is E.UNKNOWN else r == "success" for r in ancestry]),
            "failure": any3([r if r is E.UNKNOWN else r == "failure" for r in ancestry]),
            "always": True, "cancelled": False}
        return cond(job.if_, ctx, status)

    def legs(self, job: Job) -> list[dict[str, object] | None]:
        matrix = expand(job.matrix)
        if matrix.unknown or not matrix.legs:
            return [None]
        return [leg.context() for leg in matrix.legs[:MAX_STEP_LEGS]]

    def step_state(self, job: Job, target: Step, failed_step: Step | None = None,
                   failed_jobs: frozenset[str] = frozenset()) -> Tri:
        """May `target` run (in any matrix leg), given the job states and a failing earlier step."""
        states = self.job_states(failed_jobs)
        job_state = states.get(job.id, False)
        if job_state is False:
            return False
        ctx = self.job_context(job, states, failed_jobs)
        result: Tri = False
        for leg in self.legs(job):
            leg_ctx = dict(ctx, matrix=E.OpenDict(leg or {}) if leg is None else leg)
            result = or3(result, self._step_in_leg(job, target, failed_step, leg_ctx))
            if result is True:
                break
        return and3(job_state, result)

    def _step_in_leg(self, job: Job, target: Step, failed_step: Step | None, ctx: dict) -> Tri:
        failed: Tri = False
        steps: dict[str, object] = {}
        for step in job.steps:
            status = {"success": not3(failed), "failure": failed, "always": True, "cancelled": False}
            step_ctx = dict(ctx, steps=E.OpenDict(steps))
            if step.if_ is not None and step.if_.uses_status:
                state = cond(step.if_, step_ctx, status)
            else:
                state = and3(not3(failed), cond(step.if_, step_ctx, status))
            if step is target:
                return state
            if step is failed_step and state is not False:
                failed = True
                outcome: object = "failure"
            else:
                outcome = {True: "success", False: "skipped"}.get(state, E.UNKNOWN)  # type: ignore[arg-type]
            if step.id:
                steps[step.id] = E.OpenDict(outcome=outcome, conclusion=outcome)
        return False
