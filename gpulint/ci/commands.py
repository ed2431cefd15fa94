"""What a workflow step does to the image: build it, run the GPU test, push it, touch the GPU.

Reads the parsed shell commands of `run:` scripts (never their raw text), so an `echo docker
push`, a comment, the body of `if false`, or a function that is never called does not count,
and `uses:` steps by action name and inputs.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
import re
from functools import lru_cache

from gpulint.ci.github.workflow import Job, Step, Workflow
from gpulint.core.records import Record, replace
from gpulint.core.source import Span
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import scalar_locator
from gpulint.syntax.shell import (SimpleCommand, bash_trees, command_string, is_shell, parse_shell, script_file,
                                  split_words)

BUILD, TEST, PUSH, GPU = "build", "test", "push", "gpu"
_ENGINES = {"docker", "podman", "nerdctl"}
_PYTHONS = ("python", "python3", "py")


class Hit(Record):
    kind: str  # BUILD | TEST | PUSH | GPU (GPU work that is not a test: nvidia-smi)
    step: Step
    detail: str  # what was recognised, e.g. "docker run --gpus"
    command: SimpleCommand | None = None  # None for a `uses:` action
    offset: int = 0  # where the command's script starts inside the `run:` value (bash -c)
    push_input: Y.Node | None = None  # an action's `push:` input, decided per scenario
    push_default: bool = False  # the action pushes when `push:` is absent
    conds: tuple = ()  # `if:`s of local composite action steps between the calling step and the command
    sub: int = 0  # position inside a local composite action (1-based; 0: the step itself)
    via: object = None  # ghpipeline.Via: the hit comes from a called local reusable workflow
    inputs: dict | None = None  # composite action: its input nodes (defaults, then the caller's `with:`)
    remote: bool = False  # an action that runs the GPU test on machines of its own, not on the runner
    # Recognised by how it runs (a test suite in a GPU container, an action named for GPU tests), not
    # as a run of the image's GPU check: the production profile counts it, the lab does not.
    inferred: bool = False

    @property
    def masked(self) -> bool:
        """The command's failure cannot fail the step (`|| true`, inside an `if` test, ...)."""
        return self.command is not None and (self.command.masked or self.command.in_condition
                                             or self.command.negated)

    def span(self, workflow: Workflow) -> Span:
        if self.command is not None and self.step.run is not None:
            return scalar_span(workflow, self.step.run, self.offset + self.command.start,
                               self.offset + self.command.end)
        return workflow.span(self.step.key_node)


def scalar_span(workflow: Workflow, node: Y.ScalarNode, start: int, end: int) -> Span:
    """Span of characters start..end of a scalar's *value*, in the workflow's own source.
    Offsets are mapped here rather than by nesting sources, since the workflow may itself be
    embedded in a lab answers file."""
    return scalar_locator(workflow.source, node)(start, end)


# ----------------------------------------------------------------------------- commands

def _positionals(args: list[str], valued: frozenset[str] = frozenset()) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in valued
        else:
            out.append(arg)
    return out


_DOCKER_GLOBAL_VALUED = frozenset({"-H", "--host", "-c", "--context", "--config", "-l", "--log-level",
                                   "--tlscacert", "--tlscert", "--tlskey", "--url", "--connection"})
_RUN_BOOLEAN = frozenset({"--rm", "-d", "--detach", "-i", "--interactive", "-t", "--tty", "--privileged",
                          "--init", "-P", "--publish-all", "--read-only", "--no-healthcheck", "--oom-kill-disable",
                          "--sig-proxy", "--quiet", "-q", "--replace"})


def _engine_words(argv: list[str]) -> list[str]:
    """`docker --context x buildx build ...` -> ['buildx', 'build', ...]: global options dropped."""
    rest = argv[1:]
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        i += 2 if rest[i] in _DOCKER_GLOBAL_VALUED else 1
    return rest[i:]


