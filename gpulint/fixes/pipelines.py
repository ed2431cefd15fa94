"""CI pipelines: the push gated to main (GL206) and run after the GPU test (GL207), on GitHub
Actions and GitLab CI, and self-hosted GitHub jobs kept away from fork pull requests (GL209).

Conditions are added to what the author wrote, never instead of it: an existing ``if:`` is kept
in parentheses next to the new condition (``${{ }}`` around a whole condition is unwrapped;
an ``if:`` that mixes several ``${{ }}`` is left alone). The one replacement, an action's
``push:`` input, is unsafe.
"""

from __future__ import annotations

from collections.abc import Callable

from gpulint.ci.commands import Hit
from gpulint.ci.github.workflow import Expr, Job, Workflow
from gpulint.ci.model import TEST, Action, Pipeline
from gpulint.core.fix import Applicability, Edit, Fix
from gpulint.syntax import yamlnode as Y
from gpulint.syntax import github_expressions as E
from gpulint.syntax.yamledit import Flow, Layout, append_item, insert_pair, layout_of, replace_scalar

MAIN_PUSH = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
FORK_GUARD = ("github.event_name != 'pull_request' || "
              "github.event.pull_request.head.repo.full_name == github.repository")
NO_TARGET = "github.event_name != 'pull_request_target'"
_STEP_KEYS_AFTER_IF = ("run", "uses", "with", "env", "shell", "working-directory", "continue-on-error",
                       "timeout-minutes")
_JOB_KEYS_AFTER_IF = ("runs-on", "environment", "timeout-minutes", "permissions", "strategy", "container",
                      "services", "env", "defaults", "outputs", "steps", "uses", "with", "secrets")


def _layout(source, document: Y.Node) -> Layout:
    return layout_of(source, [document], document)  # computed once per document


def _condition(existing: Expr | None) -> str | None:
    """An existing ``if:`` as an expression to combine with ('' when there is none)."""
    if existing is None:
        return ""
    if existing.tree is None:
        return None
    text = existing.text.strip()
    only = E.strip_template(text)  # (the condition parsed, so its templates are well formed)
    if only is not None:
        return only[0].strip()
    return None if E.template_parts(text) else text  # text around a `${{ }}` is not combined


def with_condition(workflow: Workflow, mapping: Y.Node, existing: Expr | None, condition: str,
                   before: tuple[str, ...], message: str) -> Fix | None:
    """``if:`` the condition, combined with the mapping's own ``if:``: safe when there was none,
    unsafe when the author's condition is kept next to it (the two together may not be what
    the author meant)."""
    old = _condition(existing)
    if old is None or not Y.is_map(mapping):
        return None
    if not old:
        edit = insert_pair(workflow.source, mapping, "if", condition, _layout(workflow.source, workflow.node), before)
        return Fix.safe(message, edit) if edit else None
    wrapped = f"({condition})" if "||" in condition else condition
    combined = f"{wrapped} && ({old})"
    assert existing is not None  # there is an old condition
    edit = replace_scalar(workflow.source, existing.node, combined, flow=bool(mapping.flow_style))
    return Fix.unsafe(message + " (kept together with its `if:`)", edit) if edit else None


# ----------------------------------------------------------------------------- GL206

