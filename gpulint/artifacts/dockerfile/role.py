"""What image a Dockerfile builds, decided from the file before GPU image rules judge it.

A **GPU serving image** is one that (a) uses a GPU: its base is a GPU image (``nvidia/cuda``,
``nvcr.io/nvidia/*`` but its OS bases, ``rocm/*``, a CUDA or ``-gpu`` tag, a GPU inference server's image), it sets
the NVIDIA/CUDA environment, installs a GPU framework (``vllm``, ``onnxruntime-gpu``, CUDA or ROCm
wheels, ``cuda-*``/``libcudnn*`` packages), copies from a stage built on a GPU image, or takes
its CUDA/ROCm version as a build argument; and (b) runs a long-running process as its
``ENTRYPOINT``/``CMD`` (a server: an inference server, a web framework, ``serve``/``server``/
``router`` programs, or any process behind an ``EXPOSE``d port).

Not serving images: a final ``FROM scratch`` stage without a process (an OLM bundle, an artifact
image), an image whose process is a shell, a build, a test runner, a documentation build, a
deployer or CI tool, a training or benchmark run to completion, a GPU infrastructure daemon
(dcgm-exporter, a device plugin, the GPU operator), an interactive notebook workbench (Jupyter,
code-server), and an image without any process of its own on a base that starts a shell (a
base, development or CI image). The file's name and its two nearest folders say the rest:
``Dockerfile.dev``, ``Dockerfile_ci``, ``Dockerfile.linting``, ``builder/``, ``tests/`` name
development, CI and build images; a ``docs/``, ``examples/``, ``samples/`` or ``demo/`` folder a
documentation sample; ``Dockerfile.cpu`` a CPU variant, ``cuda.Dockerfile`` a CUDA one.

``image_role`` answers with three-valued ``gpu`` and ``serving``; ``UNKNOWN`` means the file does
not say (a base given only as a build argument, ``python train_or_serve.py``): rules then say
"cannot tell" instead of guessing. ``shipped_images`` names the stages judged as shipped images:
the targets CI builds (``--target``, bake or compose targets) when known, else the final stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gpulint.artifacts.folders import repository_path, sample_folder
from gpulint.artifacts.dockerfile.base_images import copies_from, stage_image
from gpulint.artifacts.dockerfile.expansion import parse_arg, parse_env
from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage
from gpulint.artifacts.dockerfile.packages import installs, package_name, project_name, variables_installs_read
from gpulint.artifacts.gpu_servers import SERVER_PROGRAMS, GpuServer, image_serves, server_of_command, server_of_image
from gpulint.artifacts.process_kinds import daemon_command, workbench_program
from gpulint.core.records import Record
from gpulint.core.tri import UNKNOWN, Tri, and3
from gpulint.syntax.images import ImageRef
from gpulint.syntax.shell import command_string, is_shell, parse_shell

SERVER, DAEMON, SHELL, BUILD, TEST, DOCS, TOOL, TRAINING, BUNDLE, BASE, DEV, SAMPLE, WORKBENCH, UNKNOWN_PROCESS = (
    "server", "gpu-daemon", "shell", "build", "test", "docs", "tool", "training", "bundle", "base", "dev-ci",
    "sample", "workbench", "unknown")

_DESCRIBE = {
    SERVER: "a serving image", DAEMON: "a GPU infrastructure daemon image", SHELL: "an image whose process is a shell",
    BUILD: "a build image", TEST: "a test image", DOCS: "a documentation build image", TOOL: "a tool image",
    TRAINING: "a training or benchmark image (runs to completion)", BUNDLE: "a files-only image (FROM scratch, no "
    "process)", BASE: "a base image (no process of its own)", DEV: "a development or CI image",
    SAMPLE: "a documentation sample or example image", WORKBENCH: "an interactive notebook workbench image",
    UNKNOWN_PROCESS: "an image whose process gpulint cannot classify",
}


class ImageRole(Record, frozen=True):
    stage: Stage
    gpu: Tri
    serving: Tri
    kind: str
    reason: str  # why: "CMD runs bash", "base nvidia/cuda:12.4.1-runtime-ubuntu22.04"
    gpu_reason: str

    @property
    def judged(self) -> Tri:
        """GPU serving image rules apply at their full severity."""
        return and3(self.gpu, self.serving)

    def describe(self) -> str:
        what = _DESCRIBE.get(self.kind, "an image")
        if self.gpu is False:
            what += " without GPU use"
        return f"{what} ({self.reason})"


# --------------------------------------------------------------------------- which stages ship

def shipped_images(dockerfile: Dockerfile, targets: Iterable[str] | None = None) -> list[Stage]:
    """The stages built as images: those ``targets`` name (``docker build --target``, a bake or
    compose target; case-insensitive, by name or index), else the final stage."""
    if not dockerfile.stages:
        return []
    if targets:
        wanted = {t.lower() for t in targets if t}
        named = [s for s in dockerfile.stages if s.name in wanted or str(s.index) in wanted]
        if named:
            return named
    return [dockerfile.stages[-1]]


def stage_at(dockerfile: Dockerfile, offset: int) -> Stage | None:
    """The stage whose instructions contain a source offset (None: before the first FROM)."""
    found = None
    for stage in dockerfile.stages:
        if stage.from_instruction.start <= offset:
            found = stage
    return found


# --------------------------------------------------------------------------- GPU use

_GPU_IMAGE_WORDS = frozenset({"cuda", "cudnn", "gpu", "rocm", "tritonserver", "tensorrt", "vllm", "sglang", "lorax",
                              "text-generation-inference", "text-embeddings-inference", "l4t", "jetson", "xpu", "ipex",
                              "nccl", "lmdeploy", "ollama", "nim", "hip", "cupy", "trtllm", "nvhpc", "habana"})
_WHEEL_TAG = re.compile(r"(?:^|[^a-z0-9])(?:cu\d{2,3}|rocm\d|cuda\d|xpu)(?:$|[^a-z])", re.IGNORECASE)
_GPU_PACKAGES = re.compile(
    r"^(?:vllm|sglang|tensorrt[\w-]*|tensorrt_llm|nvidia-[\w-]+|cupy-cuda\w*|cupy-rocm\w*|onnxruntime-gpu|"
    r"tensorflow-gpu|jax\[cuda\w*\]|jaxlib\+cuda\w*|flash[-_]attn|xformers|bitsandbytes|deepspeed|lmdeploy|"
    r"cuda[\w.-]*|libcudnn[\w.-]*|libnccl[\w.-]*|libcublas[\w.-]*|rocm[\w.-]*|hip[\w.-]*|intel-opencl-icd|"
    r"intel-level-zero-gpu|level-zero|libze1|mesa-vulkan-drivers|libvulkan[\w.-]*|vulkan[\w.-]*|"
    r"intel-extension-for-pytorch|torch-directml|tensorflow\[and-cuda\])$", re.IGNORECASE)
_GPU_ENV = re.compile(r"^(?:NVIDIA_VISIBLE_DEVICES|NVIDIA_DRIVER_CAPABILITIES|NVIDIA_REQUIRE_CUDA|CUDA_HOME|"
                      r"CUDA_VERSION|CUDA_PATH|TORCH_CUDA_ARCH_LIST|CUDA_DOCKER_ARCH|ROCM_PATH|ROCM_VERSION|"
                      r"HSA_OVERRIDE_GFX_VERSION|GGML_CUDA|ZE_AFFINITY_MASK)$")
# Folders the NVIDIA driver (mounted by GKE and the container toolkit) or CUDA put their programs
# and libraries in: an image that adds them to PATH/LD_LIBRARY_PATH expects to run on a GPU.
_GPU_LIBRARY_PATH = re.compile(r"/usr/local/(?:nvidia|cuda)(?:[-/:]|$)|/usr/lib/x86_64-linux-gnu/nvidia|/opt/rocm")
_GPU_ARG = re.compile(r"cuda|rocm|gpu|cudnn|tensorrt|^xpu$", re.IGNORECASE)
_OFF = {"0", "false", "no", "off", "none", "cpu", ""}
_GPU_NAME_WORDS = {"cuda", "gpu", "rocm", "amd", "xpu", "cudnn", "tensorrt", "trtllm"}


def gpu_image(ref: ImageRef | None) -> bool:
    if ref is None:
        return False
    path = f"{ref.registry}/{ref.repository}".lower()
    if "distroless" in path:
        return False
    words = set(re.split(r"[/_.:-]+", path)) | {path.rsplit("/", 1)[-1]}
    tag = (ref.tag or "").lower()
    tag_words = set(re.split(r"[-_.]+", tag))
    if words & _GPU_IMAGE_WORDS or tag_words & _GPU_IMAGE_WORDS or _WHEEL_TAG.search(tag):
        return True
    # NGC's images carry the CUDA stack, except NVIDIA's plain OS bases (`nvcr.io/nvidia/base/ubuntu`)
    if ref.registry == "nvcr.io" and ref.repository.lower().startswith(("nvidia/", "nim/")) \
            and not ref.repository.lower().startswith("nvidia/base/"):
        return True
    return server_of_image(ref.raw) is not None


def _contributing(dockerfile: Dockerfile, stage: Stage) -> list[Stage]:
    """The stage, the stages it is built on, and the stages they copy files from."""
    found = list(stage.ancestry())
    for earlier, _ in copies_from(dockerfile, stage):
        found += [s for s in earlier.ancestry() if all(s is not f for f in found)]
    return found


def _gpu_use(dockerfile: Dockerfile, stage: Stage, names: set[str]) -> tuple[Tri, str]:
    ref, _ = stage_image(dockerfile, stage)
    if gpu_image(ref):
        return True, f"base {ref.short}:{ref.tag or 'latest'}"  # type: ignore[union-attr]
    if "cpu" in names:
        return False, "a CPU variant by its file name"
    if names & _GPU_NAME_WORDS:
        return True, f"a {sorted(names & _GPU_NAME_WORDS)[0]} variant by its file name"
    chain = _contributing(dockerfile, stage)
    for ancestor in chain:
        for instruction in ancestor.instructions:
            if instruction.keyword == "ENV":
                for name, value in parse_env(instruction.body):
                    if _GPU_ENV.match(name):
                        return True, f"ENV {name}"
                    if name in ("PATH", "LD_LIBRARY_PATH") and _GPU_LIBRARY_PATH.search(value or ""):
                        return True, f"ENV {name} adds the NVIDIA driver's or CUDA's folders"
        for install in installs(ancestor, dockerfile):
            for package in install.packages:
                name = package_name(package)
                if _GPU_PACKAGES.match(name):
                    return True, f"installs {name}"
            if any(_WHEEL_TAG.search(option) for option in install.options):
                return True, "installs CUDA/ROCm wheels"
    for earlier, _ in copies_from(dockerfile, stage):
        earlier_ref, _ = stage_image(dockerfile, earlier)
        if gpu_image(earlier_ref):
            return True, f"copies from stage '{earlier.name or earlier.index}' built on {earlier_ref.short}"  # type: ignore[union-attr]
    # Build arguments say how software is built: those of the image's own stages, and those a stage
    # it copies from installs by (a builder's `ARG GPU_DRIVER=cuda` picks the wheels of the venv it
    # hands over); an argument a stage only fetches files by (`CUDA_SUFFIX` for wheels a package
    # mirror serves) says nothing about the image.
    own = stage.ancestry()
    arguments = {name: value for name, value in dockerfile.global_args.items()}
    for ancestor in chain:
        mine = any(ancestor is s for s in own)
        read = None if mine else variables_installs_read(ancestor)
        for instruction in ancestor.instructions:
            if instruction.keyword == "ARG":
                arguments.update((name, value) for name, value in parse_arg(instruction.body)
                                 if read is None or name in read)
    for name, value in arguments.items():
        if value is not None and value.strip().strip("\"'").lower() in _OFF:
            continue  # `ARG cuda=0`, `ARG USE_GPU=false`, `ARG CUDA_VERSION=cpu`: the default build has no GPU
        if _GPU_ARG.search(name) or _GPU_ARG.search(value or ""):
            return True, f"built for GPUs through the build argument {name}"
    root = stage.ancestry()[-1]
    if ref is None and root.base.lower() != "scratch":
        return UNKNOWN, f"the base image {root.base} is decided by a build argument"
    return False, "no GPU base image, GPU package or CUDA environment"


# --------------------------------------------------------------------------- the process it runs

_WRAPPERS = {"tini", "dumb-init", "env", "exec", "gosu", "su-exec", "nvidia_entrypoint.sh", "--"}
_TESTS = {"pytest", "py.test", "tox", "nox", "ctest", "unittest", "pytest-xdist"}
_BUILDS = {"make", "cmake", "ninja", "bazel", "bazelisk", "cargo", "mvn", "gradle", "auditwheel", "maturin", "setup.py"}
_DOCS = {"mkdocs", "sphinx-build", "hugo", "jekyll", "doxygen"}
_TOOLS = {"kubectl", "helm", "terraform", "ansible-playbook", "aws", "gcloud", "az", "skopeo", "crane", "oras", "gh",
          "git", "golangci-lint", "pre-commit", "ruff", "flake8", "black", "pylint", "shellcheck", "hadolint",
          "clinfo", "nvidia-smi", "devicequery", "operator-sdk", "opm", "kustomize", "jq", "yq", "go"}
_TRAINING = {"torchrun", "deepspeed", "mpirun", "horovodrun", "accelerate", "all_reduce_perf", "torch.distributed.run",
             "torch.distributed.launch", "srun"}
_TRAINING_SCRIPT = re.compile(r"train|trial|finetune|fine_tune|mnist|bench|cifar|pretrain", re.IGNORECASE)
_SERVER_WORDS = {"serve", "server", "serving", "router", "launcher", "gateway", "proxy", "uvicorn", "gunicorn", "hypercorn",
                 "streamlit", "gradio", "nginx", "httpd", "api_server", "rpc-server", "web", "flask", "daphne",
                 "waitress-serve", "litserve"}
# File-name and folder words that name development, CI and build images; and a CPU variant.
_DEV_WORDS = {"dev", "devel", "develop", "ci", "test", "tests", "testing", "lint", "linting", "builder",
              "manywheel", "qa", "e2e"}
# Python packages that are inference servers: an image installing one whose entrypoint is a script serves.
_SERVER_PACKAGES = {"vllm", "sglang", "lmdeploy", "torchserve", "tritonserver", "text-generation-server", "lorax-server",
                    "huggingfaceserver", "kserve", "ray[serve]", "bentoml", "litserve"}


def _argv(instruction: Instruction | None) -> list[str]:
    if instruction is None:
        return []
    exec_form = instruction.exec_form()
    if exec_form is not None:
        return exec_form
    body = instruction.body.strip()
    return ["/bin/sh", "-c", body] if body else []


def process(dockerfile: Dockerfile, stage: Stage) -> tuple[list[str], list[str], bool]:
    """The image's ENTRYPOINT and CMD words, and whether the file sets either (else the base's
    default). An ENTRYPOINT resets a CMD inherited from an earlier stage, as Docker does."""
    entry = cmd = None
    entry_level = cmd_level = None
    for level, ancestor in enumerate(stage.ancestry()):
        for instruction in reversed(ancestor.instructions):
            if instruction.keyword == "ENTRYPOINT" and entry is None:
                entry, entry_level = instruction, level
            if instruction.keyword == "CMD" and cmd is None:
                cmd, cmd_level = instruction, level
    if entry_level is not None and cmd_level is not None and cmd_level > entry_level:
        cmd = None
    return _argv(entry), _argv(cmd), entry is not None or cmd is not None


def _unwrap(words: list[str]) -> list[str]:
    """Drop init wrappers and expand ``sh -c '...'`` into the script's words."""
    while words:
        head = words[0].rsplit("/", 1)[-1]
        if head in _WRAPPERS or head.startswith("-") or "=" in head and head.split("=", 1)[0].isidentifier():
            words = words[1:]
            continue
        invoked = command_string(words) if is_shell(head) else None
        if invoked is not None:
            words = _main_command(invoked.text)
            continue
        break
    return words


