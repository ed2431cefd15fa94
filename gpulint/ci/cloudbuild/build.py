"""Google Cloud Build configurations (``cloudbuild*.yaml``): steps, their order, pushes and triggers.

Steps run in order unless ``waitFor`` says otherwise (``waitFor: ['-']`` starts a step at once);
a failing step fails the build and stops the steps waiting for it, unless it has
``allowFailure``/``allowExitCodes``. What a step runs is read from its builder's entrypoint and
``args`` (``bash -c`` scripts and ``script:`` are parsed as shell), so an ``echo docker push``
never counts. Images listed under ``images:`` are pushed by Cloud Build only after every step
succeeded. Default workers have no GPU; a GPU test needs a private pool (``options.pool``) whose
machines have GPUs, or must be handed to a GPU service (``gcloud compute ssh`` to a GPU VM).
Which branch starts the build is set by the trigger, outside this file: it is read from a
trigger export (``gcloud builds triggers export``) or a ``gcloud builds triggers create`` in a
shell script of the project when there is one.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from typing import TYPE_CHECKING

from gpulint.artifacts import gpucheck
from gpulint.ci.commands import BUILD, GPU, PUSH, TEST, classify, live_commands
from gpulint.ci.refs import regex_names
from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import scalar_locator
from gpulint.syntax.shell import SimpleCommand, Word, command_string, is_shell, parse_shell
from gpulint.syntax.yamlfile import YamlFile, load_yaml

if TYPE_CHECKING:
    from gpulint.project.project import Project

MAIN = "main"
SAMPLE_BRANCHES = ("main", "feature-x", "develop", "release-1.0", "mainline", "my-main")
TRIGGER_KEYS = ("github", "triggerTemplate", "repositoryEventConfig", "pubsubConfig", "webhookConfig",
                "sourceToBuild", "gitlabEnterpriseEventsConfig", "bitbucketServerTriggerConfig", "gitFileSource")
# Builder images whose entrypoint is the tool (the last path part of the image, without tag).
_ENTRYPOINTS = {"docker": "docker", "gcloud": "gcloud", "cloud-sdk": "gcloud", "kubectl": "kubectl",
                "executor": "/kaniko/executor", "crane": "crane", "gcrane": "crane", "skopeo": "skopeo",
                "git": "git", "gsutil": "gsutil", "buildah": "buildah"}


class Step(Record):
    index: int
    node: Y.Node
    id: str | None
    builder: str
    wait_for: list[str] | None  # None: wait for every earlier step; []: start at once
    allow_failure: bool

    def label(self) -> str:
        return f"step '{self.id}'" if self.id else f"step {self.index + 1} (`{self.builder or '?'}`)"


class StepCommand(Record):
    """One command a step runs, and where it is written."""

    command: SimpleCommand
    node: Y.Node  # the scalar holding the script, or (exec form) the step's `args` key
    offset: int  # where the command's (sub)script starts inside the scalar
    script: str | None  # the shell script (None: exec form)
    errexit: bool


class Hit(Record):
    kind: str
    step: Step | None  # None for `images:`
    detail: str
    node: Y.Node  # the scalar holding the command (or the step / image entry)
    command: SimpleCommand | None = None
    offset: int = 0
    remote: str = ""  # handed to a GPU service: how
    waits: bool = True  # the step waits for the remote test to finish
    argv: list[str] = field(default_factory=list)

    @property
    def masked(self) -> bool:
        c = self.command
        return c is not None and (c.masked or c.in_condition or c.negated)

    def span(self, source: Source) -> Span:
        if self.command is not None and Y.is_scalar(self.node):
            return scalar_locator(source, self.node)(self.offset + self.command.start, self.offset + self.command.end)
        return Y.span(source, self.node)

    def where(self) -> str:
        return self.step.label() if self.step is not None else "`images:`"


def _text_list(node: Y.Node | None) -> list[Y.Node]:
    if Y.is_seq(node):
        return [n for n in Y.items(node) if Y.is_scalar(n)]
    return [node] if Y.is_scalar(node) and not Y.is_null(node) else []


def _basename(image: str) -> str:
    last = image.rsplit("/", 1)[-1]
    return last.split("@", 1)[0].split(":", 1)[0]


def _tags(argv: list[str]) -> list[str]:
    out = []
    for i, arg in enumerate(argv):
        if arg in ("-t", "--tag") and i + 1 < len(argv):
            out.append(argv[i + 1])
        elif arg.startswith(("--tag=", "-t=")):
            out.append(arg.split("=", 1)[1])
        elif arg.startswith(("--destination=", "-d=")):
            out.append(arg.split("=", 1)[1])
        elif arg in ("--destination", "-d") and i + 1 < len(argv):
            out.append(argv[i + 1])
    return out


def _norm(image: str) -> str:
    return image.strip().strip("'\"").replace("${", "$").replace("}", "")


class CloudBuild:
    kind = "cloudbuild"

    def __init__(self, source: Source, yaml: YamlFile, node: Y.MappingNode) -> None:
        self.source = source
        self.yaml = yaml
        self.node = node

    @property
    def is_build(self) -> bool:
        return Y.is_seq(Y.get(self.node, "steps"))

    @cached_property
    def steps(self) -> list[Step]:
        out: list[Step] = []
        for index, node in enumerate(Y.items(Y.get(self.node, "steps"))):
            if not Y.is_map(node):
                continue
            wait = Y.get(node, "waitFor")
            wait_for = None if wait is None or Y.is_null(wait) else \
                [t for t in (Y.text(n) for n in _text_list(wait)) if t is not None]
            if wait_for is not None and "-" in wait_for:
                wait_for = []
            allow = Y.scalar(Y.get(node, "allowFailure")) is True or Y.get(node, "allowExitCodes") is not None
            out.append(Step(index, node, Y.text(Y.get(node, "id")), Y.text(Y.get(node, "name")) or "", wait_for,
                            allow))
        return out

    def span(self, node: Y.Node) -> Span:
        return Y.span(self.source, node)

    # --------------------------------------------------------------- commands

    @cached_property
    def built_images(self) -> set[str]:
        images: set[str] = set()
        for hit in self._raw_hits:
            if hit.kind == BUILD:
                images.update(_norm(t) for t in _tags(hit.argv))
        return images

    @cached_property
    def _raw_hits(self) -> list[Hit]:
        out: list[Hit] = []
        for step in self.steps:
            out.extend(self._step_hits(step))
        return out

    def step_commands(self, step: Step) -> list[StepCommand]:
        """The commands a step runs: its `script`, a shell's `-c` string, or its exec-form `args`."""
        node = step.node
        script = Y.get(node, "script")
        if Y.is_scalar(script) and Y.text(script):
            return [StepCommand(c, script, offset, script.value, False)
                    for c, offset in live_commands(script.value, errexit=False)]
        args = _text_list(Y.get(node, "args"))
        entry = Y.text(Y.get(node, "entrypoint"))
        words = [Y.text(a) or "" for a in args]
        nodes: list[Y.Node] = list(args)
        if entry:
            words, nodes = [entry] + words, [Y.get(node, "entrypoint")] + nodes  # type: ignore[list-item]
        elif _basename(step.builder) in _ENTRYPOINTS:
            words, nodes = [_ENTRYPOINTS[_basename(step.builder)]] + words, [Y.get(node, "name")] + nodes  # type: ignore
        if not words:
            return []
        if is_shell(words[0]):
            invoked = command_string(words)
            if invoked is not None and Y.is_scalar(nodes[invoked.index]):
                inner = nodes[invoked.index]
                return [StepCommand(c, inner, offset, inner.value, invoked.errexit)  # type: ignore[union-attr]
                        for c, offset in live_commands(inner.value, errexit=invoked.errexit)]  # type: ignore
            return []
        command = SimpleCommand([Word(w, 0, 0) for w in words], 0, 0)
        point = Y.get_pair(node, "args")[0] if Y.get_pair(node, "args") else Y.get_pair(node, "name")[0] \
            if Y.get_pair(node, "name") else node
        return [StepCommand(command, point, 0, None, False)]

    def _step_hits(self, step: Step) -> list[Hit]:
        out: list[Hit] = []
        for sc in self.step_commands(step):
            located = sc.command if sc.script is not None else None
            out.extend(self._classify(step, sc.command, sc.node, located, sc.offset))
        return out

    @cached_property
    def substitutions(self) -> dict[str, str]:
        """User substitutions (`_NAME`) with their defaults; built-in ones are unknown."""
        return {Y.key_text(k): Y.text(v) or "" for k, v in Y.pairs(Y.get(self.node, "substitutions"))
                if Y.key_text(k) and Y.is_scalar(v)}  # type: ignore[misc]

    def _classify(self, step: Step, command: SimpleCommand, node: Y.Node, located: SimpleCommand | None,
                  offset: int) -> list[Hit]:
        argv = command.argv()
        found = [Hit(kind, step, detail, node, located, offset, argv=argv) for kind, detail in classify(argv)]
        if located is None:
            for hit in found:  # an exec-form step: point at the `args` key, mask nothing
                hit.command = None
        remote = self._remote(argv)
        if remote is not None:
            found.append(Hit(TEST, step, remote[0], node, located, offset, remote=remote[0], waits=remote[1]))
        return found

    def _remote(self, argv: list[str]) -> tuple[str, bool] | None:
        """A GPU test handed to a GPU service: (what, whether the step waits for its result)."""
        if not argv or os.path.basename(argv[0]) != "gcloud":
            return None
        words = [w for w in argv[1:] if w not in ("beta", "alpha")]
        positional = [w for w in words if not w.startswith("-")]
        if positional[:2] == ["compute", "ssh"]:
            remote = ""
            for i, w in enumerate(words):
                if w == "--command" and i + 1 < len(words):
                    remote = words[i + 1]
                elif w.startswith("--command="):
                    remote = w.split("=", 1)[1]
            inner = [k for c in parse_shell(remote, errexit=True).commands for k, _ in classify(c.argv())]
            if TEST in inner:
                return "a GPU test run over `gcloud compute ssh` on a VM", True
        if positional[:3] == ["ai", "custom-jobs", "create"] and any("accelerator-type=" in w for w in words):
            return "`gcloud ai custom-jobs create` with a GPU accelerator", False
        return None

    @cached_property
    def hits(self) -> list[Hit]:
        out = list(self._raw_hits)
        built = self.built_images
        for step in self.steps:
            if not built or _norm(step.builder) not in built or any(h.step is step and h.kind == TEST for h in out):
                continue
            argv = [Y.text(a) or "" for a in _text_list(Y.get(step.node, "args"))]
            entry = Y.text(Y.get(step.node, "entrypoint"))
            if entry:
                argv = [entry] + argv
            verdict = gpucheck.judge_exec(argv, lambda path: "a file inside the image") if argv else None
            if verdict is not None and verdict.kind in (gpucheck.GPU, gpucheck.NVIDIA_SMI, gpucheck.UNVERIFIED) \
                    and (verdict.kind != gpucheck.UNVERIFIED or "smoke" in " ".join(argv).lower()):
                point = Y.get_pair(step.node, "name")[0] if Y.get_pair(step.node, "name") else step.node
                out.append(Hit(TEST, step, "runs the built image with a GPU check", point))
        for image in _text_list(Y.get(self.node, "images")):
            out.append(Hit(PUSH, None, "`images:` (pushed after every step succeeded)", image))
        return out

    def of(self, kind: str) -> list[Hit]:
        return [h for h in self.hits if h.kind == kind]

    # --------------------------------------------------------------- order

    def waits_for(self, step: Step) -> list[Step]:
        if step.wait_for is None:
            return [s for s in self.steps if s.index < step.index]
        by_id = {s.id: s for s in self.steps if s.id}
        return [by_id[i] for i in step.wait_for if i in by_id and by_id[i] is not step]

    def ancestors(self, step: Step) -> set[int]:
        seen: set[int] = set()
        stack = [step]
        while stack:
            for pred in self.waits_for(stack.pop()):
                if pred.index not in seen and pred is not step:
                    seen.add(pred.index)
                    stack.append(pred)
        return seen

    def gate(self, test: Hit, push: Hit) -> str:
        """'' when a failure of `test` stops `push`; otherwise why it does not."""
        tstep = test.step
        where = f"the GPU test in {test.where()}"
        if tstep is None:
            return "no GPU test"
        if test.masked:
            return f"{where} cannot gate it: its failure is hidden (`|| true`, a pipe, `;` in a script without " \
                   "`set -e`, or an `if` test)"
        if tstep.allow_failure:
            return f"{where} has `allowFailure`/`allowExitCodes`, so its failure does not fail the build"
        if test.remote and not test.waits:
            return f"{where} starts {test.remote}, which returns before the test finishes: its failure " \
                   "cannot fail the build"
        if push.step is None:
            return ""  # `images:` are pushed after every step succeeded
        if push.step is tstep:
            if test.command is not None and push.command is not None and test.command.start < push.command.start:
                return ""
            return f"{where} runs after the push"
        if tstep.index not in self.ancestors(push.step):
            return (f"{push.where()} does not wait for {tstep.label()}, which runs the GPU test (it "
                    + ("comes later" if tstep.index > push.step.index else "is not in its `waitFor`") + ")")
        return ""

    def untested(self, push: Hit) -> str:
        reasons = []
        for test in sorted(self.of(TEST), key=lambda h: h.step.index if h.step is not None else len(self.steps)):
            reason = self.gate(test, push)
            if not reason:
                return ""
            reasons.append(reason)
        return reasons[0] if reasons else "the build runs no GPU test"

    # --------------------------------------------------------------- workers

    @cached_property
    def pool(self) -> tuple[str | None, Y.Node | None]:
        options = Y.get(self.node, "options")
        node = Y.get_path(options, "pool", "name") or Y.get(options, "workerPool")
        return (Y.text(node), node) if node is not None and Y.text(node) else (None, None)

    def gpu_work(self) -> list[Hit]:
        return [h for h in self.hits if h.kind in (TEST, GPU) and not h.remote]


