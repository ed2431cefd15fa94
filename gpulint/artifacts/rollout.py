"""The rollback and promotion plan: ``rollback_commands`` and ``image_promotion_flow``.

Rollback commands are shell lines, read as words (shlex, ``#`` comments dropped, split on
``;``/``&&``/``||``/``|``), never searched as text: ``echo kubectl rollout undo ...`` is an
echo. A kubectl invocation is then parsed like kubectl parses it: global flags anywhere, the
resource as ``TYPE/NAME`` or ``TYPE NAME``. Promotion stages are named by ``stage``, ``name``
or ``env`` (list form) or by their key (mapping form) and classified as dev/staging/prod.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field

from gpulint.syntax.embedded import embed
from gpulint.syntax import yamlnode as Y
from gpulint.core.source import Source, Span

ROLLOUT_KEYS = ("rollback_commands", "image_promotion_flow")


@dataclass
class RolloutSpec:
    kind = "rollout"
    source: Source
    node: Y.MappingNode  # the mapping that holds the rollout keys

    @property
    def rollback_commands(self) -> Y.Node | None:
        return Y.get(self.node, "rollback_commands")

    @property
    def promotion_flow(self) -> Y.Node | None:
        return Y.get(self.node, "image_promotion_flow")


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


@dataclass
class CommandLine:
    """One simple command of a rollback entry, with where it was written."""

    argv: list[str]
    span: Span


@dataclass
class Rollout:
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


def command_lines(source: Source, node: Y.ScalarNode) -> list[CommandLine | str]:
    """The simple commands in one string, or a reason string for a line shlex cannot split.

    Each physical line is a command line (``\\`` continues it); spans point at that line in the
    file, through the embedded source so block scalars map back exactly.
    """
    text = node.value
    embedded = embed(source, node, "rollback_commands")
    out: list[CommandLine | str] = []
    start = 0
    pending = ""
    pending_start = 0
    for raw in text.split("\n"):
        end = start + len(raw)
        line = pending + raw
        if not pending:
            pending_start = start
        if line.endswith("\\"):  # line continuation
            pending = line[:-1] + " "
            start = end + 1
            continue
        pending = ""
        span = Span(embedded, pending_start, end)
        try:
            words = _words(line)
        except ValueError as error:
            if line.count('"') % 2 or line.count("'") % 2:
                pending = line + "\n"  # a quoted string across lines
                start = end + 1
                continue
            out.append(f"cannot be split into words ({error})")
            start = end + 1
            continue
        for argv in _split_operators(words):
            out.append(CommandLine(argv, span))
        start = end + 1
    if pending.strip():
        out.append("has an unclosed quote")
    return out


def _words(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


def _split_operators(words: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for word in words:
        if word and all(ch in ";&|()<>" for ch in word):
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


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
    return None


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


@dataclass
class Stage:
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