# Commands of an `sh -c` script that prepare the process rather than being it.
_SETUP = frozenset({"wait", "set", "trap", "export", "cd", "echo", "printf", "source", ".", "true", ":", "umask",
                    "ulimit", "rm", "ln", "mkdir", "cp", "mv", "chmod", "chown", "touch", "[", "test"})


def _main_command(script: str) -> list[str]:
    """The command an ``sh -c`` script runs as its process: a well-known server it starts, else
    its last command that is not set-up (``ln -s ... && exec bash`` runs a shell)."""
    commands = [argv for argv in (c.argv() for c in parse_shell(script, errexit=False).commands) if argv]
    for argv in commands:
        if server_of_command(argv) is not None:
            return argv
    main = [argv for argv in commands if argv[0].rsplit("/", 1)[-1] not in _SETUP]
    return main[-1] if main else (commands[-1] if commands else [])


def classify(words: list[str]) -> tuple[str, str]:
    """What a command line does: (kind, reason)."""
    words = _unwrap([w for w in words if w])
    if not words:
        return UNKNOWN_PROCESS, "no command"
    program = words[0].rsplit("/", 1)[-1]
    shown = " ".join(words[:3])
    if daemon_command(words):
        return DAEMON, f"runs {shown}"
    if server_of_command(words) is not None:
        return SERVER, f"runs {server_of_command(words).name}"  # type: ignore[union-attr]
    if is_shell(program):
        return SHELL, f"runs {program}"
    module = words[2] if program.startswith("python") and words[1:2] == ["-m"] and len(words) > 2 else None
    if program.startswith("python") and len(words) == 1:
        return SHELL, f"runs {program} (an interactive interpreter)"
    names = {program, module or ""} | {w.rsplit("/", 1)[-1] for w in words[1:3]}
    if workbench_program(names):
        return WORKBENCH, f"runs {shown}"
    if names & _TESTS or program == "go" and words[1:2] == ["test"]:
        return TEST, f"runs {shown}"
    if names & _DOCS:
        return DOCS, f"runs {shown}"
    if names & _TRAINING or any(_TRAINING_SCRIPT.search(w) for w in words[:3] if w.endswith(".py")):
        return TRAINING, f"runs {shown}"
    if program in _BUILDS or module in ("build", "pip") or program.startswith("build") and program.endswith(".sh"):
        return BUILD, f"runs {shown}"
    if program in _TOOLS:
        return TOOL, f"runs {shown}"
    parts = {p for w in words[:4] for p in re.split(r"[-_./]", w.lower())} | {w.lower() for w in words[:4]}
    parts |= {w.rsplit("/", 1)[-1].lower() for w in words[:4]}
    if parts & _SERVER_WORDS or any(w in ("serve", "--host", "--port") for w in words):
        return SERVER, f"runs {shown}"
    return UNKNOWN_PROCESS, f"runs {shown}"


