"""`strategy.matrix` expansion and `runs-on` resolution for every matrix leg.

Matrix rules follow GitHub: axes form a cartesian product, `exclude` removes the legs it
partially matches, then each `include` entry extends every leg whose *original* values it does
not overwrite, or becomes a new leg when it extends none.
https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

from gpulint.ci.github.workflow import Job, Workflow
from gpulint.ci.runners import is_gpu_label
from gpulint.core.records import Record, field
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y

MAX_LEGS = 256  # a larger product is cut; every rule still sees the first legs


class Leg(Record):
    values: dict[str, tuple[object, Y.Node | None]] = field(default_factory=dict)

    def context(self) -> dict[str, object]:
        return {k: v for k, (v, _) in self.values.items()}

    def node_for(self, key: str) -> Y.Node | None:
        for k, (_, node) in self.values.items():
            if k.lower() == key.lower():
                return node
        return None

    def describe(self) -> str:
        def show(v: object) -> str:
            return "?" if v is E.UNKNOWN else str(v) if isinstance(v, (list, dict)) else E.to_string(v)

        return ", ".join(f"{k}={show(v)}" for k, (v, _) in self.values.items())


class Matrix(Record):
    legs: list[Leg]
    unknown: bool = False  # given (partly) as an expression: more legs may exist


def _value(node: Y.Node) -> object:
    text = Y.text(node)
    if Y.is_scalar(node) and text is not None and "${{" in text:
        return E.UNKNOWN  # an expression inside a matrix value is resolved at run time
    return Y.to_python(node)


def _matches(leg: Mapping[str, object], entry: Mapping[str, object]) -> bool:
    return all(k in leg and leg[k] == v for k, v in entry.items())


def expand(node: Y.Node | None) -> Matrix:
    if node is None or Y.is_null(node):
        return Matrix([Leg()])
    if not Y.is_map(node):
        return Matrix([], unknown=True)  # `matrix: ${{ fromJSON(...) }}`
    axes: list[tuple[str, list[tuple[object, Y.Node | None]]]] = []
    unknown = False
    include: Y.Node | None = None
    exclude: Y.Node | None = None
    for key, value in Y.pairs(node):
        name = Y.key_text(key)
        if name == "include":
            include = value
        elif name == "exclude":
            exclude = value
        elif name is not None:
            if Y.is_seq(value):
                axes.append((name, [(_value(v), v) for v in Y.items(value)]))
            else:
                unknown = True  # `os: ${{ fromJSON(needs.x.outputs.list) }}`
                axes.append((name, [(E.UNKNOWN, value)]))
    legs: list[Leg] = []
    if axes:
        names = [a for a, _ in axes]
        for combo in itertools.islice(itertools.product(*(vals for _, vals in axes)), MAX_LEGS):
            legs.append(Leg(dict(zip(names, combo))))
    for entry in Y.items(exclude):
        drop = {Y.key_text(k): _value(v) for k, v in Y.pairs(entry) if Y.key_text(k)}
        if drop:
            legs = [leg for leg in legs if not _matches(leg.context(), drop)]
    if exclude is not None and not Y.is_seq(exclude) and not Y.is_null(exclude):
        unknown = True
    originals = [leg.context() for leg in legs]
    axis_names = {a for a, _ in axes}
    for entry in Y.items(include):
        pairs = [(Y.key_text(k), v) for k, v in Y.pairs(entry) if Y.key_text(k)]
        fits = [i for i, orig in enumerate(originals)
                if all(k not in axis_names or orig.get(k) == _value(v) for k, v in pairs)]
        for i in fits:
            for k, v in pairs:
                if k not in axis_names:
                    legs[i].values[k] = (_value(v), v)  # type: ignore[index]
        if not fits and pairs:
            legs.append(Leg({k: (_value(v), v) for k, v in pairs}))  # type: ignore[misc]
    if include is not None and not Y.is_seq(include) and not Y.is_null(include):
        unknown = True
    return Matrix(legs, unknown)


# ----------------------------------------------------------------------------- runs-on

GPU = "gpu"
NOT_GPU = "not-gpu"
UNKNOWN_RUNNER = "unknown"
# GitHub's standard hosted images (https://github.com/actions/runner-images): none has a GPU. Other
# names that start with ubuntu-/windows- (`ubuntu-gpu-t4`) are larger or self-hosted runners' own labels.
_HOSTED = re.compile(r"^(?:ubuntu-(?:latest|slim|\d{2}\.\d{2})(?:-arm)?|windows-(?:latest|\d{4}|11-arm)(?:-arm)?"
                     r"|macos-(?:latest|\d{2})(?:-large|-xlarge|-intel)?)$")
def is_hosted_label(label: str) -> bool:
    return bool(_HOSTED.match(label.strip().lower()))


class Runner(Record):
    """Where one leg of a job runs."""

    labels: list[str] | None  # None: some label cannot be known statically
    known: list[str]  # the labels that are known
    group: str | None
    node: Y.Node  # what a finding points at: the `runs-on` value or the matrix value
    leg: Leg | None
    verdict: str = UNKNOWN_RUNNER
    reason: str = ""


def _evaluate(node: Y.Node, context: Mapping[str, object]) -> tuple[object, Y.Node | None]:
    """(value, matrix value node it came from) of a `runs-on` scalar."""
    text = Y.text(node)
    if not Y.is_scalar(node) or text is None:
        return Y.to_python(node), None
    if "${{" not in text:
        return Y.scalar(node), None
    try:
        only = E.strip_template(text)
        if only is None:
            return E.interpolate(text, context), None
        tree = E.parse(only[0])
        value = E.evaluate(tree, context)
    except E.ExpressionError:
        return E.UNKNOWN, None
    origin = None
    if isinstance(tree, E.ContextRef) and len(tree.path) >= 2 and tree.path[0] == "matrix":
        leg = context.get("__leg__")
        origin = leg.node_for(str(tree.path[1])) if isinstance(leg, Leg) else None
    return value, origin


def _labels(value: object) -> list[str | E.Unknown]:
    if value is E.UNKNOWN:
        return [E.UNKNOWN]
    if isinstance(value, (list, tuple)):
        out: list[str | E.Unknown] = []
        for item in value:
            out.extend(_labels(item))
        return out
    if value is None:
        return []
    return [E.to_string(value)]


def runners(workflow: Workflow, job: Job, inputs: Mapping[str, object] | None = None) -> list[Runner]:
    """One `Runner` per matrix leg (one with unknown labels when the legs cannot be known);
    `inputs`: the values a caller passes to a called (reusable) workflow, else the input defaults."""
    if job.runs_on is None or Y.is_null(job.runs_on):
        return []
    matrix = expand(job.matrix)
    legs: list[Leg | None] = list(matrix.legs) or [None]
    inputs = E.OpenDict(workflow.input_defaults if inputs is None else inputs)
    result: list[Runner] = []
    for leg in legs:
        # An expression-given matrix may hold more keys than the legs we know: keep it open.
        values = leg.context() if leg is not None else {}
        ctx = {"matrix": E.OpenDict(values) if (leg is None or matrix.unknown) else values,
               "inputs": inputs, "vars": E.OpenDict(), "github": E.OpenDict(), "needs": E.OpenDict(),
               "__leg__": leg}
        result.append(_runner(job.runs_on, ctx, leg))
    return result


def _runner(node: Y.Node, ctx: Mapping[str, object], leg: Leg | None) -> Runner:
    point: Y.Node = node
    group: str | E.Unknown | None = None
    labels: list[str | E.Unknown] = []
    if Y.is_map(node):
        group_node, labels_node = Y.get(node, "group"), Y.get(node, "labels")
        if group_node is not None:
            value, _ = _evaluate(group_node, ctx)
            group = E.UNKNOWN if value is E.UNKNOWN else E.to_string(value)
        for item in (Y.items(labels_node) if Y.is_seq(labels_node) else [labels_node] if labels_node else []):
            labels.extend(_labels(_evaluate(item, ctx)[0]))
    elif Y.is_seq(node):
        for item in Y.items(node):
            value, origin = _evaluate(item, ctx)
            labels.extend(_labels(value))
            point = origin or point
    else:
        value, origin = _evaluate(node, ctx)
        point = origin or node
        if isinstance(value, Mapping):
            group = E.to_string(value.get("group")) if value.get("group") is not None else None
            labels.extend(_labels(value.get("labels")))
        else:
            labels.extend(_labels(value))
    known = [lbl for lbl in labels if isinstance(lbl, str)]
    unknown = any(lbl is E.UNKNOWN for lbl in labels) or group is E.UNKNOWN
    return Runner(None if unknown else known, known, group if isinstance(group, str) else None, point, leg)


def leg_may_run(job: Job, step, leg: Leg | None, inputs: Mapping[str, object] | None = None) -> bool:
    """False only when the job's or step's `if:` is false for this matrix leg (say
    `if: contains(matrix.os, 'gpu')`); everything but `matrix` (and known `inputs`) stays unknown."""
    if leg is None:
        return True
    ctx = {"matrix": leg.context(), "inputs": E.OpenDict(inputs or {}), "github": E.OpenDict(),
           "vars": E.OpenDict(), "env": E.OpenDict(), "needs": E.OpenDict(), "steps": E.OpenDict(),
           "secrets": E.OpenDict(), "runner": E.OpenDict(), "job": E.OpenDict(), "strategy": E.OpenDict(),
           "__status__": {"success": E.UNKNOWN, "failure": E.UNKNOWN, "cancelled": E.UNKNOWN, "always": True}}
    for expr in (getattr(job, "if_", None), getattr(step, "if_", None)):
        if expr is None or expr.tree is None:
            continue
        try:
            if E.truthy(E.evaluate(expr.tree, ctx)) is False:
                return False
        except E.ExpressionError:
            continue
    return True


def classify(runner: Runner, extra_gpu_labels: tuple[str, ...] = (), profile: str = "lab") -> Runner:
    """Set `verdict` (GPU / NOT_GPU / UNKNOWN_RUNNER) and `reason` on `runner`.

    The lab asks for `self-hosted` plus a GPU label. The production profile also accepts a GPU label
    alone: GitHub routes a job to a self-hosted runner (or a larger GPU runner) by any custom label,
    so `runs-on: linux-a100` is how many teams write it."""
    extra = tuple(extra_gpu_labels)
    known = [lbl.strip() for lbl in runner.known]
    lower = [lbl.lower() for lbl in known]
    hosted = [lbl for lbl in known if is_hosted_label(lbl)]
    gpu = [lbl for lbl in known if is_gpu_label(lbl, extra)]
    self_hosted = any("self-hosted" in lbl for lbl in lower)  # `self-hosted`, `my-self-hosted-pool`
    group_gpu = runner.group is not None and is_gpu_label(runner.group, extra)
    shown = "[" + ", ".join(known) + "]"
    if hosted and not self_hosted:  # a hosted runner never carries `self-hosted`: with it, a custom label
        runner.verdict, runner.reason = NOT_GPU, f"`{hosted[0]}` is a GitHub-hosted runner, which has no NVIDIA GPU"
    elif runner.group is not None and (gpu or group_gpu):
        runner.verdict = GPU  # runner groups hold self-hosted (or larger) runners chosen by label
    elif self_hosted and gpu:
        runner.verdict = GPU
    elif gpu and profile == "production" and runner.labels is not None:
        runner.verdict = GPU  # a custom GPU label alone selects a self-hosted or larger GPU runner
    elif runner.labels is None:
        runner.verdict, runner.reason = UNKNOWN_RUNNER, f"the runner labels cannot be known statically (known: {shown})"
    elif not known and runner.group is None:
        runner.verdict, runner.reason = NOT_GPU, "`runs-on` names no runner label"
    elif profile == "production" and known and not (self_hosted and len(known) == 1):
        # A team's own labels (`linux-x64-large`, a pool name) may well be GPU machines: cannot tell.
        runner.verdict, runner.reason = UNKNOWN_RUNNER, (
            f"the labels {shown} name no GPU gpulint knows (such as `gpu`, `a100`, `h100`, `l4`, `t4`); if these "
            "runners have GPUs, list the label in `gpu-runner-labels`")
    elif self_hosted:
        runner.verdict, runner.reason = NOT_GPU, (
            "a bare `self-hosted` may pick any self-hosted runner, with or without a GPU" if len(known) == 1
            else f"the labels {shown} have no label naming a GPU (such as `gpu`, `a100`, `h100`, `l4`; "
                 "list your own in `gpu-runner-labels`)")
    elif gpu:
        runner.verdict, runner.reason = NOT_GPU, f"the labels {shown} do not include `self-hosted`"
    elif runner.group is not None:
        runner.verdict, runner.reason = NOT_GPU, f"runner group `{runner.group}` with labels {shown} has no GPU label"
    else:
        runner.verdict, runner.reason = NOT_GPU, f"the labels {shown} name neither `self-hosted` nor a GPU label"
    return runner