def _run_options(args: list[str]) -> list[str]:
    """Options of `docker run` before the image name."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg == "--":
            break
        out.append(arg)
        takes_value = "=" not in arg and arg not in _RUN_BOOLEAN and not (
            arg.startswith("-") and not arg.startswith("--") and set(arg[1:]) <= set("itdP"))
        if takes_value and i + 1 < len(args):
            out.append(args[i + 1])
            i += 1
        i += 1
    return out


def _gpu_run_flag(options: list[str]) -> str | None:
    for i, opt in enumerate(options):
        nxt = options[i + 1] if i + 1 < len(options) else ""
        if opt == "--gpus" or opt.startswith("--gpus="):
            return "--gpus"
        if opt in ("--device", "--runtime") or opt.startswith(("--device=", "--runtime=")):
            value = opt.split("=", 1)[1] if "=" in opt else nxt
            # NVIDIA (CDI name, runtime) and AMD ROCm (the KFD compute device, CDI name, runtime)
            if "nvidia.com/gpu" in value or "amd.com/gpu" in value or value in ("nvidia", "amd") \
                    or value.split(":", 1)[0] == "/dev/kfd":
                return f"{opt.split('=')[0]} {value}"
    return None


def _mentions_gpu(text: str) -> bool:
    words = text.lower().replace("(", " ").replace(")", " ").split()
    return any(("gpu" in w or "cuda" in w) and (i == 0 or words[i - 1] != "not") for i, w in enumerate(words))


# Test selectors naming a GPU backend other than CUDA/ROCm (Apple's Metal and MPS, Vulkan, OpenCL,
# WebGPU): `test_gpu_codegen.py::test_sum[metal]` runs on a Mac's GPU, not on an NVIDIA one.
_OTHER_BACKENDS = re.compile(r"(?:^|[^a-z])(?:metal|mps|vulkan|opencl|webgpu)(?:$|[^a-z])")


def _pytest_gpu(args: list[str]) -> bool:
    if any(_OTHER_BACKENDS.search(arg.lower()) for arg in args if not arg.startswith("-")):
        return False
    for i, arg in enumerate(args):
        value = args[i + 1] if i + 1 < len(args) else ""
        if arg in ("-m", "-k") and _mentions_gpu(value):
            return True
        if arg.startswith(("-m=", "-k=")) and _mentions_gpu(arg[3:]):
            return True
        if not arg.startswith("-") and (i == 0 or args[i - 1] not in ("-m", "-k", "-c", "-p", "-o")) \
                and ("gpu" in arg.lower() or "cuda" in arg.lower()):
            return True
    return False


# Image builders other than a container engine: (program, subcommand words) -> whether it pushes
# (True: always; a flag: when given; False: never).
_IMAGE_TOOLS: dict[tuple[str, tuple[str, ...]], bool | str] = {
    ("bentoml", ("containerize",)): False, ("cog", ("build",)): False, ("cog", ("push",)): True,
    ("pack", ("build",)): "--publish", ("depot", ("build",)): "--push", ("s2i", ("build",)): False,
    ("truss", ("image", "build")): False, ("ko", ("build",)): True, ("ko", ("publish",)): True,
    ("devcontainer", ("build",)): "--push",  # the Dev Containers CLI; `--output type=image,push=true` pushes too
}


def classify(argv: list[str]) -> list[tuple[str, str]]:
    """(kind, detail) for what one simple command does; empty when it is none of them."""
    if not argv:
        return []
    name = os.path.basename(argv[0])
    args = argv[1:]
    found: list[tuple[str, str]] = []
    if name in _ENGINES:
        words = _engine_words(argv)
        sub = words[0] if words else ""
        nxt = words[1] if len(words) > 1 else ""
        rest = words[2:]
        if sub == "build" or (sub == "image" and nxt == "build") or (sub == "builder" and nxt == "build"):
            found.append((BUILD, f"{name} build"))
        elif sub == "buildx" and nxt in ("build", "b", "bake"):
            found.append((BUILD, f"{name} buildx {nxt}"))
            outputs = [rest[i + 1] for i, a in enumerate(rest[:-1]) if a in ("-o", "--output", "--set")]
            outputs += [a.split("=", 1)[1] for a in rest if a.startswith(("--output=", "-o=", "--set="))]
            if "--push" in rest or any("type=registry" in o or "push=true" in o for o in outputs):
                found.append((PUSH, f"{name} buildx {nxt} --push"))
        elif sub == "buildx" and nxt == "imagetools" and rest[:1] == ["create"] and "--dry-run" not in rest:
            found.append((PUSH, f"{name} buildx imagetools create"))
        elif sub == "push" or (sub in ("image", "manifest") and nxt == "push"):
            found.append((PUSH, f"{name} {sub}{' push' if sub != 'push' else ''}"))
        elif sub == "compose" and "build" in _positionals(words[1:], frozenset({"-f", "--file", "-p"}))[:1]:
            found.append((BUILD, f"{name} compose build"))
        elif sub == "compose" and "push" in _positionals(words[1:], frozenset({"-f", "--file", "-p"}))[:1]:
            found.append((PUSH, f"{name} compose push"))
        elif sub == "run" or (sub == "container" and nxt == "run"):
            options = _run_options(words[1:] if sub == "run" else words[2:])
            flag = _gpu_run_flag(options)
            if flag:
                found.append((TEST, f"{name} run {flag}"))
    elif name == "docker-compose":
        pos = _positionals(args, frozenset({"-f", "--file", "-p"}))[:1]
        if pos == ["build"]:
            found.append((BUILD, "docker-compose build"))
        elif pos == ["push"]:
            found.append((PUSH, "docker-compose push"))
    elif name == "buildah":
        pos = _positionals(args)[:2]
        if pos[:1] in (["bud"], ["build"], ["build-using-dockerfile"]):
            found.append((BUILD, f"buildah {pos[0]}"))
        elif pos[:1] == ["push"] or pos == ["manifest", "push"]:
            found.append((PUSH, "buildah push"))
    elif name == "executor" and "kaniko" in argv[0] or (name == "kaniko" and args[:1] == ["executor"]):
        found.append((BUILD, "kaniko executor"))
        if "--no-push" not in args and any(a in ("-d", "--destination") or a.startswith("--destination=")
                                           for a in args):
            found.append((PUSH, "kaniko executor --destination"))
    elif name == "crane" and _positionals(args)[:1] in (["push"], ["copy"], ["cp"], ["append"], ["tag"]):
        found.append((PUSH, f"crane {_positionals(args)[0]}"))
    elif name == "skopeo":
        pos = _positionals(args, frozenset({"--authfile", "--src-creds", "--dest-creds", "--format", "-f"}))
        if pos[:1] == ["copy"] and len(pos) >= 3 and pos[-1].startswith("docker://"):
            found.append((PUSH, "skopeo copy docker://"))
        elif pos[:1] == ["sync"] and any(a in ("--dest", "-d") and b == "docker" for a, b in zip(args, args[1:])):
            found.append((PUSH, "skopeo sync --dest docker"))
    elif name == "oras" and args[:1] in (["push"], ["cp"], ["copy"]):
        found.append((PUSH, f"oras {args[0]}"))
    elif name == "regctl" and _positionals(args)[:2] in (["image", "copy"], ["image", "cp"], ["index", "create"]):
        found.append((PUSH, f"regctl {' '.join(_positionals(args)[:2])}"))
    elif name == "nvidia-smi":
        found.append((GPU, "nvidia-smi"))
    elif (name, tuple(args[:1])) in _IMAGE_TOOLS or (name, tuple(args[:2])) in _IMAGE_TOOLS:
        # tools that build an image without a Dockerfile of their own (`bentoml containerize`, `cog push`)
        words = tuple(args[:1]) if (name, tuple(args[:1])) in _IMAGE_TOOLS else tuple(args[:2])
        pushes = _IMAGE_TOOLS[(name, words)]
        shown = " ".join((name,) + words)
        found.append((BUILD, shown))
        local = name == "ko" and any(a in ("-L", "--local", "--push=false") for a in args)
        outputs = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--output"] + \
            [a.split("=", 1)[1] for a in args if a.startswith("--output=")]
        if any("push=true" in o for o in outputs):
            pushes = True
        if not local and (pushes is True or pushes and pushes in args):
            found.append((PUSH, shown if pushes is True else f"{shown} {pushes}"))
    elif name in ("pytest", "py.test") and _pytest_gpu(args):
        found.append((TEST, "pytest on GPU tests"))
    elif name.startswith(_PYTHONS) or name in ("bash", "sh"):
        pos = _positionals(args, frozenset({"-W", "-X"}))
        if args[:2] and args[0] == "-m" and len(args) > 1:
            if args[1] == "pytest" and _pytest_gpu(args[2:]):
                found.append((TEST, "python -m pytest on GPU tests"))
            elif "smoke" in args[1].lower():
                found.append((TEST, f"python -m {args[1]}"))
        elif pos and "-c" not in args and "smoke" in os.path.basename(pos[0]).lower():
            found.append((TEST, f"{name} {pos[0]}"))
    elif "smoke" in name.lower():
        found.append((TEST, name))
    return found


# ----------------------------------------------------------------------------- dead code

def _literal(node) -> bool | None:
    """True/False when an `if`/`while` test is the literal `true`/`:`/`false`."""
    commands = [p for p in getattr(node, "parts", [node]) if p.kind == "command"] \
        if node.kind == "list" else [node] if node.kind == "command" else []
    if len(commands) != 1:
        return None
    words = [p.word for p in commands[0].parts if p.kind == "word"]
    return {"true": True, ":": True, "false": False}.get(words[0]) if len(words) == 1 else None


Ranges = list[tuple[int, int]]


@lru_cache(maxsize=4096)
def _dead_code(text: str) -> tuple[Ranges, dict[str, tuple[int, int]], list[tuple[tuple[int, int], int]]]:
    """Ranges never executed (`if false; then ...`), function bodies by name, and pipeline
    members that are not last, each with the start of its pipeline's last command."""
    trees, error = bash_trees(text)
    if error is not None:  # bashlex rejects some bash; then nothing is known to be dead
        return [], {}, []
    dead: list[tuple[int, int]] = []
    functions: dict[str, tuple[int, int]] = {}
    piped: list[tuple[tuple[int, int], int]] = []
    stack = list(trees)
    while stack:
        node = stack.pop()
        if node.kind == "pipeline":
            members = [p for p in node.parts if p.kind not in ("pipe", "reservedword")]
            piped.extend((m.pos, members[-1].pos[0]) for m in members[:-1])
        if node.kind == "function":
            functions[node.parts[0].word] = node.pos
        if node.kind in ("if", "while", "until"):
            test: str | None = None  # the keyword whose condition comes next
            taken = False  # an earlier test is literally true: later branches never run
            body_dead = False
            for part in node.parts:
                if part.kind == "reservedword":
                    if part.word in ("if", "elif", "while", "until"):
                        test = part.word
                    elif part.word == "else":
                        body_dead = taken
                    continue
                if test is not None:
                    value = _literal(part)
                    if test == "until" and value is not None:
                        value = not value
                    body_dead = taken or value is False
                    if taken:
                        dead.append(part.pos)
                    taken = taken or (value is True and test in ("if", "elif"))
                    test = None
                elif body_dead:
                    dead.append(part.pos)
        for attr in ("parts", "list"):
            stack.extend(child for child in getattr(node, attr, []) or [] if hasattr(child, "kind"))
        if getattr(node, "command", None) is not None and hasattr(node.command, "kind"):
            stack.append(node.command)
    return dead, functions, piped