def _file_words(dockerfile: Dockerfile) -> set[str]:
    """Words of the file name only (``Dockerfile.cpu``, ``cuda.Dockerfile``, ``Dockerfile_amd``)."""
    name = dockerfile.source.rel_path.lower().rsplit("/", 1)[-1].rsplit("__", 1)[-1]
    return {w for w in re.split(r"[^a-z0-9]+", name) if w}


def _name_words(dockerfile: Dockerfile) -> set[str]:
    parts = dockerfile.source.rel_path.lower().split("/")
    text = " ".join(parts[-3:])
    return {w for w in re.split(r"[^a-z0-9]+", text) if w}


def image_role(dockerfile: Dockerfile, stage: Stage | None = None) -> ImageRole:
    """The role of the image a stage builds (default: the final stage); computed once per stage."""
    stage = stage or dockerfile.final_stage
    assert stage is not None, "a Dockerfile without stages has no image"
    cache = dockerfile.__dict__.setdefault("_roles", {})
    if stage.index not in cache:
        cache[stage.index] = _role(dockerfile, stage)
    return cache[stage.index]


def _role(dockerfile: Dockerfile, stage: Stage) -> ImageRole:
    names = _name_words(dockerfile)
    gpu, gpu_reason = _gpu_use(dockerfile, stage, _file_words(dockerfile))
    entry, cmd, own = process(dockerfile, stage)
    root = stage.ancestry()[-1]
    if not own:
        ref, _ = stage_image(dockerfile, stage)
        if root.base.lower() == "scratch":
            kind, reason = BUNDLE, "FROM scratch without ENTRYPOINT or CMD"
            # files only (a build cache, wheels, model data), whatever GPU stage they came from
            gpu, gpu_reason = False, "files only: nothing in it runs, on a GPU or anywhere"
        elif ref is not None and image_serves(ref.raw):
            kind, reason = SERVER, f"keeps the server process of its base {ref.short}"
        elif ref is None:
            kind, reason = UNKNOWN_PROCESS, f"no ENTRYPOINT or CMD, and the base {root.base} is a build argument"
        else:
            kind, reason = BASE, f"no ENTRYPOINT or CMD: it starts the shell of {ref.short}"
    else:
        kind, reason = classify(entry + cmd)
        if kind == UNKNOWN_PROCESS and entry and cmd:
            kind, reason = classify(cmd) if classify(cmd)[0] != UNKNOWN_PROCESS else (kind, reason)
        if kind == UNKNOWN_PROCESS and entry and not cmd and not _unwrap(entry):
            # `ENTRYPOINT ["/tini", "--"]` and no CMD: an init that runs whatever `docker run` gives it
            kind, reason = BASE, f"its ENTRYPOINT {' '.join(entry)} only starts the command it is given, and it has no CMD"
        if kind == UNKNOWN_PROCESS and _exposes(stage):
            kind, reason = SERVER, f"{reason} and EXPOSEs a port"
        if kind == UNKNOWN_PROCESS and entry and _hands_over(dockerfile, stage, entry[0]):
            # `exec gosu app "$@"`: the entrypoint runs whatever CMD (or `docker run`) gives it
            kind, reason = classify(cmd) if cmd else (BASE, f"its entrypoint {entry[0]} runs the command it is "
                                                             "given (`exec ... \"$@\"`) and it has no CMD")
        if kind == UNKNOWN_PROCESS and entry and "entrypoint" in entry[0].rsplit("/", 1)[-1].lower():
            shipped = _ships_server(dockerfile, stage)
            if shipped:
                kind, reason = SERVER, f"{reason}, an entrypoint script of an image that ships {shipped}"
    stage_words = {w for w in re.split(r"[^a-z0-9]+", stage.name or "") if w}
    if kind in (SERVER, UNKNOWN_PROCESS, BASE) and stage_words & _DEV_WORDS:
        word = sorted(stage_words & _DEV_WORDS)[0]  # `FROM ... AS dev-image`: the stage says what it is
        kind, reason = DEV, f"its stage is named '{stage.name}'; {reason}"
    elif kind in (SERVER, UNKNOWN_PROCESS, BASE) and names & _DEV_WORDS:
        word = sorted(names & _DEV_WORDS)[0]
        kind, reason = DEV, f"'{word}' in its file or folder name; {reason}"
    context = dockerfile.context
    word = sample_folder(repository_path(dockerfile.source, context.files if context is not None else None))
    if kind in (SERVER, UNKNOWN_PROCESS, BASE) and word is not None:
        kind, reason = SAMPLE, f"in a '{word}' folder; {reason}"
    serving: Tri = True if kind == SERVER else UNKNOWN if kind == UNKNOWN_PROCESS else False
    return ImageRole(stage, gpu, serving, kind, reason, gpu_reason)


