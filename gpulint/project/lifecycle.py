"""One GPU question asked four times: the HEALTHCHECK, the probes, CI and the smoke test together.

Cross-artifact helpers for the GL5xx lifecycle rules:

* which artifacts belong to the same project (``partners``): a Dockerfile, a workflow and a
  Deployment pair when they sit under the same folder; when several candidates exist the nearest
  ones (longest common folder prefix) are taken, all of them on a tie. A workflow's folder is
  the one holding ``.github/``; an artifact embedded in a lab answers file pairs with the other
  artifacts of that file.
* which scripts a command runs (``scripts_run``), read from shell words and exec arrays the
  same way ``gpucheck`` reads them, so HEALTHCHECK, probe and CI commands can be compared;
* where a path inside the image comes from (``in_image``), via ``buildcontext.origin_of``;
* the probe timing knobs of a container with Kubernetes' defaults (``ProbeTiming``).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.dockerfile.context import Origin, origin_of, workdir_at
from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage
from gpulint.artifacts.dockerfile.healthcheck import Healthcheck, duration_seconds, effective_healthcheck
from gpulint.syntax.shell import parse_shell
from gpulint.artifacts.smoketest import SMOKE_NAMES
from gpulint.core.source import EmbeddedSource
from gpulint.syntax.python import PythonFile, parse_python

_PYTHON = re.compile(r"^(python|python3|python3\.\d+|python2(\.\d+)?|pypy3?)$")
_SHELLS = {"sh", "bash", "dash", "ash", "zsh"}


# ----------------------------------------------------------------------------- pairing

def _folder(artifact: Any) -> tuple[str, ...]:
    source = getattr(artifact, "source", None)
    if source is None:
        return ()
    rel = source.rel_path
    if isinstance(source, EmbeddedSource):
        return tuple(rel.split("/"))  # the answers file itself: its artifacts pair together
    parts = rel.split("/")[:-1]
    if ".github" in parts:
        parts = parts[: parts.index(".github")]
    return tuple(p for p in parts if p not in ("", "."))


def partners(project: Any, artifact: Any, kind: str) -> list[Any]:
    """Artifacts of ``kind`` that belong to the same project as ``artifact`` (nearest folders).

    A candidate qualifies when one of the two folders contains the other (``app/`` and
    ``app/k8s/``); among those the ones sharing the longest folder prefix win, all of them on a tie.
    """
    mine = _folder(artifact)
    index = project.memo(f"lifecycle-folders-{kind}", lambda: _FolderIndex(project.of_kind(kind)))
    if isinstance(getattr(artifact, "source", None), EmbeddedSource):
        return [o for o in index.embedded.get(mine, []) if o is not artifact]
    # Folders at or below mine share all of my folder: they win if there are any.
    below = [o for o in index.under.get(mine, []) if o is not artifact]
    if below:
        return below
    for depth in range(len(mine) - 1, -1, -1):  # else the nearest folder above mine
        above = [o for o in index.exact.get(mine[:depth], []) if o is not artifact]
        if above:
            return above
    return []


class _FolderIndex:
    """Artifacts of one kind by folder: exactly there, and anywhere at or below each folder."""

    def __init__(self, artifacts: list[Any]):
        self.exact: dict[tuple[str, ...], list[Any]] = {}
        self.under: dict[tuple[str, ...], list[Any]] = {}
        self.embedded: dict[tuple[str, ...], list[Any]] = {}
        for artifact in artifacts:
            folder = _folder(artifact)
            if isinstance(getattr(artifact, "source", None), EmbeddedSource):
                self.embedded.setdefault(folder, []).append(artifact)
                continue
            self.exact.setdefault(folder, []).append(artifact)
            for depth in range(len(folder) + 1):
                self.under.setdefault(folder[:depth], []).append(artifact)


# ----------------------------------------------------------------------------- commands

@dataclass
class ScriptRun:
    """A script a command runs: ``python3 /app/smoke_test.py`` -> path ``/app/smoke_test.py``."""

    path: str
    python: bool  # run by (or written in) Python
    argv: list[str]


def _commands(argv: list[str] | None, shell: str | None, depth: int = 0) -> Iterator[list[str]]:
    """The words of every simple command a health check or probe runs, ``sh -c`` strings opened."""
    if depth > 3:
        return
    commands: list[list[str]] = [argv] if argv is not None else []
    if shell is not None:
        commands.extend(c.argv() for c in parse_shell(shell).commands if not c.in_function)
    for words in commands:
        if not words:
            continue
        if os.path.basename(words[0]) in _SHELLS and len(words) >= 3 and words[1].startswith("-") \
                and "c" in words[1]:
            yield from _commands(None, words[2], depth + 1)
        else:
            yield words


def scripts_run(argv: list[str] | None = None, shell: str | None = None) -> list[ScriptRun]:
    """The script files a command runs (exec form ``argv`` or a shell-form string)."""
    found: list[ScriptRun] = []
    for words in _commands(argv, shell):
        name = os.path.basename(words[0])
        if name in _SHELLS:
            if len(words) >= 2 and not words[1].startswith("-"):
                found.append(ScriptRun(words[1], False, words))
        elif _PYTHON.match(name):
            i = 1
            while i < len(words):
                arg = words[i]
                if arg in ("-c", "-m"):
                    break
                if arg.startswith("-"):
                    i += 2 if arg in ("-W", "-X") else 1
                    continue
                found.append(ScriptRun(arg, True, words))
                break
        elif "/" in words[0] or words[0].endswith((".py", ".sh")):
            found.append(ScriptRun(words[0], words[0].endswith(".py"), words))
    return found


def starts_python(argv: list[str] | None = None, shell: str | None = None) -> bool:
    """Whether a command starts a Python interpreter (``python3 x.py``, ``sh -c 'python ...'``,
    a ``.py`` script run directly)."""
    return any(_PYTHON.match(os.path.basename(w[0])) or w[0].endswith(".py") for w in _commands(argv, shell))


# ----------------------------------------------------------------------------- the image

@dataclass
class ImageCheck:
    """A Dockerfile's final image and its HEALTHCHECK, as the other artifacts see it."""

    dockerfile: Dockerfile
    stage: Stage
    healthcheck: Healthcheck | None
    workdir: str

    def absolute(self, path: str) -> str:
        return posixpath.normpath(posixpath.join(self.workdir, path))

    def origin(self, path: str) -> Origin:
        context = self.dockerfile.context
        if context is None:
            return Origin("unknown", reason="no build context")
        return origin_of(self.dockerfile, self.stage, self.absolute(path), context)

    def healthcheck_scripts(self) -> list[ScriptRun]:
        hc = self.healthcheck
        if hc is None or hc.none:
            return []
        return scripts_run(hc.exec_argv, hc.shell if hc.exec_argv is None else None)

    def healthcheck_paths(self) -> set[str]:
        return {self.absolute(s.path) for s in self.healthcheck_scripts()}

    def default_command_scripts(self) -> list[ScriptRun]:
        """Scripts the image's ENTRYPOINT + CMD run when `docker run` gives no command."""
        entry = cmd = None
        for ancestor in reversed(self.stage.ancestry()):
            for instruction in ancestor.instructions:
                if instruction.keyword == "ENTRYPOINT":
                    entry, cmd = instruction, None
                elif instruction.keyword == "CMD":
                    cmd = instruction
        words: list[str] = []
        shell: str | None = None
        for instruction in (entry, cmd):
            if instruction is None:
                continue
            exec_form = instruction.exec_form()
            if exec_form is not None:
                words.extend(exec_form)
            elif instruction is entry or not words:
                shell = instruction.body.strip()
                break
        return scripts_run(words or None, shell)