def gate_push_to_main(pipeline: Pipeline, push: Action) -> Fix | None:
    """The push step runs only for a push to main."""
    if pipeline.system == "gitlab":
        return gitlab_gate_push(pipeline, push)
    if pipeline.system != "github":
        return None
    workflow: Workflow = pipeline.workflow  # type: ignore[attr-defined]
    hit: Hit = push.native
    if hit.via is not None or hit.step.via is not None:
        return None  # the push is in a called workflow: gate it there
    main = next((s for s in pipeline.scenarios() if s.main_push), None)
    if main is None:
        return None  # the workflow never runs for a push to main: gating would leave no push
    if main.key.startswith("workflow_run"):
        return None  # started by another workflow's run: its gate reads github.event.workflow_run, not the ref
    job = workflow.jobs.get(hit.step.job_id)
    if job is None:
        return None
    if hit.push_input is not None:
        pair = hit.step.with_.get("push")
        if pair is None or not Y.is_scalar(pair[1]):
            return None
        edit = replace_scalar(workflow.source, pair[1], "${{ " + MAIN_PUSH + " }}")
        return Fix.unsafe("push only for a push to main (the action's `push:` input)", edit) if edit else None
    if pipeline.runs(push, main) is False:
        # The existing conditions exclude main itself (`github.ref != 'refs/heads/main'`): replace them.
        if job.if_ is None or hit.step.if_ is not None:
            return None
        edit = replace_scalar(workflow.source, job.if_.node, MAIN_PUSH)
        return Fix.unsafe(f"make job '{job.id}' run only for a push to main", edit) if edit else None
    fix = with_condition(workflow, hit.step.node, hit.step.if_, MAIN_PUSH, _STEP_KEYS_AFTER_IF,
                         f"run the {hit.step.label()} only for a push to main")
    if fix is not None and any(a.unit is hit.step and a.kind != push.kind for a in pipeline.actions):
        # The step also builds or tests: gating it skips that work on other events too.
        fix.applicability = Applicability.UNSAFE
        fix.message += " (the step also builds or tests the image: that is skipped on other events too)"
    return fix


# ----------------------------------------------------------------------------- GL207

def needs_gpu_test(pipeline: Pipeline, push: Action) -> Fix | None:
    """The push job `needs:` the job that runs the GPU test."""
    if pipeline.system == "gitlab":
        return gitlab_needs_test(pipeline, push)
    if pipeline.system != "github":
        return None
    workflow: Workflow = pipeline.workflow  # type: ignore[attr-defined]
    hit: Hit = push.native
    if hit.via is not None:
        return None
    push_job = workflow.jobs.get(hit.step.job_id)
    if push_job is None or (push_job.if_ is not None and push_job.if_.uses_status):
        return None
    candidates: dict[str, Action] = {}
    for test in pipeline.of(TEST):
        native: Hit = test.native
        test_job = workflow.jobs.get(native.step.job_id)
        if test_job is None or native.via is not None or test_job is push_job or test.masked:
            continue
        if not Y.is_null(native.step.continue_on_error) or not Y.is_null(test_job.continue_on_error):
            continue
        if push_job.id in workflow.ancestors(test_job.id):
            continue  # the test already waits for the push job: needs would make a cycle
        candidates.setdefault(test_job.id, test)
    if len(candidates) != 1:
        return None
    (job_id, test), = candidates.items()
    if job_id in workflow.ancestors(push_job.id):
        return None  # it already needs the job: something else keeps the test from gating it
    for scenario in pipeline.scenarios():
        if pipeline.runs(push, scenario) is not False and pipeline.runs(test, scenario) is False:
            return None  # needing a job that is skipped there would skip the push: not this fix
    edit = _add_need(workflow, push_job, job_id)
    return Fix.safe(f"make job '{push_job.id}' need job '{job_id}', which runs the GPU test", edit) if edit else None


def _add_need(workflow: Workflow, job: Job, need: str) -> Edit | None:
    source, layout = workflow.source, _layout(workflow.source, workflow.node)
    node = job.needs_node
    if node is None or Y.is_null(node):
        if node is not None:
            return None
        return insert_pair(source, job.node, "needs", need, layout, before=("if",) + _JOB_KEYS_AFTER_IF)
    if Y.is_seq(node):
        return append_item(source, node, need, layout)
    if Y.is_scalar(node):
        return replace_scalar(source, node, Flow([Y.text(node) or "", need]))  # type: ignore[arg-type]
    return None


# ----------------------------------------------------------------------------- GL209

def fork_guard(workflow: Workflow, job: Job, events: set[str], self_hosted: Callable[[Job], bool]) -> Fix | None:
    """Keep untrusted pull requests off the self-hosted runner: guard the first self-hosted job
    the reported one needs (the jobs after it are skipped with it), else the job itself."""
    if events == {"pull_request"}:
        condition = FORK_GUARD
    elif events == {"pull_request_target"}:
        condition = NO_TARGET
    elif events:
        condition = f"{NO_TARGET} && ({FORK_GUARD})"
    else:
        return None
    target = _first_guardable(workflow, job, self_hosted)
    return with_condition(workflow, target.node, target.if_, condition, _JOB_KEYS_AFTER_IF,
                          f"run job '{target.id}' on the self-hosted runner only for trusted code")