def fixed_entrypoint(dockerfile: Dockerfile, stage: Stage) -> list[str] | None:
    """The exec-form ENTRYPOINT the Dockerfile gives the image when it runs a program of its own
    (`["python3", "/app/serve.py"]`): `docker run IMAGE ARGS` then passes ARGS to that program
    instead of running them. None when there is none, it is a shell form, or it hands over to
    its arguments (tini, dumb-init, gosu, a script ending in `"$@"`)."""
    entry = None
    for ancestor in stage.ancestry():
        entry = next((i for i in reversed(ancestor.instructions) if i.keyword == "ENTRYPOINT"), None)
        if entry is not None:
            break
    words = entry.exec_form() if entry is not None else None
    if not words:
        return None
    head = words[0].rsplit("/", 1)[-1]
    if head in _WRAPPERS or is_shell(head) or _hands_over(dockerfile, stage, words[0]):
        return None
    return list(words)


# Programs that run a command as another user: `gosu USER CMD`, `su-exec USER CMD`,
# `s6-setuidgid USER CMD`, `setpriv --reuid=USER CMD`, `runuser -u USER -- CMD`,
# `chroot --userspec=USER:GROUP / CMD`.
_DROP_USER_FIRST = ("gosu", "su-exec", "s6-setuidgid")


