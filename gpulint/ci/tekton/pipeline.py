"""Tekton Pipelines and Triggers: the build -> GPU test -> push pipeline, judged per scenario.

Tekton objects arrive as Kubernetes objects (one ``Manifests`` per file). This module indexes every
Pipeline, Task, PipelineRun, EventListener, TriggerBinding and TriggerTemplate of the scanned files
once per run (``index(project)``), resolves pipeline tasks' ``taskRef`` by name across files, finds
what each step does with the same shell-parsing command detection as GitHub Actions
(``ghcommands``), and evaluates, in each scenario (a pull request to main, a push to a feature
branch, a push to main, a tag push):

* the EventListener triggers' interceptors (CEL filters with ``gpulint.syntax.cel``, the GitHub
  and GitLab interceptors' ``eventTypes``),
* the parameters the trigger's bindings give the PipelineRun (``$(body.ref)`` ...),
* each pipeline task's ``when`` expressions (``input``/``operator``/``values`` and ``cel``).

"After" is ``runAfter`` plus result references (``$(tasks.t.results.r)``), transitively; ``finally``
tasks run after everything, whether it failed or not, unless their ``when`` checks the status.
"""

from __future__ import annotations

import os
import re
from functools import cached_property

from gpulint.artifacts.kubernetes.model import GPU_RESOURCE, TEKTON_GROUPS, K8sObject, gpu_count
from gpulint.artifacts.kubernetes.model import is_tekton  # noqa: F401 - re-exported
from gpulint.ci.commands import BUILD, GPU, PUSH, TEST, classify, live_commands
from gpulint.core.records import Record, replace
from gpulint.core.source import Source, Span
from gpulint.core.tri import UNKNOWN, and3, any3
from gpulint.syntax import cel
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import scalar_locator
from gpulint.syntax.shell import SimpleCommand, Word, command_string

__all__ = ["BUILD", "GPU", "PUSH", "TEST", "index", "is_tekton", "SCENARIOS"]

GROUPS = TEKTON_GROUPS
MAIN_VALUES = ("main", "refs/heads/main")
# Catalog tasks that build and push an image (tektoncd/catalog, Tekton Hub, Artifact Hub).
CATALOG_BUILD_PUSH = ("kaniko", "buildah", "buildpacks", "s2i", "jib-maven", "jib-gradle", "ko")
IMAGE_RESULTS = ("IMAGE_DIGEST", "IMAGE_URL")


def _text(node) -> str | None:
    value = Y.scalar(node)
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
        return None
    return str(value)


# ----------------------------------------------------------------------------- substitution

_REF = re.compile(r"\$\(\s*([^()]*?)\s*\)")
_TEKTON_VAR = re.compile(r"\$\((?:params|tasks|workspaces|results|context|inputs|outputs|steps|resources|"
                         r"step|tt)[.\[][^()]*\)")


def substitute(text: str, lookup) -> object:
    """Replace every ``$(...)`` reference with lookup(expr); UNKNOWN when any piece is unknown."""
    if not isinstance(text, str):
        return UNKNOWN
    out = []
    pos = 0
    for m in _REF.finditer(text):
        value = lookup(m.group(1))
        if value is UNKNOWN or value is None:
            return UNKNOWN
        out.append(text[pos:m.start()])
        out.append(str(value))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _param_name(expr: str, prefix: str) -> str | None:
    """``params.x`` / ``params['x']`` / ``params["x"]`` -> x."""
    if expr.startswith(prefix + "."):
        return expr[len(prefix) + 1:]
    if expr.startswith(prefix + "[") and expr.endswith("]"):
        inner = expr[len(prefix) + 1:-1].strip()
        if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
            return inner[1:-1]
    return None


def task_refs(text: str) -> set[str]:
    """Pipeline tasks whose results (or status) a string refers to: ``$(tasks.t.results.r)``."""
    out = set()
    if isinstance(text, str):
        for m in _REF.finditer(text):
            parts = m.group(1).split(".")
            if len(parts) >= 3 and parts[0] == "tasks" and parts[2] == "results":
                out.add(parts[1])
    return out


def mask_tekton_vars(text: str) -> str:
    """Tekton's ``$(params.x)`` would read as a command substitution to a shell: replace each with a
    same-length plain word so offsets are kept."""
    return _TEKTON_VAR.sub(lambda m: "T" * len(m.group(0)), text)


# ----------------------------------------------------------------------------- tasks and steps