def image_check(dockerfile: Dockerfile) -> ImageCheck | None:
    cache = dockerfile.__dict__
    if "_lifecycle_image" not in cache:
        stage = dockerfile.final_stage
        cache["_lifecycle_image"] = None if stage is None else ImageCheck(
            dockerfile, stage, effective_healthcheck(stage), workdir_at(dockerfile, stage, None))
    return cache["_lifecycle_image"]


def healthcheck_option(healthcheck: Healthcheck, name: str) -> tuple[float | None, Any] | None:
    """(seconds, Flag) of a HEALTHCHECK duration option, None when the option is absent."""
    flag = healthcheck.instruction.flags.get(name)
    if flag is None:
        return None
    return duration_seconds(flag.value.strip()), flag


def flag_span(instruction: Instruction, flag: Any):
    return instruction.args_span(flag.start, flag.end)


# ----------------------------------------------------------------------------- probes

PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
DEFAULTS = {"periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 1, "initialDelaySeconds": 0}


def probe_number(probe: Y.Node | None, field: str) -> int | None:
    """A probe's integer field, Kubernetes' default when absent; None when not a number."""
    node = Y.get(probe, field)
    if node is None or Y.is_null(node):
        return DEFAULTS[field]
    value = Y.scalar(node)
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value if isinstance(value, int) else None


def exec_argv(probe: Y.Node | None) -> tuple[Y.Node, list[str]] | None:
    """The command node and words of an ``exec`` probe (None when not exec or not a word list)."""
    command = Y.get_path(probe, "exec", "command")
    if not Y.is_seq(command):
        return None
    words = [Y.text(w) if Y.is_scalar(w) else None for w in Y.items(command)]
    if not words or any(w is None for w in words):
        return None
    return command, words  # type: ignore[return-value]


def handler_key(probe: Y.Node | None) -> Y.Node | None:
    for key, _ in Y.pairs(probe):
        if Y.is_scalar(key) and key.value in ("exec", "httpGet", "tcpSocket", "grpc"):
            return key
    return None


def gpu_containers(manifests: Any) -> list[tuple[Any, Y.Node]]:
    """(Deployment, container) for each Deployment's GPU container (one with an nvidia.com/gpu
    limit or request)."""
    from gpulint.artifacts.kubernetes.model import deployments, gpu_container, gpu_limit, gpu_request

    found = []
    for obj in deployments(manifests):
        container = gpu_container(obj)
        if container is not None and (gpu_limit(container) is not None or gpu_request(container) is not None):
            found.append((obj, container))
    return found


def probe_budget(probe: Y.Node | None) -> int | None:
    """failureThreshold x periodSeconds: how long the probe tolerates failures."""
    threshold, period = probe_number(probe, "failureThreshold"), probe_number(probe, "periodSeconds")
    if threshold is None or period is None:
        return None
    return threshold * period


def paired_images(project: Any, manifests: Any) -> list[ImageCheck]:
    """The final images of the Dockerfiles that belong with a manifest file."""
    images = []
    for dockerfile in partners(project, manifests, "dockerfile"):
        image = image_check(dockerfile)
        if image is not None:
            images.append(image)
    return images


def container_workdir(container: Y.Node, image: ImageCheck) -> str:
    workdir = Y.text(Y.get(container, "workingDir"))
    return workdir if workdir and workdir.startswith("/") else image.workdir


def absolute_in(workdir: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


# ----------------------------------------------------------------------------- CI: docker run

_ENGINES = {"docker", "podman", "nerdctl"}
_NO_GPU_VALUES = ("", "-1", "none", "void")


@dataclass
class DockerRun:
    """A `docker run` in a workflow step, read from its parsed shell words."""

    step: Any
    command: Any  # shell.SimpleCommand
    offset: int  # where the command's (sub)script starts in the `run:` value
    options: list[str]
    image: str | None
    image_index: int | None  # index of the image word in command.argv()
    args: list[str]  # the command run in the container (after the image)
    gpu: bool
    negative: bool  # runs with CUDA_VISIBLE_DEVICES set empty: expected to fail

    def workdir(self) -> str | None:
        for i, opt in enumerate(self.options):
            if opt in ("-w", "--workdir") and i + 1 < len(self.options):
                return self.options[i + 1]
            if opt.startswith("--workdir="):
                return opt.split("=", 1)[1]
        return None

    def entrypoint(self) -> str | None:
        for i, opt in enumerate(self.options):
            if opt == "--entrypoint" and i + 1 < len(self.options):
                return self.options[i + 1]
            if opt.startswith("--entrypoint="):
                return opt.split("=", 1)[1]
        return None


def _env_values(options: list[str]) -> list[str]:
    values = []
    for i, opt in enumerate(options):
        if opt in ("-e", "--env") and i + 1 < len(options):
            values.append(options[i + 1])
        elif opt.startswith("--env="):
            values.append(opt[6:])
        elif opt.startswith("-e") and len(opt) > 2 and not opt.startswith("--"):
            values.append(opt[2:])
    return values


def _is_negative(options: list[str], command: Any, step_env: dict[str, str]) -> bool:
    host = dict(step_env)
    host.update({w.text.split("=", 1)[0]: w.text.split("=", 1)[1] for w in command.words
                 if "=" in w.text and w.text.split("=", 1)[0].isidentifier()
                 and command.words.index(w) < len(command.words) - len(command.argv())})
    for value in _env_values(options):
        name, eq, val = value.partition("=")
        if name != "CUDA_VISIBLE_DEVICES":
            continue
        if eq and val.strip().strip("'\"") in _NO_GPU_VALUES:
            return True
        if not eq and host.get(name, None) is not None and host[name].strip() in _NO_GPU_VALUES:
            return True
    return False


def step_env(workflow: Any, step: Any) -> dict[str, str]:
    env: dict[str, str] = {}
    job = workflow.jobs.get(step.job_id)
    for node in (Y.get(workflow.node, "env"), Y.get(job.node, "env") if job else None, Y.get(step.node, "env")):
        for key, value in Y.pairs(node):
            name = Y.key_text(key)
            if name and Y.is_scalar(value):
                env[name] = "" if Y.is_null(value) else (Y.text(value) or "")
    return env


def docker_runs(workflow: Any) -> list[DockerRun]:
    from gpulint.ci.commands import _engine_words, _gpu_run_flag, _run_options, live_commands

    cached = workflow.__dict__.get("_lifecycle_runs")
    if cached is not None:
        return cached
    runs: list[DockerRun] = []
    for job in workflow.jobs.values():
        for step in job.steps:
            if step.script is None:
                continue
            env = None
            for command, offset in live_commands(step.script.text, step.errexit, step.pipefail):
                argv = command.argv()
                if not argv or os.path.basename(argv[0]) not in _ENGINES:
                    continue
                words = _engine_words(argv)
                if words[:1] == ["run"]:
                    rest = words[1:]
                elif words[:2] == ["container", "run"]:
                    rest = words[2:]
                else:
                    continue
                options = _run_options(rest)
                after = rest[len(options):]
                if after[:1] == ["--"]:
                    after = after[1:]
                image = after[0] if after else None
                image_index = len(argv) - len(after) if after else None
                if env is None:
                    env = step_env(workflow, step)
                runs.append(DockerRun(step, command, offset, options, image, image_index, after[1:],
                                      _gpu_run_flag(options) is not None, _is_negative(options, command, env)))
    workflow.__dict__["_lifecycle_runs"] = runs
    return runs


def run_span(workflow: Any, run: DockerRun, image_word: bool = False):
    from gpulint.ci.commands import scalar_span

    if image_word and run.image_index is not None:
        word = run.command.word_at(run.image_index)
        if word is not None:
            return scalar_span(workflow, run.step.run, run.offset + word.start, run.offset + word.end)
    return scalar_span(workflow, run.step.run, run.offset + run.command.start, run.offset + run.command.end)


# ----------------------------------------------------------------------------- CI: built images

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _normal(text: str) -> str:
    def expr(match: re.Match) -> str:
        inner = re.sub(r"\s+", "", match.group(1))
        env = re.fullmatch(r"env\.([A-Za-z_][A-Za-z0-9_]*)", inner)
        return "$" + env.group(1) if env else "${{" + inner + "}}"  # ${{ env.X }} is $X in a step

    text = _EXPR.sub(expr, text)
    return _VAR.sub(lambda m: "$" + (m.group(1) or m.group(2)), text)


def _expand(text: str, env: dict[str, str], depth: int = 0) -> str:
    text = _normal(text)
    if depth > 3:
        return text

    def one(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return _expand(env[name], env, depth + 1) if name in env else match.group(0)

    return _VAR.sub(one, text.replace("${{", "\0")).replace("\0", "${{")


def _with_tag(ref: str) -> str:
    last = ref.rsplit("/", 1)[-1]
    return ref if (":" in last or "@" in last) else ref + ":latest"


def image_forms(text: str, env: dict[str, str]) -> tuple[str, str, bool]:
    """(as written, normalised; expanded; whether the expansion left a shell variable unresolved)."""
    expanded = _expand(text, env)
    unresolved = bool(_VAR.search(expanded.replace("${{", "\0")))
    return _with_tag(_normal(text)), _with_tag(expanded), unresolved


def same_image(a: tuple[str, str, bool], b: tuple[str, str, bool]) -> bool | None:
    """True/False, or None when it cannot be known statically."""
    if a[0] == b[0] or a[1] == b[1]:
        return True
    if a[2] or b[2]:
        return None
    return False


def built_images(workflow: Any) -> list[tuple[str, str, bool]]:
    """Every image name:tag the workflow's build steps produce (`-t`, build-push-action `tags`,
    and `docker tag` copies of those); computed once per workflow."""
    cached = workflow.__dict__.get("_built_images")
    if cached is None:
        cached = workflow.__dict__["_built_images"] = _built_images(workflow)
    return cached


def _built_images(workflow: Any) -> list[tuple[str, str, bool]]:
    from gpulint.ci.commands import BUILD, _engine_words, live_commands
    from gpulint.ci.github.pipeline import pipeline

    found: list[tuple[str, str, bool]] = []
    for hit in pipeline(workflow).of(BUILD):
        env = step_env(workflow, hit.step)
        if hit.command is None:
            pair = hit.step.with_.get("tags")
            values: list[str] = []
            if pair is not None:
                node = pair[1]
                if Y.is_seq(node):
                    values = [Y.text(n) or "" for n in Y.items(node)]
                elif Y.is_scalar(node):
                    values = re.split(r"[,\n]", Y.text(node) or "")
            found.extend(image_forms(v.strip(), env) for v in values if v.strip())
            continue
        argv = hit.command.argv()
        for i, word in enumerate(argv):
            if word in ("-t", "--tag") and i + 1 < len(argv):
                found.append(image_forms(argv[i + 1], env))
            elif word.startswith("--tag="):
                found.append(image_forms(word[6:], env))
            elif word.startswith("-t") and len(word) > 2 and not word.startswith("--"):
                found.append(image_forms(word[2:], env))
    for job in workflow.jobs.values():  # `docker tag built other`
        for step in job.steps:
            if step.script is None:
                continue
            env = step_env(workflow, step)
            for command, _ in live_commands(step.script.text, step.errexit, step.pipefail):
                argv = command.argv()
                if argv and os.path.basename(argv[0]) in _ENGINES:
                    words = _engine_words(argv)
                    if words[:1] == ["tag"] or words[:2] == ["image", "tag"]:
                        pos = [w for w in words[1 if words[0] == "tag" else 2:] if not w.startswith("-")]
                        if len(pos) == 2 and any(same_image(image_forms(pos[0], env), b) for b in found):
                            found.append(image_forms(pos[1], env))
    return found


# ----------------------------------------------------------------------------- CI: expected failure

REQUIRED, FAILS, IGNORED, UNKNOWN = "required", "fails", "ignored", "unknown"


def _words(node: Any) -> list[str]:
    return [p.word for p in getattr(node, "parts", []) if p.kind in ("word", "assignment")]


def _exits_nonzero(node: Any) -> bool:
    """A command (or any command inside a list/compound) that certainly fails the script."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.kind == "command":
            words = _words(current)
            if words[:1] == ["false"]:
                return True
            if words[:1] in (["exit"], ["return"]) and (len(words) == 1 or words[1] not in ("0", "$?")):
                return True
            continue
        if current.kind in ("if", "while", "until", "for", "function"):
            continue
        for attr in ("parts", "list"):
            stack.extend(c for c in getattr(current, attr, []) or [] if hasattr(c, "kind"))
    return False


def _path_to(trees: list, start: int) -> tuple[list, int] | None:
    """The chain of bashlex nodes from a top-level tree down to the command starting at ``start``."""
    for index, tree in enumerate(trees):
        chain = [tree]
        node = tree
        while node is not None:
            if node.kind == "command" and node.pos[0] == start:
                return chain, index
            nxt = None
            for attr in ("parts", "list"):
                for child in getattr(node, attr, []) or []:
                    if hasattr(child, "pos") and child.pos[0] <= start < child.pos[1] + (child.kind == "command"):
                        nxt = child
                        break
                if nxt is not None:
                    break
            if nxt is None or nxt.kind == "commandsubstitution":
                break
            chain.append(nxt)
            node = nxt
    return None


def failure_expected(text: str, start: int, end: int, errexit: bool, pipefail: bool = False) -> tuple[str, str]:
    """How a script treats the exit status of the command at ``start``: REQUIRED (its failure is
    required: success fails the step), FAILS (its failure fails the step), IGNORED, or UNKNOWN."""
    from gpulint.syntax.shell import bash_trees

    trees, error = bash_trees(text)
    if error is not None:
        return UNKNOWN, "the script could not be parsed"
    found = _path_to(trees, start)
    if found is None:
        return UNKNOWN, "the command was not found in the script"
    chain, top_index = found
    element = chain[-1]
    negated = False
    i = len(chain) - 2
    if i >= 0 and chain[i].kind == "pipeline":
        pipe = chain[i]
        members = [p for p in pipe.parts if p.kind not in ("pipe", "reservedword")]
        negated = any(p.kind == "reservedword" and p.word == "!" for p in pipe.parts)
        if members and members[-1] is not element and not pipefail:
            return IGNORED, "its status is lost in a pipe"
        element = pipe
        i -= 1
    captured = _captured_and_checked(trees, end)
    while i >= 0:
        parent = chain[i]
        if parent.kind == "if":
            parts = parent.parts
            index = next((k for k, p in enumerate(parts) if p is element), None)
            if index is None or index == 0 or parts[index - 1].kind != "reservedword" \
                    or parts[index - 1].word not in ("if", "elif"):
                return UNKNOWN, "inside an if body"
            then_part = [p for p in parts[index + 1:] if p.kind != "reservedword"]
            branches = _branches(parts, index)
            success, failure = (branches[1], branches[0]) if negated else (branches[0], branches[1])
            if any(_exits_nonzero(p) for p in success):
                return REQUIRED, "success leads to exit 1"
            if any(_exits_nonzero(p) for p in failure):
                return FAILS, "its failure leads to exit 1"
            del then_part
            return (REQUIRED, "its exit code is checked") if captured else (
                IGNORED, "the if lets both outcomes pass")
        if parent.kind == "list":
            items = list(parent.parts)
            index = next((k for k, p in enumerate(items) if p is element), None)
            if index is None:
                return UNKNOWN, ""
            op = items[index + 1] if index + 1 < len(items) and items[index + 1].kind == "operator" else None
            nxt = items[index + 2] if op is not None and index + 2 < len(items) else None
            if op is not None and op.op == "&&" and nxt is not None:
                if _exits_nonzero(nxt):
                    return (FAILS if negated else REQUIRED), "`&& exit 1` follows it"
                return IGNORED if not captured else REQUIRED, "`&&` hides its failure"
            if op is not None and op.op == "||" and nxt is not None:
                if _exits_nonzero(nxt):
                    return (REQUIRED if negated else FAILS), "`|| exit 1` follows it"
                return (REQUIRED, "its exit code is checked") if captured else (
                    IGNORED, "`||` hides its failure")
            if parent is chain[0] or i == 0 or chain[i - 1].kind in ("compound",):
                pass
            element = parent
            i -= 1
            continue
        if parent.kind == "compound":
            element = parent
            i -= 1
            continue
        return UNKNOWN, f"inside a {parent.kind}"
    if captured:
        return REQUIRED, "its exit code is checked"
    last = top_index == len(trees) - 1 and _is_last(trees[-1], start)
    if negated:
        if last:
            return REQUIRED, "`!` on the script's last command"
        return IGNORED, "bash -e ignores the status of a command negated with `!` unless it is the last one"
    if errexit or last:
        return FAILS, "its failure fails the step"
    return IGNORED, "the script goes on without `set -e`"


def _branches(parts: list, index: int) -> tuple[list, list]:
    """(then-branch nodes, else-branch nodes) of the `if` whose condition is parts[index]."""
    then_nodes: list = []
    else_nodes: list = []
    state = "cond"
    for part in parts[index + 1:]:
        if part.kind == "reservedword":
            if part.word == "then" and state == "cond":
                state = "then"
            elif part.word in ("elif", "else"):
                state = "else"
            continue
        if state == "then":
            then_nodes.append(part)
        elif state == "else":
            else_nodes.append(part)
    return then_nodes, else_nodes


def _is_last(tree: Any, start: int) -> bool:
    commands = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.kind == "command":
            commands.append(node.pos[0])
            continue
        for attr in ("parts", "list"):
            stack.extend(c for c in getattr(node, attr, []) or [] if hasattr(c, "kind"))
    return bool(commands) and max(commands) == start


def _captured_and_checked(trees: list, end: int) -> bool:
    """`cmd; rc=$?` / `cmd || rc=$?` then a test of `$rc` (or `$?` tested right away)."""
    commands = []
    stack = list(trees)
    while stack:
        node = stack.pop()
        if node.kind == "command":
            commands.append(node)
        for attr in ("parts", "list"):
            stack.extend(c for c in getattr(node, attr, []) or [] if hasattr(c, "kind"))
    later = sorted((c for c in commands if c.pos[0] >= end), key=lambda c: c.pos[0])
    if not later:
        return False
    first = later[0]
    words = _words(first)
    tests = ("[", "[[", "test")
    if any("$?" in w for w in words) and words[:1] and words[0] in tests:
        return True
    names = [w.split("=", 1)[0] for w in words if w.endswith("=$?") or w.endswith('="$?"')]
    if not names:
        return False
    for command in later[1:]:
        cwords = _words(command)
        if cwords and cwords[0] in tests + ("exit",) and any(
                f"${n}" in w or f"${{{n}}}" in w for n in names for w in cwords[1:]):
            return True
    return False


def run_expectation(workflow: Any, run: DockerRun) -> tuple[str, str]:
    """How the step treats the failure of a `docker run` (see ``failure_expected``)."""
    from gpulint.ci.github.scenarios import truthy_value

    step = run.step
    if step.continue_on_error is not None and truthy_value(step.continue_on_error, {}) is not False:
        return IGNORED, "its step has continue-on-error"
    if run.offset != 0:
        return UNKNOWN, "inside `bash -c`"
    return failure_expected(step.script.text, run.command.start, run.command.end, step.errexit, step.pipefail)


def ci_scripts(run: DockerRun, image: ImageCheck) -> set[str]:
    """Absolute paths, inside the image, of the scripts a `docker run` executes."""
    workdir = run.workdir() or image.workdir
    entry = run.entrypoint()
    if entry is not None:
        scripts = scripts_run([entry] + run.args)
    elif run.args:
        scripts = scripts_run(run.args)
    else:
        scripts = image.default_command_scripts()
        workdir = image.workdir
    return {absolute_in(workdir, s.path) for s in scripts}


def uses_built_image(workflow: Any, run: DockerRun) -> bool | None:
    built = built_images(workflow)
    if run.image is None or not built:
        return None
    mine = image_forms(run.image, step_env(workflow, run.step))
    answers = [same_image(mine, b) for b in built]
    if any(a is True for a in answers):
        return True
    if any(a is None for a in answers):
        return None
    return False


# ----------------------------------------------------------------------------- smoke tests

def smoke_tests(project: Any) -> list[PythonFile]:
    """The smoke tests of every lifecycle project under the root (each source once)."""

    def compute() -> list[PythonFile]:
        found: dict[int, PythonFile] = {}
        for dockerfile in project.of_kind("dockerfile"):
            if not (partners(project, dockerfile, "workflow") or partners(project, dockerfile, "kubernetes")):
                continue
            image = image_check(dockerfile)
            if image is None or dockerfile.context is None:
                continue
            for script in image.healthcheck_scripts():
                if not script.python:
                    continue
                origin = image.origin(script.path)
                source = origin.source
                if source is None and origin.status == "missing":
                    source = dockerfile.context.read(posixpath.basename(image.absolute(script.path)))
                if source is not None:
                    found.setdefault(id(source), parse_python(source))
        for script in project.of_kind("smoketest"):
            source = script.source
            named = posixpath.basename(source.rel_path) in SMOKE_NAMES
            if isinstance(source, EmbeddedSource) or (named and (
                    partners(project, script, "workflow") or partners(project, script, "kubernetes"))):
                found.setdefault(id(source), script)
        return [s for s in found.values() if s.tree is not None]

    return project.memo("lifecycle-smoke-tests", compute)