def dropped_to(argv: list[str]) -> str | None:
    """The user a privilege-dropping command runs its command as (None: not one)."""
    words = argv[1:] if argv and argv[0] == "exec" else argv
    if not words:
        return None
    name = words[0].rsplit("/", 1)[-1]
    if name in _DROP_USER_FIRST and len(words) > 2:
        return words[1]
    for word in words[1:]:
        if name == "setpriv" and word.startswith("--reuid="):
            return word.split("=", 1)[1]
        if name == "chroot" and word.startswith("--userspec="):
            return word.split("=", 1)[1]
    if name == "runuser" and "-u" in words[:-1]:
        return words[words.index("-u") + 1]
    return None


def entrypoint_script(dockerfile: Dockerfile, stage: Stage, program: str | None):
    """(text, the commands as words) of the shell script of the build context that an image's
    ENTRYPOINT ``program`` is (`/entrypoint.sh`), read through the COPYs; None for anything else."""
    from gpulint.artifacts.dockerfile.healthcheck import script_resolver
    from gpulint.core.source import Source

    if dockerfile.context is None or not program:
        return None
    script = script_resolver(dockerfile, stage)(program)
    if not isinstance(script, Source):
        return None
    commands = [c.argv() for c in parse_shell(script.text, errexit=False).commands]
    return script.text, [argv for argv in commands if argv]