class TStep(Record):
    node: Y.MappingNode
    index: int
    task: TaskDef

    @property
    def name(self) -> str:
        return _text(Y.get(self.node, "name")) or f"#{self.index + 1}"

    @property
    def anchor(self) -> Y.Node:
        name = Y.get(self.node, "name")
        return name if Y.is_scalar(name) else self.node

    @property
    def on_error_continue(self) -> bool:
        return _text(Y.get(self.node, "onError")) == "continue"

    def gpu_limit(self) -> Y.Node | None:
        for holder in (self.node, self.task.step_template):
            for key in ("computeResources", "resources"):
                value = Y.get(Y.get_path(holder, key, "limits"), GPU_RESOURCE)
                if value is not None:
                    return value
        return None

    def label(self) -> str:
        return f"step '{self.name}' of {self.task.label()}"


class THit(Record):
    kind: str
    step: TStep | None
    detail: str
    span: Span
    masked: bool = False
    order: int = 0  # position inside the step's script (commands run in order)


class TaskDef:
    def __init__(self, source: Source, spec: Y.Node, name: str | None, obj: K8sObject | None = None):
        self.source = source
        self.spec = spec
        self.name = name
        self.obj = obj

    def label(self) -> str:
        return f"Task '{self.name}'" if self.name and self.obj is not None else "the inline taskSpec"

    @cached_property
    def step_template(self) -> Y.Node | None:
        return Y.get(self.spec, "stepTemplate")

    @cached_property
    def steps(self) -> list[TStep]:
        return [TStep(s, i, self) for i, s in enumerate(Y.items(Y.get(self.spec, "steps"))) if Y.is_map(s)]

    @cached_property
    def results(self) -> dict[str, Y.Node]:
        out = {}
        for r in Y.items(Y.get(self.spec, "results")):
            name = Y.get(r, "name")
            if _text(name):
                out[_text(name)] = name
        return out

    @cached_property
    def hits(self) -> list[THit]:
        hits: list[THit] = []
        for step in self.steps:
            hits.extend(_step_hits(self.source, step))
        if not any(h.kind == PUSH for h in hits) and not any(h.detail == "kaniko --no-push" for h in hits):
            for name in IMAGE_RESULTS:
                if name in self.results:
                    hits.append(THit(PUSH, None, f"publishes the {name} result (the image is pushed)",
                                     Y.span(self.source, self.results[name])))
                    break
        return [h for h in hits if h.detail != "kaniko --no-push"]


def _span(source: Source, node: Y.ScalarNode, start: int, end: int) -> Span:
    return scalar_locator(source, node)(start, end)