def _first_guardable(workflow: Workflow, job: Job, self_hosted: Callable[[Job], bool]) -> Job:
    chain = [workflow.jobs[j] for j in workflow.ancestors(job.id) if j in workflow.jobs] + [job]
    if any(j.if_ is not None and j.if_.uses_status for j in chain):
        return job  # a status function runs a job even when what it needs was skipped
    for candidate in workflow.topological():
        if candidate in chain and self_hosted(candidate):
            return candidate
    return job


# ----------------------------------------------------------------------------- GitLab CI

GITLAB_MAIN = '$CI_COMMIT_BRANCH == "main"'


def _gitlab_job_mapping(pipeline: Pipeline, job) -> Y.Node | None:
    """The job's own mapping in the pipeline's file (None when it comes from elsewhere)."""
    native = pipeline.native  # type: ignore[attr-defined]
    pair = Y.get_pair(native.node, job.name)
    if pair is None or pair[0] is not job.key or not Y.is_map(pair[1]):
        return None
    if any(Y.key_text(k) in ("extends", "<<") for k, _ in pair[1].value):
        return None  # keys merged from templates: where to write is not this mapping alone
    return pair[1]


def gitlab_gate_push(pipeline: Pipeline, push: Action) -> Fix | None:
    """GL206 on GitLab: `rules: [{if: $CI_COMMIT_BRANCH == "main"}]` on a push job that has no
    `rules:`, `only:` or `except:` of its own."""
    job = push.native.job
    if any(key in job.entries for key in ("rules", "only", "except", "when")):
        return None
    mapping = _gitlab_job_mapping(pipeline, job)
    if mapping is None:
        return None
    layout = _layout(pipeline.source, pipeline.native.node)  # type: ignore[attr-defined]
    edit = insert_pair(pipeline.source, mapping, "rules", [{"if": GITLAB_MAIN}], layout,
                       before=("script", "before_script", "after_script"))
    return Fix.safe(f"run job '{job.name}' only for the main branch", edit) if edit else None


def gitlab_needs_test(pipeline: Pipeline, push: Action) -> Fix | None:
    """GL207 on GitLab: the push job `needs:` the GPU test job."""
    job = push.native.job
    tests = {t.native.job.name: t for t in pipeline.of(TEST) if t.native.job is not job and not t.masked}
    if len(tests) != 1 or any(key in job.entries for key in ("when",)):
        return None
    (name, test), = tests.items()
    test_job = test.native.job
    if test_job.entries.get("allow_failure") is not None or test_job.entries.get("when") is not None:
        return None
    mapping = _gitlab_job_mapping(pipeline, job)
    if mapping is None or any(Y.text(Y.get(rule, "when")) in ("always", "on_failure")
                              for rule in Y.items(job.get("rules"))):
        return None  # the push runs after a failed test anyway: needs would not gate it
    layout = _layout(pipeline.source, pipeline.native.node)  # type: ignore[attr-defined]
    needs = Y.get(mapping, "needs")
    if Y.is_seq(needs):
        if any(Y.text(i) == name or Y.text(Y.get(i, "job")) == name for i in Y.items(needs)):
            return None
        edit = append_item(pipeline.source, needs, name, layout)
        return Fix.safe(f"make job '{job.name}' need job '{name}', which runs the GPU test", edit) if edit else None
    if needs is not None:
        return None
    # A job without `needs:` gets only the artifacts of the jobs it then needs: for a person to confirm.
    edit = insert_pair(pipeline.source, mapping, "needs", Flow([name]), layout,
                       before=("rules", "only", "script", "before_script"))
    return Fix.unsafe(f"make job '{job.name}' need job '{name}', which runs the GPU test", edit) if edit else None