def _set_pipefail(argv: list[str], pipefail: bool) -> bool:
    """Whether pipefail is on after the command: `set -o pipefail`, `set -euo pipefail` turn it
    on, `set +o pipefail` off (the script's own options, whatever shell line started it)."""
    if argv[:1] != ["set"]:
        return pipefail
    for i, word in enumerate(argv[1:-1], start=1):
        if word[:1] in "-+" and "o" in word[1:] and not word.startswith("--") and argv[i + 1] == "pipefail":
            pipefail = word[0] == "-"
    return pipefail


def live_commands(text: str, errexit: bool, pipefail: bool = False) -> list[tuple[SimpleCommand, int]]:
    """Commands that can run, with the offset of their (sub)script: `bash -c '...'` is followed."""
    result: list[tuple[SimpleCommand, int]] = []
    _collect(text, errexit, 0, result, 0, pipefail)
    return result


def _collect(text: str, errexit: bool, base: int, out: list[tuple[SimpleCommand, int]], depth: int,
             pipefail: bool = False) -> None:
    script = parse_shell(text, errexit=errexit)
    dead, functions, piped = _dead_code(text)
    called = {c.name for c in script.commands}
    for command in script.commands:
        if any(lo <= command.start < hi for lo, hi in dead):
            continue
        pipefail = _set_pipefail(command.argv(), pipefail)
        if command.in_function:
            owner = [n for n, (lo, hi) in functions.items() if lo <= command.start < hi]
            users = [c for c in script.commands if owner and c.name == owner[0]
                     and not (functions[owner[0]][0] <= c.start < functions[owner[0]][1])]
            if not users and (owner or not called & set(functions)):
                continue
        if pipefail:  # with pipefail a pipe member fails the pipeline: it is masked as the last one is
            last = [start for (lo, hi), start in piped if lo <= command.start < hi]
            ends = [c for c in script.commands if last and c.start == last[0]]
            if ends:
                command = replace(command, masked=ends[0].masked)
        out.append((command, base))
        argv = command.argv()
        invoked = command_string(argv) if depth < 3 else None
        if invoked is not None:
            word = command.word_at(invoked.index)
            if word is not None:
                quoted = text[word.start:word.start + 1] in ("'", '"')
                inner: list[tuple[SimpleCommand, int]] = []
                # a child shell runs with its own options: the caller's `set -e` does not reach it
                _collect(invoked.text, invoked.errexit, base + word.start + quoted, inner, depth + 1)
                for sub, offset in inner:
                    out.append((replace(sub, masked=sub.masked or command.masked), offset))


