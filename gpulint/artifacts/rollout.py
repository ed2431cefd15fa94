"""The rollback and promotion plan: ``rollback_commands`` and ``image_promotion_flow``.

Rollback commands are shell lines, parsed with bashlex into simple commands and their control
flow (``#`` comments dropped; ``true || kubectl rollout undo ...`` never runs the undo), never
searched as text: ``echo kubectl rollout undo ...`` is an echo. A kubectl invocation is then parsed like kubectl parses it: global flags anywhere, the
resource as ``TYPE/NAME`` or ``TYPE NAME``. Promotion stages are named by ``stage``, ``name``
or ``env`` (list form) or by their key (mapping form) and classified as dev/staging/prod.
"""

from __future__ import annotations

import os
import re

from typing import Any

from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import embed

ROLLOUT_KEYS = ("rollback_commands", "image_promotion_flow")


class RolloutSpec(Record):
    kind = "rollout"
    source: Source
    node: Y.MappingNode  # the mapping that holds the rollout keys

    @property
    def rollback_commands(self) -> Y.Node | None:
        return Y.get(self.node, "rollback_commands")

    @property
    def promotion_flow(self) -> Y.Node | None:
        return Y.get(self.node, "image_promotion_flow")


class RolloutPlans:
    """A project's rollout plans, read once: how many give each key (a plan may be split over
    two files, so one plan's missing key can be another's)."""

    def __init__(self, project) -> None:
        plans = project.of_kind("rollout")
        self.with_rollback = sum(1 for p in plans if p.rollback_commands is not None)
        self.with_promotion = sum(1 for p in plans if p.promotion_flow is not None)

    def rollback_elsewhere(self, spec: RolloutSpec) -> bool:
        """Another plan of the project has `rollback_commands`."""
        return self.with_rollback - (spec.rollback_commands is not None) > 0

    def promotion_elsewhere(self, spec: RolloutSpec) -> bool:
        """Another plan of the project has `image_promotion_flow`."""
        return self.with_promotion - (spec.promotion_flow is not None) > 0


def is_rollout(node: Y.Node | None) -> bool:
    return Y.is_map(node) and any(Y.get_pair(node, key) for key in ROLLOUT_KEYS)


# --------------------------------------------------------------------------- rollback commands