def _hands_over(dockerfile: Dockerfile, stage: Stage, program: str) -> bool:
    """The entrypoint is a script of the build context whose last command ends in `"$@"` (`exec
    gosu app "$@"`, `exec tini -- "$@"`): it prepares the container and runs what it is given."""
    if not program.endswith(".sh") and "entrypoint" not in program.lower():
        return False
    found = entrypoint_script(dockerfile, stage, program)
    if found is None or not found[1]:
        return False
    last = found[1][-1]
    # `exec gosu app "$@"` hands over; `exec python3 demo.py "$@"` runs its own program with the arguments
    return last[-1] in ("$@", "${@}") and (not _unwrap(last[:-1]) or dropped_to(last) is not None)


def _ships_server(dockerfile: Dockerfile, stage: Stage) -> str | None:
    """A server program the image puts in place (COPY of a known server binary, or a server package)."""
    for ancestor in stage.ancestry():
        for instruction in ancestor.instructions:
            if instruction.keyword in ("COPY", "ADD"):
                for word in instruction.body.replace('"', " ").replace(",", " ").split():
                    name = word.rstrip("/").rsplit("/", 1)[-1]
                    if name in SERVER_PROGRAMS:
                        return name
        for install in installs(ancestor, dockerfile):
            for package in install.packages:
                name = project_name(package)
                if name in _SERVER_PACKAGES:
                    return name
    return None


def image_server(dockerfile: Dockerfile, stage: Stage) -> GpuServer | None:
    """The well-known GPU inference server the image runs (its process, or its base's)."""
    entry, cmd, own = process(dockerfile, stage)
    if own:
        return server_of_command(_unwrap(entry + cmd)) or server_of_command(_unwrap(cmd))
    ref, _ = stage_image(dockerfile, stage)
    return server_of_image(ref.raw) if ref is not None and image_serves(ref.raw) else None


def _exposes(stage: Stage) -> bool:
    return any(i.keyword == "EXPOSE" for s in stage.ancestry() for i in s.instructions)