# ----------------------------------------------------------------------------- steps

# action (owner/repo) -> (builds, pushes when `push:` is absent, pushes always)
_ACTIONS: dict[str, tuple[bool, bool, bool]] = {
    "docker/build-push-action": (True, False, False),
    "depot/build-push-action": (True, False, False),  # docker/build-push-action's inputs, on Depot builders
    "docker/bake-action": (True, False, False),
    "int128/kaniko-action": (True, False, False),
    "redhat-actions/buildah-build": (True, False, False),
    "mr-smithers-excellent/docker-build-push": (True, True, False),
    "elgohr/publish-docker-github-action": (True, True, True),
    "redhat-actions/push-to-registry": (False, True, True),
}


# Actions that take docker/build-push-action's inputs (`file`, `context`, `tags`, `push`, `target`).
BUILD_PUSH_ACTIONS = ("docker/build-push-action", "depot/build-push-action")

_TEST_RUNNERS = frozenset({"pytest", "py.test", "tox", "nox", "ctest", "ginkgo"})
_TEST_WORDS = frozenset({"test", "tests", "testing", "pytest", "smoke", "smoketest", "e2e"})
_BUILD_WORDS = frozenset({"build", "image", "images", "push", "docker", "container"})
# Words of a script that prepares or guards the tests rather than running them.
_SETUP_WORDS = frozenset({"setup", "env", "lock", "install", "prepare", "deps", "cleanup", "clean", "teardown"})