# ----------------------------------------------------------------------------- triggers

class Trigger(Record):
    source: Source
    node: Y.Node | None
    config: str | None  # the build config file it runs (None: cloudbuild.yaml or inline)
    events: list[str] = field(default_factory=list)  # what starts it, e.g. "a push to branch develop"
    kinds: list[str] = field(default_factory=list)  # each event's kind: push-branch | tag | pull-request | manual
    main_only: bool = True

    def add(self, kind: str, label: str) -> None:
        self.main_only = False
        self.kinds.append(kind)
        self.events.append(label)


def _branches(pattern: str, invert: bool) -> list[str] | None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return None
    samples = list(SAMPLE_BRANCHES) + [n for n in regex_names(pattern) if n not in SAMPLE_BRANCHES]
    return [b for b in samples if bool(regex.search(b)) != invert]


def _judge(trigger: Trigger, kind: str, pattern: str | None, invert: bool = False) -> None:
    if kind == "push-branch" and pattern is not None:
        names = _branches(pattern, invert)
        if names is None or names != [MAIN]:
            trigger.add("push-branch", f"a push to a branch matching `{pattern}`" +
                                  (f" (such as {', '.join(n for n in (names or []) if n != MAIN)[:60] or 'not main'})"
                                   if names and names != [MAIN] else " (not main)" if names == [] else ""))
    elif kind == "tag":
        trigger.add("tag", f"a tag matching `{pattern}`")
    elif kind == "pull-request":
        trigger.add("pull-request", f"a pull request into a branch matching `{pattern}`")


