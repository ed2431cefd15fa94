"""What a job's `outputs:` hold, where the workflow itself decides them.

A configuration job often computes a gate for later jobs:

    outputs:
      push: ${{ steps.config.outputs.push }}
    steps:
      - id: config
        env:
          push: ${{ github.repository == 'acme/app' && github.event_name == 'push' }}
        run: echo "push=$push" >> "$GITHUB_OUTPUT"

and a later job runs `if: needs.config.outputs.push == 'true'`. The value is plain data flow: the
step writes `name=value` to `$GITHUB_OUTPUT` (or `::set-output name=…::value`) once, at the top
level of its script, and the value is a literal, a `${{ }}` expression, or `$VAR` of the step's,
job's or workflow's `env:`. `output_templates` gives, for each output it can follow, the text
GitHub evaluates (`${{ … }}` or a literal); shell logic (conditions, computed values, a step
with its own `if:`, a matrix job) leaves the output unknown.
"""

from __future__ import annotations

import re

from gpulint.ci.github.workflow import Job, Step, Workflow
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.shell import parse_shell

_OUTPUT_FILES = ("$GITHUB_OUTPUT", "${GITHUB_OUTPUT}")
_SET_OUTPUT = re.compile(r"^::set-output name=([\w-]+)::(.*)$")
_VARIABLE = re.compile(r"^\$(?:\{(\w+)\}|(\w+))$")


def output_templates(workflow: Workflow, job: Job) -> dict[str, str]:
    """(output name, the text GitHub evaluates for it) for each output of ``job`` that is followed;
    read once per job (every scenario evaluates the same texts)."""
    cached = job.__dict__.get("_output_templates")
    if cached is None:
        cached = job.__dict__["_output_templates"] = _templates(workflow, job)
    return cached


def _templates(workflow: Workflow, job: Job) -> dict[str, str]:
    if job.matrix is not None and not Y.is_null(job.matrix):
        return {}  # each leg writes the outputs: the last one to finish wins
    found: dict[str, str] = {}
    for key, value in Y.pairs(Y.get(job.node, "outputs")):
        name, text = Y.key_text(key), Y.text(value) if Y.is_scalar(value) else None
        if not name or text is None:
            continue
        template = _followed(workflow, job, text)
        if template is not None:
            found[name] = template
    return found


def _followed(workflow: Workflow, job: Job, text: str) -> str | None:
    try:
        if not E.template_parts(text):
            return text  # a literal
    except E.ExpressionError:
        return None
    whole = E.strip_template(text)
    if whole is None:
        return None  # a mixed template: not followed
    try:
        node = E.parse(whole[0])
    except E.ExpressionError:
        return None
    path = node.path if isinstance(node, E.ContextRef) else None
    if not path or len(path) != 4 or path[0] != "steps" or path[2] != "outputs":
        return text  # an expression over contexts GitHub knows: evaluated as it is
    step = next((s for s in job.steps if (s.id or "").lower() == path[1]), None)
    return _written(workflow, job, step, str(path[3])) if step is not None else None


def _written(workflow: Workflow, job: Job, step: Step, name: str) -> str | None:
    """What the step writes as output ``name``, as a template; None when it cannot be followed."""
    if step.if_ is not None or step.run is None:
        return None
    # GitHub replaces each `${{ }}` before the shell reads the script: parse it with a plain word
    # in each one's place, and put the expressions back into the values.
    text = Y.text(step.run) or ""
    try:
        spans = [(start - 3, end + 2) for _, start, end in E.template_parts(text)]
    except E.ExpressionError:
        return None
    expressions = [text[a:b] for a, b in spans]
    pieces, last = [], 0
    for i, (a, b) in enumerate(spans):
        pieces += [text[last:a], f"GPULINTEXPR{i}X"]
        last = b
    parsed = parse_shell("".join(pieces) + text[last:])
    if any(c.in_condition or c.in_function or c.approximate for c in parsed.commands):
        return None  # shell logic decides what is written
    values: list[str] = []
    for command in parsed.commands:
        argv = command.argv()
        if not argv or argv[0] != "echo" or len(argv) != 2:
            continue
        match = _SET_OUTPUT.match(argv[1])
        if match and match.group(1).lower() == name:
            values.append(match.group(2))
        elif any(op == ">>" and target in _OUTPUT_FILES for op, target in command.redirects):
            key, eq, value = argv[1].partition("=")
            if eq and key.lower() == name:
                values.append(value)
    if len(values) != 1:
        return None
    value = re.sub(r"GPULINTEXPR(\d+)X", lambda m: expressions[int(m.group(1))], values[0])
    return _value_template(workflow, job, step, value)


def _value_template(workflow: Workflow, job: Job, step: Step, value: str) -> str | None:
    variable = _VARIABLE.match(value)
    if variable:
        wanted = variable.group(1) or variable.group(2)
        for node in (step.node, job.node, workflow.node):
            for key, env_value in Y.pairs(Y.get(node, "env")):
                if Y.key_text(key) == wanted:
                    return Y.text(env_value) if Y.is_scalar(env_value) else None
        return None
    try:
        parts = E.template_parts(value)
    except E.ExpressionError:
        return None
    outside = value
    for _, start, end in reversed(parts):
        outside = outside[:start - 3] + outside[end + 2:]
    return value if "$" not in outside and "`" not in outside else None
