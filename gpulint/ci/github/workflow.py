"""GitHub Actions workflows: jobs, needs, `if:` expressions, steps and their shell scripts.

The model keeps every YAML node so rules can point at what they judge. Scenario evaluation
(triggers, which job/step may run) lives in `ghscenarios`, matrix and `runs-on` resolution in
`ghmatrix`, command detection (build/test/push) in `ghcommands`.
"""

from __future__ import annotations

from functools import cached_property

from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.shell import ShellScript, parse_shell
from gpulint.syntax.yamlfile import YamlFile


class Expr(Record):
    """An `if:` value: the scalar node, its text and the parsed tree (None when unparseable)."""

    node: Y.Node
    text: str
    tree: E.Node | None
    error: E.ExpressionError | None = None

    @classmethod
    def of_if(cls, node: Y.Node | None) -> Expr | None:
        if node is None or Y.is_null(node):
            return None
        text = Y.text(node)
        if text is None:  # a mapping or list: GitHub rejects it; we cannot judge it
            return cls(node, "", None, E.ExpressionError("`if:` must be a string", 0))
        try:
            return cls(node, text, E.parse_if(text))
        except E.ExpressionError as error:
            return cls(node, text, None, error)

    @property
    def uses_status(self) -> bool:
        return self.tree is not None and E.uses_status_function(self.tree)


class Step(Record):
    index: int
    node: Y.Node
    job_id: str
    id: str | None = None
    name: str | None = None
    if_: Expr | None = None
    run_key: Y.ScalarNode | None = None
    run: Y.ScalarNode | None = None
    uses_key: Y.ScalarNode | None = None
    uses: str | None = None
    with_: dict[str, tuple[Y.ScalarNode, Y.Node]] = field(default_factory=dict)
    shell: str | None = None
    continue_on_error: Y.Node | None = None
    via: str | None = None  # a stand-in for a step of a called workflow: how to name that step

    @property
    def key_node(self) -> Y.Node:
        """What a finding about this step points at: its `run`/`uses` key, else the step."""
        return self.run_key or self.uses_key or self.node

    @property
    def action(self) -> str:
        """`owner/repo[/path]` of a `uses:` without the `@ref`, lower-cased."""
        return (self.uses or "").split("@", 1)[0].strip().lower()

    @property
    def errexit(self) -> bool:
        # bash/sh defaults run with -e; a custom `bash {0}` template runs without it.
        shell = (self.shell or "bash").strip()
        if "{0}" not in shell:
            return shell.split()[0] in ("bash", "sh") if shell else True
        words = shell.split()
        return any(w.startswith("-") and not w.startswith("--") and "e" in w for w in words[1:])

    @property
    def pipefail(self) -> bool:
        # GitHub runs `shell: bash` (on the step or in `defaults.run`) as `bash --noprofile --norc -eo
        # pipefail {0}`, but a step with no shell as `bash -e {0}`: without pipefail, `test | tee log`
        # succeeds when the test fails.
        return (self.shell or "").strip() == "bash"

    @cached_property
    def script(self) -> ShellScript | None:
        text = Y.text(self.run)
        if text is None:
            return None
        shell = (self.shell or "bash").strip().split()
        if shell and shell[0] in ("python", "python3"):
            return None  # the `run:` is Python code, not a shell script
        return parse_shell(text, errexit=self.errexit)

    def label(self) -> str:
        if self.via:
            return self.via
        if self.name:
            return f"step '{self.name}'"
        if self.id:
            return f"step '{self.id}'"
        if self.uses:
            return f"step `uses: {self.uses}`"
        first = (Y.text(self.run) or "").strip().splitlines()
        return f"step `{first[0][:60]}`" if first else f"step {self.index + 1}"


class Job(Record):
    id: str
    key: Y.ScalarNode
    node: Y.Node
    needs: list[str] = field(default_factory=list)
    needs_node: Y.Node | None = None
    if_: Expr | None = None
    runs_on_key: Y.ScalarNode | None = None
    runs_on: Y.Node | None = None
    matrix: Y.Node | None = None
    steps: list[Step] = field(default_factory=list)
    uses: str | None = None  # a reusable workflow call: its steps are not visible here
    continue_on_error: Y.Node | None = None