def _trigger_from_node(source: Source, node: Y.Node) -> Trigger | None:
    if not Y.is_map(node) or Y.get(node, "steps") is not None or not any(Y.get(node, k) is not None for k in TRIGGER_KEYS):
        return None
    trigger = Trigger(source, node, Y.text(Y.get(node, "filename")))
    for key in ("github", "repositoryEventConfig", "gitlabEnterpriseEventsConfig", "bitbucketServerTriggerConfig"):
        config = Y.get(node, key)
        push, pr = Y.get(config, "push"), Y.get(config, "pullRequest")
        if push is not None:
            invert = Y.scalar(Y.get(push, "invertRegex")) is True
            if Y.text(Y.get(push, "tag")):
                _judge(trigger, "tag", Y.text(Y.get(push, "tag")))
            else:
                _judge(trigger, "push-branch", Y.text(Y.get(push, "branch")) or ".*", invert)
        if pr is not None:
            _judge(trigger, "pull-request", Y.text(Y.get(pr, "branch")) or ".*")
    template = Y.get(node, "triggerTemplate")
    if template is not None:
        invert = Y.scalar(Y.get(template, "invertRegex")) is True
        if Y.text(Y.get(template, "tagName")):
            _judge(trigger, "tag", Y.text(Y.get(template, "tagName")))
        else:
            _judge(trigger, "push-branch", Y.text(Y.get(template, "branchName")) or ".*", invert)
    ref = Y.text(Y.get_path(node, "sourceToBuild", "ref"))
    if ref is not None and ref not in ("refs/heads/main", "main"):
        trigger.add("manual", f"a manual or webhook run of `{ref}`")
    return trigger