def _test_target(words: set[str]) -> bool:
    """A make target named for running tests (`test`, `e2e-test`, `e2e`), not for building what
    the tests use (`e2e-image`, `build-tests`)."""
    return bool(words & _TEST_WORDS) and not (words & _BUILD_WORDS)


def runs_tests(argv: list[str]) -> str | None:
    """What a command that runs a test suite is (``pytest``, ``python -m pytest``, ``make test``,
    ``make e2e-test``, ``tox``, ``ctest``, ``go test``, ``ginkgo``, a test script such as
    ``python test_notebooks.py`` or ``./run_tests.sh``), else None."""
    if not argv:
        return None
    name = os.path.basename(argv[0])
    if name in _TEST_RUNNERS:
        return name
    if name.startswith(_PYTHONS) and argv[1:2] == ["-m"] and argv[2:3] and argv[2] in ("pytest", "unittest"):
        return f"python -m {argv[2]}"
    if name == "go" and argv[1:2] == ["test"]:
        return "go test"
    if name in ("make", "gmake"):
        targets = [a for a in argv[1:] if not a.startswith("-") and "=" not in a]
        tests = [t for t in targets if _test_target(set(re.split(r"[-_.:/]+", t.lower())))]
        return f"make {tests[0]}" if tests else None
    if is_shell(name):
        script = script_file(argv) or ""
    elif name.startswith(_PYTHONS):
        script = next((a for a in argv[1:] if not a.startswith("-")), "")
    else:
        script = argv[0]
    if script.endswith((".py", ".sh")):
        stem = os.path.basename(script).rsplit(".", 1)[0].lower()
        words = set(re.split(r"[-_.]+", stem))
        if _test_target(words) and not words & _SETUP_WORDS:
            return os.path.basename(script)  # test_notebooks.py, run_tests.sh, gpu-smoke.sh
    return None


