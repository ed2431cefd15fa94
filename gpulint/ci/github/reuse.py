"""Reusable workflows (`jobs.<id>.uses: ./.github/workflows/x.yml`) and local composite actions
(`steps[*].uses: ./path/to/action`) followed within the scanned repository.

A job calling a local reusable workflow does the work of the called workflow's jobs; a step using a
local composite action runs the action's steps as if inline. Both are resolved by path relative to
the repository root (the folder that holds `.github/`). Only local references are followed: a
`uses: owner/repo/...@ref` lives in another repository and stays unknown.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from gpulint.ci.github.workflow import Job, Step, Workflow, _default_shell, _step
from gpulint.core.records import Record
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y

MAX_DEPTH = 3


def repo_prefix(workflow: Workflow) -> str | None:
    """The repository root of a workflow as a root-relative posix prefix ('' or 'sub/'); None when
    the workflow does not sit under `.github/workflows/` (its repository root is unknown)."""
    rel = workflow.source.rel_path or ""
    if rel.startswith(".github/workflows/"):
        return ""
    marker = "/.github/workflows/"
    if marker in rel:
        return rel[: rel.index(marker) + 1]
    return None


def _local_target(uses: str | None, prefix: str | None) -> str | None:
    if not uses or prefix is None:
        return None
    path = uses.strip()
    if not path.startswith("./") or "${{" in path:
        return None
    path = path.split("@", 1)[0]
    joined = posixpath.normpath(prefix + path[2:])
    return None if joined.startswith("..") else joined


def called_workflow(project, workflow: Workflow, job: Job) -> Workflow | None:
    """The local workflow a job's `uses:` calls, if it is among the scanned workflows."""
    if project is None or not job.uses:
        return None
    target = _local_target(job.uses, repo_prefix(workflow))
    if target is None:
        return None
    for other in project.facts(WorkflowPaths).at(target):
        if other is not workflow:
            return other
    return None


class WorkflowPaths:
    """The project's workflows by path, for `uses: ./.github/workflows/...` (read once)."""

    def __init__(self, project) -> None:
        self._by_path: dict[str, list[Workflow]] = {}
        for workflow in project.of_kind("workflow"):
            self._by_path.setdefault(workflow.source.rel_path, []).append(workflow)

    def at(self, rel_path: str) -> list[Workflow]:
        return self._by_path.get(rel_path, [])


def callers(project, workflow: Workflow) -> list[tuple[Workflow, Job]]:
    """(workflow, job) pairs in the scanned tree whose job calls `workflow`."""
    if project is None:
        return []

    def compute():
        found: dict[int, list[tuple[Workflow, Job]]] = {}
        for caller in project.of_kind("workflow"):
            for job in caller.jobs.values():
                callee = called_workflow(project, caller, job)
                if callee is not None:
                    found.setdefault(id(callee), []).append((caller, job))
        return found

    return project.memo("gh-reusable-callers", compute).get(id(workflow), [])


def only_called(workflow: Workflow) -> bool:
    """The workflow's only trigger is `workflow_call`."""
    from gpulint.ci.github.scenarios import events

    return list(events(workflow)) == ["workflow_call"]


def judged_through_callers(project, workflow: Workflow) -> bool:
    """A `workflow_call`-only workflow whose callers are in the scanned tree is judged through
    them (its pushes and runners in each caller's context), not on its own."""
    return only_called(workflow) and bool(callers(project, workflow))


def call_inputs(workflow: Workflow, callee: Workflow, job: Job, context: dict) -> E.OpenDict:
    """`inputs` of the called workflow: its `workflow_call` defaults, overridden by the caller's `with:`."""
    values: dict[str, object] = {}
    spec = Y.get_path(callee.on_node, "workflow_call", "inputs") if Y.is_map(callee.on_node) else None
    for name, item in Y.pairs(spec):
        default = Y.get(item, "default")
        if Y.key_text(name) and Y.is_scalar(default) and not Y.is_null(default):
            values[Y.key_text(name).lower()] = evaluate_value(default, context)  # type: ignore[union-attr]
    for name, node in Y.pairs(Y.get(job.node, "with") if Y.is_map(job.node) else None):
        if Y.key_text(name):
            values[Y.key_text(name).lower()] = evaluate_value(node, context)  # type: ignore[union-attr]
    return E.OpenDict(values)


def evaluate_value(node: Y.Node | None, context: dict) -> object:
    """A `with:`/default value as the receiving workflow or action sees it (UNKNOWN when unsure)."""
    if node is None or Y.is_null(node):
        return None
    text = Y.text(node)
    if not Y.is_scalar(node) or text is None:
        return Y.to_python(node)
    if "${{" not in text:
        return Y.scalar(node)
    try:
        only = E.strip_template(text)
        if only is None:
            return E.interpolate(text, context)
        return E.evaluate(E.parse(only[0]), context)
    except (E.ExpressionError, TypeError, ValueError):
        return E.UNKNOWN


# ----------------------------------------------------------------------------- composite actions

class Composite(Record):
    path: str  # the action.yml's root-relative path
    steps: list[Step]
    node: Y.Node


def composite_action(project, workflow_prefix: str | None, uses: str | None) -> Composite | None:
    """The local composite action a step's `uses: ./path` names (None for anything else)."""
    from gpulint.syntax.yamlfile import load_yaml

    target = _local_target(uses, workflow_prefix)
    if project is None or target is None:
        return None
    cache = project.memo("gh-composite-actions", dict)
    if target in cache:
        return cache[target]
    cache[target] = None
    root = Path(project.root)
    for name in ("action.yml", "action.yaml"):
        source = project.read_file(root / target / name)
        if source is None:
            continue
        parsed = load_yaml(source, project.limits)  # YAML errors become its problems, never exceptions
        doc = parsed.documents[0] if parsed.documents else None
        runs = Y.get(doc, "runs") if Y.is_map(doc) else None
        if str(Y.text(Y.get(runs, "using")) or "").strip().lower() != "composite":
            return None
        steps = [_step(i, node, "", _default_shell(doc)) for i, node in enumerate(Y.items(Y.get(runs, "steps")))]
        cache[target] = Composite(source.rel_path, steps, doc)
        return cache[target]
    return None