def _triggers_from_shell(source: Source) -> list[Trigger]:
    out: list[Trigger] = []
    for command in parse_shell(source.text).commands:
        argv = command.argv()
        words = [w for w in argv[1:] if w not in ("beta", "alpha")]
        if not argv or os.path.basename(argv[0]) != "gcloud" or words[:3] != ["builds", "triggers", "create"]:
            continue
        options: dict[str, str] = {}
        for i, w in enumerate(words):
            if w.startswith("--") and "=" in w:
                k, v = w.split("=", 1)
                options[k] = v
            elif w.startswith("--") and i + 1 < len(words) and not words[i + 1].startswith("--"):
                options[w] = words[i + 1]
        trigger = Trigger(source, None, options.get("--build-config"))
        if "--branch-pattern" in options:
            _judge(trigger, "push-branch", options["--branch-pattern"])
        elif "--tag-pattern" in options:
            _judge(trigger, "tag", options["--tag-pattern"])
        elif "--pull-request-pattern" in options:
            _judge(trigger, "pull-request", options["--pull-request-pattern"])
        else:
            continue
        out.append(trigger)
    return out


def triggers(project: Project) -> list[Trigger]:
    """Every Cloud Build trigger the project describes (exports, and `gcloud builds triggers create`)."""
    def compute() -> list[Trigger]:
        found: list[Trigger] = []
        seen: set[str] = set()
        for build in project.of_kind("cloudbuild"):
            seen.add(build.source.rel_path)
            t = _trigger_from_node(build.source, build.node)
            if t is not None:
                found.append(t)
        count = 0
        for rel in project.files.files_under(""):  # the discovered files: .gitignore and `exclude` apply
            name = rel.rpartition("/")[2]
            lower = name.lower()
            is_yaml = lower.endswith((".yaml", ".yml", ".json")) and "trigger" in lower
            if not (is_yaml or lower.endswith(".sh")) or count > 100:
                continue
            count += 1
            source = project.read_file(rel)
            if source is None or source.rel_path in seen or "trigger" not in source.text:
                continue
            seen.add(source.rel_path)
            if is_yaml:
                for doc in load_yaml(source, project.limits).documents:
                    t = _trigger_from_node(source, doc)
                    if t is not None:
                        found.append(t)
            else:
                found.extend(_triggers_from_shell(source))
        return found
    return project.memo("cloudbuild-triggers", compute)


def triggers_for(build: CloudBuild, project: Project) -> list[Trigger]:
    name = os.path.basename(build.source.rel_path)
    out = []
    for t in triggers(project):
        if t.config is None:
            if name in ("cloudbuild.yaml", "cloudbuild.yml", "cloudbuild.json"):
                out.append(t)
        elif os.path.basename(t.config.strip().lstrip("./")) == name:
            out.append(t)
    return out


def builds(project: Project) -> list[CloudBuild]:
    return project.memo("cloudbuild-builds", lambda: sorted(
        (b for b in project.of_kind("cloudbuild") if b.is_build),
        key=lambda b: (b.source.rel_path, Y.start(b.node))))


def reports_missing(project: Project, build: CloudBuild, kind: str) -> bool:
    all_ = builds(project)
    if any(b.of(kind) for b in all_):
        return False
    doers = [b for b in all_ if any(b.of(k) for k in (BUILD, TEST, PUSH))]
    return (doers or all_ or [build])[0] is build