def gpu_test_action(action: str) -> bool:
    """A published action whose name says it runs GPU tests (`mosaicml/ci-testing/.github/actions/
    pytest-gpu`, `acme/gpu-smoke-test`): its code is not in the scanned files, and it runs the tests
    on machines of its own. Local actions are read instead."""
    if not action or action.startswith(("./", "docker://")):
        return False
    name = action.rstrip("/").rsplit("/", 1)[-1]
    words = set(re.split(r"[-_.]+", name))
    return "gpu" in words and bool(words & _TEST_WORDS)


def gpu_container(job: Job | None) -> str | None:
    """The GPU option of a job's `container:` (`options: --gpus all`, `--device nvidia.com/gpu=all`,
    `--runtime nvidia`): every step of the job runs in a container that has the GPU. None when
    the job has no container or it gets no GPU."""
    container = Y.get(job.node, "container") if job is not None and Y.is_map(job.node) else None
    options = Y.text(Y.get(container, "options")) if Y.is_map(container) else None
    if options:
        flag = _gpu_run_flag(split_words(options))
        if flag is not None:
            return flag
    # Only the NVIDIA container runtime reads NVIDIA_VISIBLE_DEVICES: a job container that sets it
    # runs on a runner whose Docker uses that runtime by default (no flag needed there).
    devices = Y.text(Y.get(Y.get(container, "env"), "NVIDIA_VISIBLE_DEVICES")) if Y.is_map(container) else None
    if devices and devices.strip().lower() not in ("void", "none", ""):
        return f"NVIDIA_VISIBLE_DEVICES={devices.strip()}"
    return None


def step_hits(step: Step, gpu: str | None = None) -> list[Hit]:
    """What a step does. ``gpu``: the GPU option of the job's container, where the step's test
    commands run on the GPU."""
    hits: list[Hit] = []
    if step.uses:
        action = step.action
        builds, default, always = _ACTIONS.get(action, (False, False, False))
        if builds:
            hits.append(Hit(BUILD, step, f"uses: {action}"))
        if always:
            hits.append(Hit(PUSH, step, f"uses: {action}", push_default=True))
        elif action in _ACTIONS:
            pair = step.with_.get("push")
            if pair is not None or default:
                hits.append(Hit(PUSH, step, f"uses: {action} with push", push_input=pair[1] if pair else None,
                                push_default=default))
    if step.uses and gpu_test_action(step.action):
        hits.append(Hit(TEST, step, f"uses: {step.action} (an action named for GPU tests)", remote=True,
                        inferred=True))
    script = step.script
    if script is not None:
        for command, offset in live_commands(script.text, step.errexit, step.pipefail):
            argv = command.argv()
            found = classify(argv)
            for kind, detail in found:
                hits.append(Hit(kind, step, detail, command, offset))
            suite = runs_tests(argv) if gpu is not None and not any(k == TEST for k, _ in found) else None
            if suite is not None:
                hits.append(Hit(TEST, step, f"{suite} in the job's GPU container (container options {gpu})",
                                command, offset, inferred=True))
    return hits