# Programs that are kubectl (OpenShift's ``oc`` takes the same ``rollout`` subcommands).
KUBECTL_NAMES = {"kubectl", "kubectl.exe", "oc", "oc.exe", "microk8s.kubectl"}
# Distributions that bundle kubectl as a subcommand: ``microk8s kubectl ...``.
KUBECTL_HOSTS = {"microk8s", "k3s", "k0s", "minikube"}
_WRAPPERS = {"sudo", "env", "time", "command", "exec", "nice", "nohup"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PRINTERS = {"echo", "printf", "cat", "true", ":", "#"}
# kubectl flags (global and of ``rollout``) whose value may be the next word.
_VALUE_FLAGS_LONG = {
    "namespace", "context", "kubeconfig", "cluster", "user", "server", "token", "as", "as-group",
    "as-uid", "request-timeout", "certificate-authority", "client-certificate", "client-key",
    "tls-server-name", "cache-dir", "v", "log-file", "vmodule", "username", "password", "profile",
    "profile-output", "output", "filename", "selector", "kustomize", "revision", "to-revision",
    "template", "timeout", "field-selector", "field-manager",
}
_VALUE_FLAGS_SHORT = {"n", "s", "v", "o", "f", "l", "k"}
_SHORT_NAMES = {"n": "namespace", "s": "server", "v": "v", "o": "output", "f": "filename", "l": "selector",
                "k": "kustomize"}
_DEPLOYMENT_TYPES = {"deploy", "deployment", "deployments"}
_DEPLOYMENT_GROUPS = {"", "apps", "v1.apps", "v1beta1.apps", "v1beta2.apps", "extensions", "v1beta1.extensions"}


class CommandLine(Record):
    """One simple command of a rollback entry, with where it was written."""

    argv: list[str]
    span: Span
    runs: bool = True  # False: the shell never reaches it (`true || ...`, after `exit`)
    why: str | None = None  # why it never runs


class Rollout(Record):
    """A ``kubectl rollout ACTION`` invocation."""

    line: CommandLine
    action: str  # history | undo | status | restart | pause | resume | ...
    types: list[str]  # resource types as written (``deploy``, ``daemonset.apps``)
    names: list[str]
    namespace: str | None = None
    context: str | None = None
    kubeconfig: str | None = None
    selector: str | None = None
    filename: str | None = None
    flags: dict[str, str] = field(default_factory=dict)

    @property
    def dry_run(self) -> str | None:
        """The ``--dry-run`` mode when the command only previews (client or server), else None."""
        if "dry-run" not in self.flags:
            return None
        mode = self.flags["dry-run"].strip().lower() or "client"
        return None if mode in ("none", "false") else mode

    @property
    def acts(self) -> bool:
        """The command runs and changes something: reached by the shell and not a dry run."""
        return self.line.runs and self.dry_run is None

    @property
    def is_deployment(self) -> bool:
        """Names at least one Deployment (by name or selector) and nothing else."""
        return bool(self.types) and all(is_deployment_type(t) for t in self.types) \
            and bool(self.names or self.selector)

    def targets(self) -> set[tuple[str | None, str | None, str]]:
        """(context, namespace, deployment) triples this command acts on."""
        names = self.names or [f"-l {self.selector}"]
        return {(self.context, self.namespace, name) for name in names}

    def describe(self, contexts: bool = False) -> str:
        where = f" in namespace {self.namespace}" if self.namespace else " in the current namespace"
        if contexts or self.context:
            where += f" (context {self.context})" if self.context else " (current context)"
        names = ", ".join(f"deployment/{n}" for n in self.names) or f"deployments -l {self.selector}"
        return names + where


def is_deployment_type(text: str) -> bool:
    head, _, group = text.lower().partition(".")
    return head in _DEPLOYMENT_TYPES and group in _DEPLOYMENT_GROUPS


def command_strings(node: Y.Node | None) -> list[Y.ScalarNode]:
    """Every string scalar under ``rollback_commands`` (list items, mapping values, nested)."""
    if node is None:
        return []
    return [n for _, n in Y.walk(node) if Y.is_scalar(n) and n.tag == Y.STR_TAG]


def command_lines(source: Source, node: Y.ScalarNode) -> list[CommandLine]:
    """The simple commands in one string, each marked with whether it can ever run.

    The string is read as the shell reads it (see ``shellflow``): ``true || kubectl rollout undo
    ...`` holds an undo that never runs. Spans point at each command in the file, through the
    embedded source so block scalars map back exactly.
    """
    from gpulint.syntax.shellflow import flow

    embedded = embed(source, node, "rollback_commands")
    return [CommandLine(c.words, Span(embedded, c.start, c.end), c.runs, c.why) for c in flow(node.value)]


def program_args(argv: list[str]) -> tuple[str, list[str]] | None:
    """kubectl's arguments when ``argv`` runs kubectl (after ``sudo``, ``env``, ``VAR=x``)."""
    i = 0
    while i < len(argv) and (_ASSIGNMENT.match(argv[i]) or os.path.basename(argv[i]) in _WRAPPERS):
        i += 1
        while i < len(argv) and argv[i].startswith("-"):  # the wrapper's own flags
            i += 1
    if i >= len(argv):
        return None
    program = os.path.basename(argv[i])
    rest = argv[i + 1:]
    if program in KUBECTL_HOSTS and rest[:1] == ["kubectl"]:
        rest = rest[1:]
        if rest[:1] == ["--"]:  # ``minikube kubectl -- rollout ...``
            rest = rest[1:]
        return "kubectl", rest
    if program in KUBECTL_NAMES:
        return program, rest
    return None


def parse_rollout(line: CommandLine) -> Rollout | None:
    """The ``rollout`` invocation in a kubectl command line, or None when it is not one."""
    found = program_args(line.argv)
    if found is None:
        return None
    positionals, flags = _parse_flags(found[1])
    if len(positionals) < 2 or positionals[0] != "rollout":
        return None
    action, resources = positionals[1], positionals[2:]
    types: list[str] = []
    names: list[str] = []
    if resources and "/" in resources[0]:
        for item in resources:
            kind, slash, name = item.partition("/")
            types.append(kind)
            if slash and name:
                names.append(name)
    elif resources:
        types = [t for t in resources[0].split(",") if t]
        names = resources[1:]
    return Rollout(line, action, types, names, flags.get("namespace"), flags.get("context"),
                   flags.get("kubeconfig"), flags.get("selector"), flags.get("filename"), flags)


def _parse_flags(args: list[str]) -> tuple[list[str], dict[str, str]]:
    positionals: list[str] = []
    flags: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positionals.extend(args[i:])
            break
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
            if not eq and name in _VALUE_FLAGS_LONG and i < len(args):
                value = args[i]
                i += 1
            flags[name] = value
        elif arg.startswith("-") and len(arg) > 1:
            letter = arg[1]
            if letter in _VALUE_FLAGS_SHORT:
                value = arg[2:].removeprefix("=")
                if not value and i < len(args):
                    value = args[i]
                    i += 1
                flags[_SHORT_NAMES[letter]] = value
            # other short flags (-A, -w, -R) take no value
        else:
            positionals.append(arg)
    return positionals, flags


def near_miss(line: CommandLine, action: str) -> str | None:
    """Why a line that looks like ``rollout ACTION`` does not count, for the finding's message."""
    argv = line.argv
    if "rollout" not in argv or action not in argv:
        return None
    first = os.path.basename(argv[0])
    if first in _PRINTERS:
        return f"`{' '.join(argv[:3])} …` only prints the command; run kubectl itself"
    parsed = parse_rollout(line)
    if parsed is None:
        return f"`{first}` is not kubectl (a shell alias is not visible in the plan); write `kubectl`"
    if parsed.action != action:
        return None
    if not parsed.types:
        return "it names no resource; add `deployment/<name>`"
    others = [t for t in parsed.types if not is_deployment_type(t)]
    if others:
        return f"it acts on `{others[0]}`, not a Deployment; use `deployment/<name>`"
    if not (parsed.names or parsed.selector):
        return "it names no Deployment; add the name: `deployment/<name>`"
    if not line.runs:
        return f"`{' '.join(argv[:6])} …` never runs: {line.why}"
    if parsed.dry_run and action == "undo":
        return (f"`--dry-run={parsed.dry_run}` only previews the rollback and changes nothing; "
                "drop `--dry-run` from the undo")
    return None


def counts(rollout: Rollout, action: str) -> bool:
    """A runnable ``kubectl rollout ACTION`` of a Deployment (an undo must not be a dry run)."""
    return rollout.action == action and rollout.is_deployment and (rollout.acts if action == "undo"
                                                                   else rollout.line.runs)


# --------------------------------------------------------------------------- which Deployment

def _variable(text: str | None) -> bool:
    return bool(text) and bool(set("$<{") & set(text))


def deployed(project) -> dict[str, set[str | None]]:
    """The Deployments the project's manifests define: name -> namespaces (None: none given)."""
    def compute() -> dict[str, set[str | None]]:
        found: dict[str, set[str | None]] = {}
        for manifests in project.of_kind("kubernetes"):
            for obj in manifests.objects:
                if obj.kind == "Deployment" and isinstance(obj.name, str):
                    found.setdefault(obj.name, set()).add(Y.text(Y.get_path(obj.node, "metadata", "namespace")))
        return found
    return project.memo("rollout-deployed", compute)


def without_history(project) -> dict[str, tuple[Any, Y.Node]]:
    """Deployments the project's manifests give `revisionHistoryLimit: 0`: name -> (manifests,
    the value node). Their controller deletes every old ReplicaSet, so `rollout undo` has no
    revision to return to ("no rollout history found")."""
    def compute() -> dict[str, tuple[Any, Y.Node]]:
        found: dict[str, tuple[Any, Y.Node]] = {}
        for manifests in project.of_kind("kubernetes"):
            for obj in manifests.objects:
                value = Y.get_path(obj.node, "spec", "revisionHistoryLimit")
                if obj.kind == "Deployment" and isinstance(obj.name, str) and Y.is_scalar(value) \
                        and Y.scalar(value) == 0 and not isinstance(Y.scalar(value), bool):
                    found[obj.name] = (manifests, value)
        return found
    return project.memo("rollout-without-history", compute)


def foreign_name(rollout: Rollout, known: dict[str, set[str | None]]) -> str | None:
    """A Deployment name the command gives that no manifest defines (names with variables are not judged)."""
    if not known:
        return None
    return next((n for n in rollout.names if not _variable(n) and n not in known), None)


def foreign_namespace(rollout: Rollout, known: dict[str, set[str | None]]) -> str | None:
    """The manifest's namespaces when the command's explicit ``-n`` differs from them (both explicit)."""
    namespace = rollout.namespace
    if not namespace or _variable(namespace):
        return None
    for name in rollout.names:
        spaces = known.get(name)
        if spaces and None not in spaces and namespace not in spaces:
            return ", ".join(sorted(spaces))  # type: ignore[arg-type]
    return None


def rolls_back_own(rollouts: list[Rollout], known: dict[str, set[str | None]]) -> bool:
    """Some runnable undo acts on a Deployment the project deploys (or may: a selector, a variable)."""
    return any(counts(r, "undo") and foreign_name(r, known) is None and foreign_namespace(r, known) is None
               for r in rollouts)


# --------------------------------------------------------------------------- promotion flow

STAGES = ("dev", "staging", "prod")
# Whole stage names; "stage" and "live" only count as the whole name ("Stage 1" is not staging).
_EXACT = {
    "dev": {"dev", "development", "develop", "devel"},
    "staging": {"staging", "stage", "stg", "preprod", "pre-prod", "pre_prod", "pre prod", "qa", "uat"},
    "prod": {"prod", "production", "prd", "live"},
}
# Words that name a stage inside a longer name ("gpu-dev cluster", "Production (EU)").
_WORDS = {
    "dev": {"dev", "development", "develop"},
    "staging": {"staging", "stg", "preprod", "qa", "uat"},
    "prod": {"prod", "production", "prd"},
}
FIELDS = ("env", "tag_pattern", "gate")
# Keys written instead of the required ones, for "did you mean" messages.
FIELD_ALIASES = {
    "env": ("environment", "envs", "namespace", "cluster", "Env", "ENV"),
    "tag_pattern": ("tag-pattern", "tagPattern", "tag", "tags", "tag_regex", "image_tag", "pattern", "tag_patern",
                    "TagPattern"),
    "gate": ("gates", "gating", "approval", "check", "checks", "condition", "Gate"),
}
NAME_KEYS = ("stage", "name", "env", "environment")


def classify(text: str | None) -> str | None:
    """dev, staging or prod for a stage name, or None when it names none (or several)."""
    if not text:
        return None
    lowered = text.strip().lower()
    for stage, names in _EXACT.items():
        if lowered in names:
            return stage
    lowered = re.sub(r"pre[-_ ]prod", "preprod", lowered)
    words = set(re.split(r"[^a-z0-9]+", lowered))
    hits = {stage for stage, names in _WORDS.items() if words & names}
    return hits.pop() if len(hits) == 1 else None


class Stage(Record):
    node: Y.Node  # the stage mapping (or the scalar/other item written in its place)
    label: str  # how the stage is named, for messages
    stage: str | None  # dev | staging | prod | None
    anchor: Y.Node  # where findings about the stage point
    fields: Y.Node | None  # the mapping holding env/tag_pattern/gate

    def field(self, name: str) -> tuple[Y.ScalarNode, Y.Node] | None:
        return Y.get_pair(self.fields, name) if Y.is_map(self.fields) else None


def stages(flow: Y.Node | None) -> list[Stage] | None:
    """The stages of ``image_promotion_flow`` in order; None when it has no stage form.

    Accepted: a list of mappings (named by ``stage``/``name``/``env``), a mapping of stage
    name to mapping, and either of those under a ``stages`` key.
    """
    nested = Y.get(flow, "stages")
    if Y.is_seq(nested) or Y.is_map(nested):
        flow = nested
    if Y.is_seq(flow):
        return [_list_stage(item, index) for index, item in enumerate(Y.items(flow))]
    if Y.is_map(flow):
        found = []
        for key, value in Y.pairs(flow):
            name = Y.text(key) or "?"
            found.append(Stage(value if Y.is_map(value) else key, name, classify(name), key, value))
        return found
    return None


def _list_stage(item: Y.Node, index: int) -> Stage:
    if Y.is_map(item):
        label, stage = f"#{index + 1}", None
        for key in NAME_KEYS:
            text = Y.text(Y.get(item, key))
            if text is None:
                continue
            if label.startswith("#"):
                label = text
            stage = classify(text)
            if stage:
                label = text
                break
        return Stage(item, label, stage, item, item)
    text = Y.text(item)
    return Stage(item, text or f"#{index + 1}", classify(text), item, None)


def is_empty(node: Y.Node | None) -> bool:
    """A value that says nothing: null, blank string, false, or an empty/blank collection."""
    if Y.is_null(node):
        return True
    if Y.is_scalar(node):
        value = Y.scalar(node)
        return value is False or (isinstance(value, str) and not value.strip())
    if Y.is_seq(node):
        return all(is_empty(item) for item in Y.items(node))
    if Y.is_map(node):
        return not node.value
    return True