class Workflow(Record):
    kind = "workflow"
    source: Source
    yaml: YamlFile
    node: Y.MappingNode  # the document's root mapping

    def span(self, node: Y.Node) -> Span:
        return Y.span(self.source, node)

    @property
    def in_workflows_folder(self) -> bool:
        """Whether GitHub runs the file: Actions reads workflows only from `.github/workflows/` at
        the repository root (a copy parked in `.github/.workflows/`, a starter template in
        `workflow-templates/` or an example in `docs/` is recognised by content, never run). A
        flattened copy's name (`owner__repo__.github__workflows__ci.yml`) keeps its folders."""
        parts = self.source.rel_path.split("/")
        parts = parts[:-1] + parts[-1].split("__")  # a flattened `owner__repo__.github__workflows__x.yml`
        return len(parts) >= 3 and parts[-3:-1] == [".github", "workflows"]

    @cached_property
    def jobs_pair(self) -> tuple[Y.ScalarNode, Y.Node] | None:
        return Y.get_pair(self.node, "jobs")

    @property
    def anchor(self) -> Y.Node:
        """Where workflow-wide "missing" findings point: the `jobs:` key, else the root."""
        return self.jobs_pair[0] if self.jobs_pair else self.node

    @cached_property
    def on_node(self) -> Y.Node | None:
        # YAML 1.1 reads an unquoted `on` key as boolean true; its text is still "on".
        # The key's text is kept whatever its tag, so match the text.
        found = None
        for key, value in Y.pairs(self.node):
            if Y.is_scalar(key) and key.value == "on":
                found = value
        return found

    @cached_property
    def jobs(self) -> dict[str, Job]:
        jobs: dict[str, Job] = {}
        defaults = _default_shell(self.node)
        for key, value in Y.pairs(self.jobs_pair[1] if self.jobs_pair else None):
            job_id = Y.text(key)
            if job_id is None:
                continue
            jobs[job_id] = _job(job_id, key, value, _default_shell(value) or defaults)
        return jobs

    @cached_property
    def _ancestors(self) -> dict[str, frozenset[str]]:
        result: dict[str, frozenset[str]] = {}

        def visit(job_id: str, trail: frozenset[str]) -> frozenset[str]:
            if job_id in result:
                return result[job_id]
            found: set[str] = set()
            for need in self.jobs[job_id].needs if job_id in self.jobs else ():
                found.add(need)
                if need in self.jobs and need not in trail:  # a cycle is GitHub's error, not ours
                    found |= visit(need, trail | {need})
            result[job_id] = frozenset(found)
            return result[job_id]

        for job_id in self.jobs:
            visit(job_id, frozenset({job_id}))
        return result

    def ancestors(self, job_id: str) -> frozenset[str]:
        """Every job `job_id` needs, transitively (ids that name no job included)."""
        return self._ancestors.get(job_id, frozenset())

    def unknown_needs(self, job_id: str) -> list[str]:
        job = self.jobs.get(job_id)
        return [n for n in job.needs if n not in self.jobs] if job else []

    def topological(self) -> list[Job]:
        """Jobs with every job after the jobs it needs (cycles broken in document order)."""
        order: list[Job] = []
        done: set[str] = set()

        def visit(job_id: str, trail: frozenset[str]) -> None:
            if job_id in done or job_id not in self.jobs or job_id in trail:
                return
            for need in self.jobs[job_id].needs:
                visit(need, trail | {job_id})
            if job_id not in done:
                done.add(job_id)
                order.append(self.jobs[job_id])

        for job_id in self.jobs:
            visit(job_id, frozenset())
        return order

    @cached_property
    def input_defaults(self) -> dict[str, object]:
        """`workflow_dispatch`/`workflow_call` input defaults, by lower-cased name."""
        defaults: dict[str, object] = {}
        for event in ("workflow_dispatch", "workflow_call"):
            for key, spec in Y.pairs(Y.get(self.on_node, event) if Y.is_map(self.on_node) else None):
                if key is not None and Y.key_text(key) == "inputs":
                    for name, item in Y.pairs(spec):
                        default = Y.get(item, "default")
                        if Y.key_text(name) and Y.is_scalar(default) and not Y.is_null(default):
                            defaults[Y.key_text(name).lower()] = Y.scalar(default)  # type: ignore[union-attr]
        return defaults


def is_workflow(node: Y.Node | None) -> bool:
    """A mapping with ``jobs`` whose entries look like jobs (``runs-on``, ``steps`` or ``uses``)."""
    jobs = Y.get(node, "jobs")
    if not Y.is_map(jobs):
        return False
    return any(Y.is_map(job) and any(Y.get_pair(job, k) for k in ("runs-on", "steps", "uses"))
               for _, job in Y.pairs(jobs))


def _default_shell(node: Y.Node | None) -> str | None:
    return Y.text(Y.get_path(node, "defaults", "run", "shell")) if Y.is_map(node) else None


def _job(job_id: str, key: Y.ScalarNode, node: Y.Node, shell: str | None) -> Job:
    job = Job(job_id, key, node)
    if not Y.is_map(node):
        return job
    needs = Y.get(node, "needs")
    job.needs_node = needs
    if Y.is_seq(needs):
        job.needs = [t for t in (Y.text(n) for n in Y.items(needs)) if t]
    elif Y.text(needs):
        job.needs = [Y.text(needs)]  # type: ignore[list-item]
    job.if_ = Expr.of_if(Y.get(node, "if"))
    pair = Y.get_pair(node, "runs-on")
    if pair:
        job.runs_on_key, job.runs_on = pair
    job.matrix = Y.get_path(node, "strategy", "matrix")
    job.uses = Y.text(Y.get(node, "uses"))
    job.continue_on_error = Y.get(node, "continue-on-error")
    for index, step_node in enumerate(Y.items(Y.get(node, "steps"))):
        job.steps.append(_step(index, step_node, job_id, shell))
    return job


def _step(index: int, node: Y.Node, job_id: str, shell: str | None) -> Step:
    step = Step(index, node, job_id)
    if not Y.is_map(node):
        return step
    step.id = Y.text(Y.get(node, "id"))
    step.name = Y.text(Y.get(node, "name"))
    step.if_ = Expr.of_if(Y.get(node, "if"))
    run = Y.get_pair(node, "run")
    if run and Y.is_scalar(run[1]):
        step.run_key, step.run = run  # type: ignore[assignment]
    uses = Y.get_pair(node, "uses")
    if uses:
        step.uses_key, step.uses = uses[0], Y.text(uses[1])
    for name, value in Y.pairs(Y.get(node, "with")):
        if Y.key_text(name):
            step.with_[Y.key_text(name).lower()] = (name, value)  # type: ignore[union-attr]
    step.shell = Y.text(Y.get(node, "shell")) or shell
    step.continue_on_error = Y.get(node, "continue-on-error")
    return step