def workflow_hits(workflow: Workflow) -> list[Hit]:
    return [hit for job in workflow.jobs.values() for step in job.steps for hit in step_hits(step, gpu_container(job))]


def recipe_actions(project, repository: str | None, argv: list[str]) -> list[tuple[str, str]]:
    """(kind, detail) of each build, push or GPU test the recipes of a `make` command run, read from
    the repository's Makefile (empty for any other command)."""
    from gpulint.ci.make import make_recipes

    return [(kind, f"{detail} in make target '{target}'")
            for target, line in make_recipes(project, repository, argv)
            for inner in parse_shell(line, errexit=True).commands
            for kind, detail in classify(inner.argv())]


# How deep scripts that call scripts are followed.
_SCRIPT_DEPTH = 2


def _script_path(argv: list[str]) -> str | None:
    """The repository script a command runs: `./build.sh`, `ci/test.sh`, `bash build.sh`,
    `. env.sh` (None for anything else, or a path built from variables)."""
    if not argv:
        return None
    path = script_file(argv)
    if path is None and argv[0] in (".", "source") and len(argv) > 1:
        path = argv[1]
    if path is None and (argv[0].startswith("./") or "/" in argv[0] and argv[0].endswith(".sh")):
        path = argv[0]
    if path is None or "$" in path or path.startswith("/") or "`" in path:
        return None
    return path


def script_actions(project, repository: str | None, argv: list[str], cwd: str | None = ".",
                   depth: int = 0) -> list[tuple[str, str, bool]]:
    """(kind, detail, masked) of each image build the repository shell script a command runs does
    (`./build.sh` whose `docker build` is the job's build), read from the scanned files (pushes
    and GPU runs inside scripts depend on the script's arguments and environment: not read yet);
    ``masked``: the script goes on after that command fails (no `set -e`, `|| true`). ``cwd``: the
    folder the command runs in, relative to the repository (None: unknown, after `cd "$DIR"`)."""
    path = _script_path(argv)
    if project is None or repository is None or cwd is None or path is None:
        return []
    rel = posixpath.normpath(posixpath.join(repository or ".", cwd, path))
    if rel.startswith(".."):
        return []
    cache = project.memo("ci-scripts", dict)
    if rel not in cache:
        source = project.read_file(Path(project.root) / rel)
        cache[rel] = source.text if source is not None and not rel.endswith((".py", ".yml", ".yaml")) else None
    text = cache[rel]
    if text is None:
        return []
    out: list[tuple[str, str, bool]] = []
    wrappers = _wrapper_functions(text)
    for inner, _ in live_commands(text, errexit=False):
        inner_argv = inner.argv()
        if inner_argv[:1] and inner_argv[0] in wrappers:
            inner_argv = inner_argv[1:]  # `cmd docker build ...` where cmd() echoes and runs "$@"
        masked = inner.masked or inner.in_condition or inner.negated
        for kind, detail in classify(inner_argv):
            if kind == BUILD:  # pushes and GPU runs in scripts need the script's context to judge: not yet
                out.append((kind, f"{detail} in {rel}", masked))
        if depth < _SCRIPT_DEPTH:
            out.extend((kind, detail, masked or was_masked) for kind, detail, was_masked
                       in script_actions(project, repository, inner_argv, cwd, depth + 1))
    return out


def _wrapper_functions(text: str) -> set[str]:
    """Functions of a script that run the command they are given (`run() { echo "+ $*"; "$@"; }`,
    `eval "$@"`): a call of one runs its arguments."""
    _, functions, _ = _dead_code(text)
    if not functions:
        return set()
    commands = parse_shell(text, errexit=False).commands
    return {name for name, (lo, hi) in functions.items()
            if any(lo <= c.start < hi and c.argv()[:1] in (["eval"], ["$@"], ["${@}"], ["exec"]) for c in commands)}