def _errexit(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("#!") and re.search(r"\s-[a-z]*e", first):
        return True
    from gpulint.syntax.shell import parse_shell

    for command in parse_shell(text).commands:
        argv = command.argv()
        if argv[:1] == ["set"]:
            for i, arg in enumerate(argv[1:], 1):
                if re.fullmatch(r"-[a-zA-Z]*e[a-zA-Z]*", arg) or (arg == "-o" and argv[i + 1:i + 2] == ["errexit"]):
                    return True
    return False


def _shell_script(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    if not first.startswith("#!"):
        return True  # Tekton runs a script without a shebang with /bin/sh
    words = first[2:].split()
    prog = os.path.basename(words[0]) if words else ""
    if prog == "env" and len(words) > 1:
        prog = os.path.basename([w for w in words[1:] if not w.startswith("-")][0]) if any(
            not w.startswith("-") for w in words[1:]) else ""
    return prog in ("sh", "bash", "ash", "dash", "zsh", "ksh", "busybox")


class StepCommand(Record):
    """One command a step runs, with its words as written (Tekton variables included)."""

    command: SimpleCommand
    node: Y.Node  # the scalar holding the script, or (exec form) the first word of `command`/`args`
    offset: int  # where the command's (sub)script starts inside the scalar
    script: str | None  # the shell script (None: exec form)
    errexit: bool


def _unmask(command: SimpleCommand, original: str, base: int) -> SimpleCommand:
    """A command parsed from a masked script, with each masked `$(params.x)` put back in its words."""
    found = [m.group(0) for m in _TEKTON_VAR.finditer(original, base + command.start, base + command.end)]
    if not found:
        return command
    words = []
    for word in command.words:
        text = word.text
        for var in found:
            mask = "T" * len(var)
            if mask in text:
                text = text.replace(mask, var, 1)
        words.append(Word(text, word.start, word.end))
    return replace(command, words=words)


def _script_commands(node: Y.ScalarNode, text: str, errexit: bool) -> list[StepCommand]:
    masked = mask_tekton_vars(text)
    return [StepCommand(_unmask(c, text, offset), node, offset, text, errexit)
            for c, offset in live_commands(masked, errexit)]


def step_commands(step: TStep) -> list[StepCommand]:
    """The commands a step runs: its `script` (a shell script unless its shebang says otherwise),
    a shell's `-c` string in `command`/`args`, or its exec-form `command` and `args`."""
    node = step.node
    script = Y.get(node, "script")
    if Y.is_scalar(script) and isinstance(script.value, str) and script.value.strip():
        text = script.value
        return _script_commands(script, text, _errexit(mask_tekton_vars(text))) if _shell_script(text) else []
    words = [w for w in Y.items(Y.get(node, "command"))] + [w for w in Y.items(Y.get(node, "args"))]
    argv = [_text(w) or "" for w in words]
    image = _text(Y.get(node, "image")) or ""
    if not Y.items(Y.get(node, "command")):
        if "kaniko-project/executor" in image or image.startswith("kaniko") or "/kaniko" in image:
            argv = ["/kaniko/executor"] + argv
    if not argv:
        return []
    invoked = command_string(argv)
    if invoked is not None:
        inner = words[invoked.index] if len(words) == len(argv) else None  # None: the executor was prepended
        if inner is not None and Y.is_scalar(inner):
            return _script_commands(inner, invoked.text, invoked.errexit or _errexit(invoked.text))
        return []
    anchor = words[0] if words else node
    return [StepCommand(SimpleCommand([Word(w, 0, 0) for w in argv], 0, 0), anchor, 0, None, False)]


def _step_hits(source: Source, step: TStep) -> list[THit]:
    hits: list[THit] = []
    image = _text(Y.get(step.node, "image")) or ""
    on_error = step.on_error_continue
    for sc in step_commands(step):
        command = sc.command
        argv = command.argv()
        if sc.script is not None:
            if argv and argv[0] == "executor" and "kaniko" in image:
                argv = ["/kaniko/executor"] + argv[1:]
            start, end = sc.offset + command.start, sc.offset + command.end
            masked = command.masked or command.in_condition or command.negated or on_error
            for kind, detail in _classify(argv):
                hits.append(THit(kind, step, detail, _span(source, sc.node, start, end), masked, start))
            continue
        if "kaniko" in argv[0] and any(a == "--no-push" for a in argv):
            hits.append(THit(BUILD, step, "kaniko executor", Y.span(source, sc.node), on_error))
            hits.append(THit(PUSH, step, "kaniko --no-push", Y.span(source, sc.node)))
            continue
        for kind, detail in _classify(argv):
            hits.append(THit(kind, step, detail, Y.span(source, sc.node), on_error))
    return hits


_LOCAL_TRANSPORTS = ("oci-archive:", "oci:", "dir:", "docker-archive:", "containers-storage:", "docker-daemon:")


def _classify(argv: list[str]) -> list[tuple[str, str]]:
    """ghcommands.classify, less pushes to a local archive (`buildah push IMG oci-archive:/x.tar`)."""
    found = classify(argv)
    if argv and os.path.basename(argv[0]) == "buildah":
        positional = [a for a in argv[1:] if not a.startswith("-")]
        if positional[:1] == ["push"] and len(positional) >= 3 and positional[-1].startswith(_LOCAL_TRANSPORTS):
            found = [(k, d) for k, d in found if k != PUSH]
    return found


# ----------------------------------------------------------------------------- pipelines

class When(Record):
    node: Y.Node
    input: str | None = None
    operator: str | None = None
    values: list[str] | None = None
    cel: str | None = None

    @property
    def anchor(self) -> Y.Node:
        return self.node


def read_when(items: Y.Node | None) -> list[When]:
    out = []
    for w in Y.items(items):
        if not Y.is_map(w):
            continue
        values = Y.get(w, "values")
        out.append(When(w, _text(Y.get(w, "input")), _text(Y.get(w, "operator")),
                        [(_text(v) or "") for v in Y.items(values)] if Y.is_seq(values) else None,
                        _text(Y.get(w, "cel"))))
    return out


class PTask:
    def __init__(self, pipeline: TPipeline, node: Y.MappingNode, final: bool):
        self.pipeline = pipeline
        self.node = node
        self.final = final
        self.name = _text(Y.get(node, "name")) or ""
        self.when = read_when(Y.get(node, "when"))
        self.run_after = [t for t in (_text(x) for x in Y.items(Y.get(node, "runAfter"))) if t]
        refs: set[str] = set()
        for _path, value in Y.walk(Y.get(node, "params")) if Y.get(node, "params") is not None else []:
            if Y.is_scalar(value) and isinstance(value.value, str):
                refs |= task_refs(value.value)
        for w in self.when:
            refs |= task_refs(w.input or "")
            for v in w.values or []:
                refs |= task_refs(v)
        self.result_refs = refs
        self.on_error_continue = _text(Y.get(node, "onError")) == "continue"
        self.task: TaskDef | None = None
        self.ref_note: str | None = None  # why the task could not be resolved
        self.ref_node: Y.Node | None = None
        self.catalog: str | None = None

    @property
    def anchor(self) -> Y.Node:
        name = Y.get(self.node, "name")
        return name if Y.is_scalar(name) else self.node

    @property
    def source(self) -> Source:
        return self.pipeline.source

    def label(self) -> str:
        return f"{'finally ' if self.final else ''}task '{self.name}' of Pipeline '{self.pipeline.name}'"

    @cached_property
    def hits(self) -> list[THit]:
        if self.task is not None:
            return list(self.task.hits)
        if self.catalog is not None and self.ref_node is not None:
            span = Y.span(self.source, self.ref_node)
            return [THit(BUILD, None, f"the catalog '{self.catalog}' task", span),
                    THit(PUSH, None, f"the catalog '{self.catalog}' task (pushes to its IMAGE parameter)", span)]
        return []


class TPipeline:
    def __init__(self, source: Source, node: Y.Node, spec: Y.Node, name: str, obj: K8sObject | None):
        self.source = source
        self.node = node
        self.spec = spec
        self.name = name
        self.obj = obj
        self.tasks: dict[str, PTask] = {}
        for key, final in (("tasks", False), ("finally", True)):
            for t in Y.items(Y.get(spec, key)):
                if Y.is_map(t):
                    pt = PTask(self, t, final)
                    self.tasks.setdefault(pt.name, pt)
        self.defaults: dict[str, object] = {}
        for p in Y.items(Y.get(spec, "params")):
            name_ = _text(Y.get(p, "name"))
            if name_:
                default = Y.get(p, "default")
                if default is not None:
                    self.defaults[name_] = _text(default) if Y.is_scalar(default) and _text(default) is not None \
                        else UNKNOWN

    @property
    def anchor(self) -> Y.Node:
        name = Y.get_path(self.node, "metadata", "name")
        return name if Y.is_scalar(name) else self.node

    def deps(self, name: str) -> set[str]:
        t = self.tasks.get(name)
        if t is None:
            return set()
        if t.final:
            return {n for n, o in self.tasks.items() if not o.final}
        return {d for d in set(t.run_after) | t.result_refs if d in self.tasks and d != name}

    def ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        todo = [name]
        while todo:
            for d in self.deps(todo.pop()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    def hits(self, kind: str | None = None) -> list[tuple[PTask, THit]]:
        return [(t, h) for t in self.tasks.values() for h in t.hits if kind is None or h.kind == kind]


# ----------------------------------------------------------------------------- scenarios

class TScenario(Record, frozen=True):
    key: str
    label: str
    event: str  # push | pull_request
    ref: str | None  # body.ref of a push
    main: bool = False


SCENARIOS = (
    TScenario("pull_request", "a pull request to main", "pull_request", None),
    TScenario("push-branch", "a push to branch feature-x", "push", "refs/heads/feature-x"),
    TScenario("push-main", "a push to main", "push", "refs/heads/main", True),
    TScenario("push-tag", "a tag push (v1.0.0)", "push", "refs/tags/v1.0.0"),
)


def _event_env(s: TScenario) -> dict:
    O = cel.obj
    repo = O({})
    if s.event == "pull_request":
        body = O({"action": "opened", "repository": repo, "object_kind": "merge_request",
                  "pull_request": O({"head": O({"ref": "feature-x", "repo": O({})}), "base": O({"ref": "main"})}),
                  "object_attributes": O({"source_branch": "feature-x", "target_branch": "main"})},
                 absent=("ref", "before", "after", "commits", "pusher", "head_commit"))
        gitlab = "Merge Request Hook"
    else:
        body = O({"ref": s.ref, "repository": repo, "object_kind": "tag_push" if "tags/" in s.ref else "push",
                  "deleted": False, "created": UNKNOWN}, absent=("pull_request", "action"))
        gitlab = "Tag Push Hook" if "tags/" in (s.ref or "") else "Push Hook"
    headers = cel.Headers({"X-GitHub-Event": s.event, "X-Gitlab-Event": gitlab})
    return {"body": body, "header": headers, "extensions": cel.obj({}), "requestURL": UNKNOWN}


def _json_path(expr: str, env: dict):
    """``body.ref`` / ``header.X-GitHub-Event`` / ``extensions.x`` of a TriggerBinding value."""
    parts = expr.split(".")
    root = parts[0]
    if root not in ("body", "header", "extensions"):
        return UNKNOWN
    value = env[root]
    if root == "header":
        name = ".".join(parts[1:])
        v = value.get(name) if name else UNKNOWN
        return UNKNOWN if v is None else v
    for part in parts[1:]:
        m = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
        if m is None:
            return UNKNOWN
        try:
            value = cel._select(value, m.group(1))
            for idx in re.findall(r"\[(\d+)\]", m.group(2)):
                value = value[int(idx)] if isinstance(value, list) else UNKNOWN
        except (cel.CelError, IndexError):
            raise
        if value is UNKNOWN:
            return UNKNOWN
    return value if isinstance(value, (str, int, float, bool)) else UNKNOWN


class Activation(Record):
    """One way the pipeline can be started in a scenario: whether it starts and with which params."""

    starts: object  # True | False | UNKNOWN
    params: dict
    trigger: Y.Node | None = None
    assumed: bool = False  # no EventListener: params are unknown and `when` on main decides


class Index:
    def __init__(self, project):
        self.tasks: dict[str, TaskDef] = {}
        self.pipelines: list[TPipeline] = []
        self.runs: list[tuple[Source, Y.Node, Y.Node | None]] = []  # (source, PipelineRun node, TriggerTemplate)
        self.templates: dict[str, tuple[Source, Y.Node]] = {}
        self.bindings: dict[str, Y.Node] = {}
        self.listeners: list[tuple[Source, K8sObject]] = []
        objects = [o for m in sorted(project.of_kind("kubernetes"), key=lambda m: m.source.rel_path)
                   for o in m.objects if is_tekton(o)]
        for o in objects:
            spec = Y.get(o.node, "spec")
            if o.kind in ("Task", "ClusterTask") and o.name and Y.is_map(spec):
                self.tasks.setdefault(o.name, TaskDef(o.source, spec, o.name, o))
            elif o.kind == "TriggerTemplate" and o.name:
                self.templates.setdefault(o.name, (o.source, o.node))
                for r in Y.items(Y.get(spec, "resourcetemplates")):
                    if Y.is_map(r) and _text(Y.get(r, "kind")) == "PipelineRun":
                        self.runs.append((o.source, r, o.node))
            elif o.kind in ("TriggerBinding", "ClusterTriggerBinding") and o.name:
                self.bindings.setdefault(o.name, o.node)
            elif o.kind == "EventListener":
                self.listeners.append((o.source, o))
            elif o.kind == "PipelineRun":
                self.runs.append((o.source, o.node, None))
        for o in objects:
            spec = Y.get(o.node, "spec")
            if o.kind == "Pipeline" and Y.is_map(spec):
                self.pipelines.append(TPipeline(o.source, o.node, spec, o.name or "", o))
        for source, run, _tt in self.runs:
            inline = Y.get_path(run, "spec", "pipelineSpec")
            if Y.is_map(inline):
                name = _text(Y.get_path(run, "metadata", "name")) or _text(
                    Y.get_path(run, "metadata", "generateName")) or "inline"
                self.pipelines.append(TPipeline(source, run, inline, name, None))
        for p in self.pipelines:
            for t in p.tasks.values():
                self._resolve(t)

    def _resolve(self, t: PTask) -> None:
        spec = Y.get(t.node, "taskSpec")
        if Y.is_map(spec):
            t.task = TaskDef(t.source, spec, t.name)
            return
        ref = Y.get(t.node, "taskRef")
        if not Y.is_map(ref):
            t.ref_note = "has neither taskRef nor taskSpec"
            t.ref_node = t.anchor
            return
        name_node = Y.get(ref, "name")
        name = _text(name_node)
        t.ref_node = name_node if name_node is not None else ref
        resolver = _text(Y.get(ref, "resolver"))
        bundle = _text(Y.get(ref, "bundle"))
        if resolver or bundle:
            params = {_text(Y.get(p, "name")): (_text(Y.get(p, "value")), Y.get(p, "value"))
                      for p in Y.items(Y.get(ref, "params"))}
            remote = (params.get("name") or (None, None))
            if remote[0] in CATALOG_BUILD_PUSH:
                t.catalog, t.ref_node = remote[0], remote[1]
                return
            t.ref_note = f"is fetched by the '{resolver or 'bundles'}' resolver at run time"
            return
        kind = _text(Y.get(ref, "kind")) or "Task"
        if name and name in self.tasks and kind in ("Task", "ClusterTask"):
            t.task = self.tasks[name]
            return
        if name in CATALOG_BUILD_PUSH:
            t.catalog = name
            return
        t.ref_note = (f"refers to {kind} '{name}', which is not defined in the scanned files"
                      if name else "has a taskRef without a name")

    # -------------------------------------------------------------- triggers

    def runs_of(self, pipeline: TPipeline) -> list[tuple[Source, Y.Node, Y.Node | None]]:
        out = []
        for source, run, tt in self.runs:
            ref = _text(Y.get_path(run, "spec", "pipelineRef", "name"))
            if (ref and ref == pipeline.name and pipeline.obj is not None) or run is pipeline.node:
                out.append((source, run, tt))
        return out

    def triggers_of(self, pipeline: TPipeline) -> list[tuple[Y.Node, Y.Node | None]]:
        """(trigger, PipelineRun in its template or None when the template is not in the files)."""
        out = []
        for _source, listener in self.listeners:
            for trigger in Y.items(Y.get_path(listener.node, "spec", "triggers")):
                if not Y.is_map(trigger):
                    continue
                template = Y.get(trigger, "template")
                tname = _text(Y.get(template, "ref")) or _text(Y.get(template, "name"))
                spec_inline = Y.get(template, "spec")
                if Y.is_map(spec_inline):
                    runs = [r for r in Y.items(Y.get(spec_inline, "resourcetemplates"))
                            if _text(Y.get(r, "kind")) == "PipelineRun"]
                elif tname in self.templates:
                    runs = [r for s, r, tt in self.runs if tt is self.templates[tname][1]]
                else:
                    out.append((trigger, None))
                    continue
                for run in runs:
                    ref = _text(Y.get_path(run, "spec", "pipelineRef", "name"))
                    if (ref and ref == pipeline.name and pipeline.obj is not None) or run is pipeline.node:
                        out.append((trigger, run))
        return out

    def activations(self, pipeline: TPipeline, s: TScenario) -> list[Activation]:
        key = (id(pipeline), s.key)
        cache = self.__dict__.setdefault("_acts", {})
        if key not in cache:
            triggers = self.triggers_of(pipeline)
            if not triggers:
                cache[key] = [Activation(True, {}, None, assumed=True)]
            else:
                cache[key] = [self._activation(pipeline, trigger, run, s) for trigger, run in triggers]
        return cache[key]

    def _activation(self, pipeline: TPipeline, trigger: Y.Node, run: Y.Node | None, s: TScenario) -> Activation:
        env = _event_env(s)
        starts, env = interceptors(trigger, env)
        if starts is False:
            return Activation(False, {}, trigger)
        if run is None:
            return Activation(starts, {}, trigger)
        bound: dict[str, object] = {}
        try:
            for b in Y.items(Y.get(trigger, "bindings")):
                ref = _text(Y.get(b, "ref"))
                params = Y.items(Y.get_path(self.bindings.get(ref), "spec", "params")) if ref else [b]
                if ref and ref not in self.bindings:
                    continue
                for p in params:
                    name = _text(Y.get(p, "name"))
                    value = _text(Y.get(p, "value"))
                    if name:
                        bound[name] = substitute(value, lambda e: _json_path(e, env)) if value is not None else UNKNOWN
        except cel.CelError:
            return Activation(False, {}, trigger)  # a binding names a field the event lacks: no run
        tt = next((t for s_, r, t in self.runs if r is run), None)
        tt_params: dict[str, object] = {}
        for p in Y.items(Y.get_path(tt, "spec", "params")):
            name = _text(Y.get(p, "name"))
            if name:
                default = Y.get(p, "default")
                tt_params[name] = bound.get(name, _text(default) if default is not None else UNKNOWN)

        def tt_lookup(expr: str):
            for prefix in ("tt.params", "params"):
                n = _param_name(expr, prefix)
                if n is not None:
                    return tt_params.get(n, UNKNOWN)
            return UNKNOWN

        params = dict(pipeline.defaults)
        for p in Y.items(Y.get_path(run, "spec", "params")):
            name = _text(Y.get(p, "name"))
            value = Y.get(p, "value")
            if name:
                params[name] = substitute(_text(value), tt_lookup) if Y.is_scalar(value) else UNKNOWN
        return Activation(starts, params, trigger)

    # -------------------------------------------------------------- evaluation

    def task_runs(self, t: PTask, s: TScenario, failed: str | None = None) -> object:
        """May the pipeline task run in scenario s (with pipeline task `failed` failed)."""
        return any3([and3(a.starts, when_all(t.when, a, s, failed)) for a in self.activations(t.pipeline, s)])

    def possible(self, t: PTask) -> bool:
        return any(self.task_runs(t, s) is not False for s in SCENARIOS)

    def pod_templates(self, t: PTask) -> list[tuple[Source, Y.Node]]:
        """The pod templates the pipeline's runs give this task."""
        out = []
        for source, run, _tt in self.runs_of(t.pipeline):
            spec = Y.get(run, "spec")
            chosen = None
            for key in ("taskRunSpecs",):
                for trs in Y.items(Y.get(spec, key)):
                    if _text(Y.get(trs, "pipelineTaskName")) == t.name:
                        chosen = Y.get(trs, "podTemplate") or Y.get(trs, "taskPodTemplate")
            if chosen is None:
                chosen = Y.get_path(spec, "taskRunTemplate", "podTemplate") or Y.get(spec, "podTemplate")
            if Y.is_map(chosen):
                out.append((source, chosen))
        return out

    def run_gpu_limits(self, t: PTask, step: TStep) -> list[Y.Node]:
        """GPU limits a PipelineRun sets for this task's step (taskRunSpecs computeResources/stepSpecs)."""
        out = []
        for _source, run, _tt in self.runs_of(t.pipeline):
            for trs in Y.items(Y.get_path(run, "spec", "taskRunSpecs")):
                if _text(Y.get(trs, "pipelineTaskName")) != t.name:
                    continue
                v = Y.get(Y.get_path(trs, "computeResources", "limits"), GPU_RESOURCE)
                if v is not None:
                    out.append(v)
                for key in ("stepSpecs", "stepOverrides"):
                    for ss in Y.items(Y.get(trs, key)):
                        if _text(Y.get(ss, "name")) == step.name:
                            for rk in ("computeResources", "resources"):
                                v = Y.get(Y.get_path(ss, rk, "limits"), GPU_RESOURCE)
                                if v is not None:
                                    out.append(v)
        return out


def interceptors(trigger: Y.Node, env: dict) -> tuple[object, dict]:
    """Whether a trigger's interceptors let the scenario's event through (three-valued)."""
    state: object = True
    for ic in Y.items(Y.get(trigger, "interceptors")):
        if not Y.is_map(ic):
            continue
        kind, params = _interceptor(ic)
        if kind == "cel":
            filt = params.get("filter")
            if isinstance(filt, str) and filt.strip():
                try:
                    state = and3(state, cel.filter_passes(filt, env))
                except cel.CelSyntaxError:
                    state = and3(state, UNKNOWN)
            for overlay in params.get("overlays") or []:
                key, expr = _text(Y.get(overlay, "key")), _text(Y.get(overlay, "expression"))
                if key and expr:
                    try:
                        value = cel.evaluate(cel.parse(expr), env)
                    except (cel.CelError, cel.CelSyntaxError, RecursionError):
                        value = UNKNOWN
                    env["extensions"][key] = value
        elif kind in ("github", "gitlab"):
            types = params.get("eventTypes")
            if isinstance(types, list):
                wanted = env["header"].get("X-GitHub-Event" if kind == "github" else "X-Gitlab-Event")
                state = and3(state, wanted in types)
        elif kind is not None and kind != "slack":
            state = and3(state, UNKNOWN)  # a webhook or custom interceptor: cannot be decided
        if state is False:
            return False, env
    return state, env


def _interceptor(ic: Y.Node) -> tuple[str | None, dict]:
    """('cel', {'filter': str, 'overlays': [nodes]}) for the old and the ref/params forms."""
    for kind in ("cel", "github", "gitlab", "bitbucket", "webhook"):
        body = Y.get(ic, kind)
        if body is not None:
            if kind == "cel":
                return kind, {"filter": _text(Y.get(body, "filter")), "overlays": Y.items(Y.get(body, "overlays"))}
            if kind in ("github", "gitlab", "bitbucket"):
                types = Y.get(body, "eventTypes")
                return kind, {"eventTypes": [_text(x) for x in Y.items(types)] if Y.is_seq(types) else None}
            return kind, {}
    ref = Y.get(ic, "ref")
    name = _text(Y.get(ref, "name")) if Y.is_map(ref) else None
    params: dict = {}
    for p in Y.items(Y.get(ic, "params")):
        pname, value = _text(Y.get(p, "name")), Y.get(p, "value")
        if pname == "filter":
            params["filter"] = _text(value)
        elif pname == "overlays":
            params["overlays"] = Y.items(value)
        elif pname == "eventTypes":
            params["eventTypes"] = [_text(x) for x in Y.items(value)] if Y.is_seq(value) else None
    return (name or "webhook"), params


def _value_lookup(a: Activation, s: TScenario, failed: str | None):
    def lookup(expr: str):
        name = _param_name(expr, "params")
        if name is not None:
            return a.params.get(name, UNKNOWN)
        parts = expr.split(".")
        if parts[0] == "tasks":
            if len(parts) == 2 and parts[1] == "status":
                return "Failed" if failed else UNKNOWN
            if len(parts) == 3 and parts[2] == "status":
                return "Failed" if failed == parts[1] else UNKNOWN
        return UNKNOWN
    return lookup


def when_holds(w: When, a: Activation, s: TScenario, failed: str | None = None) -> object:
    lookup = _value_lookup(a, s, failed)
    if w.cel is not None:
        text = substitute(w.cel, lookup)
        if text is UNKNOWN:
            return UNKNOWN
        try:
            value = cel.evaluate(cel.parse(text), {})
        except (cel.CelSyntaxError, cel.CelError, RecursionError):
            return UNKNOWN
        return value if isinstance(value, bool) else UNKNOWN
    if w.input is None or w.values is None or w.operator not in ("in", "notin"):
        return UNKNOWN
    value = substitute(w.input, lookup)
    values = [substitute(v, lookup) for v in w.values]
    if value is UNKNOWN or any(v is UNKNOWN for v in values):
        if a.assumed and value is UNKNOWN and "params" in w.input and any(v in MAIN_VALUES for v in values):
            # No EventListener: a param compared with main is read as the revision the run is for.
            inside = s.main
            return inside if w.operator == "in" else not inside
        return UNKNOWN
    return (value in values) if w.operator == "in" else (value not in values)


def when_all(whens: list[When], a: Activation, s: TScenario, failed: str | None = None) -> object:
    state: object = True
    for w in whens:
        state = and3(state, when_holds(w, a, s, failed))
    return state


def index(project) -> Index:
    return project.memo("tekton-index", lambda: Index(project))


def pipelines_in(manifests, project) -> list[TPipeline]:
    """The pipelines defined in one file (each pipeline's rules run from the file that defines it)."""
    return [p for p in index(project).pipelines if p.source is manifests.source]


def scenario_list(items: list[tuple[TScenario, object]]) -> str:
    parts = [f"on {s.label}" + (" (may run: a `when` or trigger cannot be decided)" if state is UNKNOWN else "")
             for s, state in items]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def gpu_limit_ok(node: Y.Node | None) -> bool:
    count = gpu_count(node)
    return count is not None and count >= 1


# ----------------------------------------------------------------------------- gating

def outside_main(ix: Index, t: PTask) -> list[tuple[TScenario, object]]:
    """Scenarios other than a push to main in which the pipeline task may run."""
    out = []
    for s in SCENARIOS:
        if not s.main:
            state = ix.task_runs(t, s)
            if state is not False:
                out.append((s, state))
    return out


def gate(ix: Index, test: tuple[PTask, THit], push: tuple[PTask, THit], s: TScenario) -> str:
    """'' when a failure of the GPU test stops the push in s; otherwise why it does not."""
    tt, th = test
    pt, ph = push
    where = f"the GPU test in {tt.label()}"
    if th.masked:
        why = "its step has `onError: continue`" if th.step is not None and th.step.on_error_continue else \
            "its failure is hidden (`|| true`, a pipe, an `if` test, or a script without `set -e` that goes on)"
        return f"{where} cannot gate it: {why}"
    if tt.on_error_continue:
        return f"{where} cannot gate it: the pipeline task has `onError: continue`"
    if tt is pt:
        if th.step is None or ph.step is None:
            return f"{where} cannot gate the push"
        if (th.step.index, th.order) < (ph.step.index, ph.order):
            return ""
        return f"{where} runs after the push step"
    if ix.task_runs(tt, s) is False:
        return f"{where} is skipped on {s.label} (its `when` is false) and a skipped task does not stop the tasks after it"
    if pt.final:
        if ix.task_runs(pt, s, failed=tt.name) is False:
            return ""
        return (f"'{pt.name}' is a finally task, which runs even when '{tt.name}' failed (add `when: "
                f"[{{input: $(tasks.{tt.name}.status), operator: in, values: [Succeeded]}}]`)")
    if tt.name not in tt.pipeline.ancestors(pt.name):
        return (f"task '{pt.name}' does not run after '{tt.name}', which runs the GPU test (add `runAfter: "
                f"[{tt.name}]`)")
    return ""


def untested(ix: Index, push: tuple[PTask, THit]) -> list[tuple[TScenario, object, str]]:
    pt, _ph = push
    tests = [(t, h) for t, h in pt.pipeline.hits(TEST)]
    out = []
    for s in SCENARIOS:
        state = ix.task_runs(pt, s)
        if state is False:
            continue
        reasons = []
        for test in tests:
            reason = gate(ix, test, push, s)
            if not reason:
                break
            reasons.append(reason)
        else:
            out.append((s, state, reasons[0] if reasons else f"Pipeline '{pt.pipeline.name}' runs no GPU test"))
    return out