def followed_script_hits(commands: list[tuple[SimpleCommand, int]], project, repository: str | None,
                         cwd: str | None = ".", env: dict | None = None) -> list[tuple[SimpleCommand, int, str, str]]:
    """(command, offset, kind, detail) of the builds the repository scripts the commands run do, with
    `cd` followed between them (``env``: variables with known values, for `cd images/$NAME`); the
    command's failure is masked when the script's is."""
    out = []
    for command, offset in commands:
        argv = command.argv()
        if argv[:1] == ["cd"]:
            cwd = after_cd([(command, offset)], cwd, env)
            continue
        for kind, detail, masked in script_actions(project, repository, argv, cwd):
            out.append((replace(command, masked=True) if masked else command, offset, kind, detail))
    return out


_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def after_cd(commands: list[tuple[SimpleCommand, int]], cwd: str | None, env: dict | None = None) -> str | None:
    """The folder the commands leave the shell in, relative to the repository (None: unknown)."""
    for command, _ in commands:
        argv = command.argv()
        if argv[:1] != ["cd"]:
            continue
        target = argv[1] if len(argv) == 2 else None
        if target is not None and env:
            def known(match: re.Match) -> str:
                value = env.get(match.group(1) or match.group(2))
                return value if isinstance(value, str) and "$" not in value else match.group(0)
            target = _VARIABLE.sub(known, target)
        if cwd is None or target is None or "$" in target or target.startswith(("/", "~", "-")):
            cwd = None
        else:
            cwd = posixpath.normpath(posixpath.join(cwd, target))
    return cwd


def _script_hits(step: Step, project, prefix: str | None) -> list[Hit]:
    """The builds of the repository scripts a step runs, as work of the step (pointing at the command)."""
    script = step.script
    if script is None or project is None:
        return []
    cwd = Y.text(Y.get(step.node, "working-directory")) if Y.is_map(step.node) else None
    cwd = "." if cwd is None else (None if "$" in cwd or cwd.startswith("/") else cwd)
    return [Hit(kind, step, detail, command, offset) for command, offset, kind, detail
            in followed_script_hits(live_commands(script.text, step.errexit, step.pipefail), project, prefix, cwd)]


def _make_hits(step: Step, project, prefix: str | None) -> list[Hit]:
    """What the recipes of a `make` the step runs do, as work of the step (pointing at the `make`)."""
    from gpulint.ci.make import is_make

    script = step.script
    if script is None or project is None:
        return []
    return [Hit(kind, step, detail, command, offset)
            for command, offset in live_commands(script.text, step.errexit, step.pipefail)
            if is_make(command.argv())
            for kind, detail in recipe_actions(project, prefix, command.argv())]


def followed_step_hits(step: Step, project, prefix: str | None, depth: int = 0, gpu: str | None = None) -> list[Hit]:
    """A step's hits, with a local composite action's steps counted as if inline: their hits are
    put on the calling step (its span), keep their command (masking) and carry the action steps'
    `if:`s and a detail naming the action step. ``gpu``: the GPU option of the job's container."""
    from gpulint.ci.github.reuse import MAX_DEPTH, composite_action

    hits = step_hits(step, gpu) + _make_hits(step, project, prefix) + _script_hits(step, project, prefix)
    action = composite_action(project, prefix, step.uses) if depth < MAX_DEPTH and step.uses else None
    if action is None:
        return hits
    inputs: dict = {}
    for name, item in Y.pairs(Y.get(action.node, "inputs")):
        default = Y.get(item, "default")
        if Y.key_text(name) and default is not None:
            inputs[Y.key_text(name).lower()] = default
    for name, (_, value) in step.with_.items():
        inputs[name] = value
    for position, inner in enumerate(action.steps, start=1):
        for hit in followed_step_hits(inner, project, prefix, depth + 1, gpu):
            detail = f"{hit.detail} in {inner.label()} of composite action {action.path}"
            conds = tuple(e for e in (inner.if_,) if e is not None) + hit.conds
            hits.append(replace(hit, step=step, detail=detail if depth == 0 else hit.detail, conds=conds,
                                sub=position, inputs=hit.inputs if hit.inputs is not None else inputs))
    return hits
