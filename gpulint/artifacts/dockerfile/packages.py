"""What a Dockerfile puts into an image: the commands its RUN steps run, the packages they install,
and what the base image family brings along. Read from parsed shell commands, never from raw text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from gpulint.artifacts.dockerfile.base_images import stage_image
from gpulint.artifacts.dockerfile.model import Dockerfile, Stage
from gpulint.artifacts.dockerfile.variables import stage_variables
from gpulint.core.records import Record
from gpulint.syntax.images import ImageRef
from gpulint.syntax.shell import command_string, parse_shell

_PACKAGE_MANAGERS = {
    "apt-get": "apt", "apt": "apt", "aptitude": "apt", "yum": "rpm", "dnf": "rpm", "microdnf": "rpm", "tdnf": "rpm",
    "zypper": "rpm", "apk": "apk", "pip": "pip", "pip3": "pip", "uv": "pip", "conda": "conda", "mamba": "conda",
    "micromamba": "conda", "pipx": "pip",
}
_INSTALL_WORDS = {"install", "add"}
# Options whose value is the next word, not a package (requirement files, index URLs, targets).
_OPTIONS_WITH_VALUES = {
    "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
    "-t", "--target", "--prefix", "--root", "--src", "--platform", "--python-version", "--implementation", "--abi",
    "-o", "--option", "--default-release", "--repository", "--repo", "--enablerepo", "--disablerepo", "--setopt",
    "--installroot", "-p", "-n", "--name", "--channel"}


class Install(Record, frozen=True):
    manager: str  # apt | rpm | apk | pip | conda
    packages: tuple[str, ...]
    options: tuple[str, ...]  # the option words (index URLs included)


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _with_known(text: str, variables: dict[str, str | None]) -> str:
    """Substitute the ARG/ENV values the shell of a RUN step sees; leave the others as written."""
    def value(match: re.Match) -> str:
        known = variables.get(match.group(1) or match.group(2))
        return known if known is not None else match.group(0)

    return _VARIABLE.sub(value, text) if "$" in text else text


def run_commands(stage: Stage, dockerfile: Dockerfile | None = None) -> list[list[str]]:
    """The argv of every simple command the stage's RUN instructions run (heredocs included), with
    the stage's ARG and ENV values substituted when ``dockerfile`` is given (computed once per stage)."""
    cache = dockerfile.__dict__.setdefault("_run_commands", {}) if dockerfile is not None else {}
    if stage.index in cache:
        return cache[stage.index]
    # The values at the end of the stage: one walk, not one per RUN (a stage may have thousands).
    variables = stage_variables(dockerfile, stage) if dockerfile is not None else {}
    found: list[list[str]] = []
    for instruction in stage.instructions:
        if instruction.keyword != "RUN":
            continue
        exec_form = instruction.exec_form()
        if exec_form is not None:
            invoked = command_string(exec_form)
            scripts = [invoked.text if invoked is not None else " ".join(exec_form)]
        else:
            scripts = [instruction.body] + [h.body for h in instruction.heredocs]
        for script in scripts:
            for command in parse_shell(_with_known(script, variables), errexit=False).commands:
                argv = command.argv()
                if argv:
                    found.append(argv)
    cache[stage.index] = found
    return found


def install_command(argv: list[str]) -> tuple[str, list[str]] | None:
    """(package manager, words from its install subcommand on) of a package install command."""
    if not argv:
        return None
    words = argv
    name = words[0].rsplit("/", 1)[-1]
    if name.startswith("python") and words[1:3] == ["-m", "pip"]:
        words, name = words[2:], "pip"
    manager = _PACKAGE_MANAGERS.get(name)
    if manager is None:
        return None
    rest = words[1:]
    if name == "uv" and rest[:1] == ["pip"]:
        rest = rest[1:]
    # options may come before the subcommand (`apt-get -y --no-install-recommends install x`,
    # `apt-get -o Dpkg::Options::=--force-confold install x`): read them as if after it
    leading: list[str] = []
    while rest and rest[0].startswith("-") and rest[0] != "-":
        taken = 2 if rest[0] in _OPTIONS_WITH_VALUES and len(rest) > 1 else 1
        leading, rest = leading + rest[:taken], rest[taken:]
    if not rest or rest[0] not in _INSTALL_WORDS:
        return None
    return manager, rest[:1] + leading + rest[1:]


def is_install(argv: list[str]) -> bool:
    """A package install (``apt-get install``, ``pip install``, ``uv pip install``, ``apk add``...)."""
    return install_command(argv) is not None


def installs(stage: Stage, dockerfile: Dockerfile | None = None) -> list[Install]:
    """Package installs of the stage's RUN steps (``apt-get install``, ``pip install``, ``dnf install``...)."""
    found = []
    for argv in run_commands(stage, dockerfile):
        parsed = install_command(argv)
        if parsed is None:
            continue
        manager, rest = parsed
        values = {i + 1 for i, w in enumerate(rest[:-1]) if i and w in _OPTIONS_WITH_VALUES}
        packages = tuple(w for i, w in enumerate(rest) if i and not w.startswith("-") and i not in values)
        options = tuple(w for w in rest[1:] if w.startswith("-")) + tuple(
            rest[i + 1] for i, w in enumerate(rest[:-1]) if w in ("--index-url", "--extra-index-url", "-i", "-f"))
        found.append(Install(manager, packages, options))
    return found


def variables_installs_read(stage: Stage) -> set[str]:
    """Names of the variables read by the RUN instructions that install packages (``$GPU_DRIVER``
    in ``if [ "$GPU_DRIVER" = cuda ]; then pip install --index-url ...; fi``): the build arguments
    that decide what gets installed."""
    names: set[str] = set()
    for instruction in stage.instructions:
        if instruction.keyword != "RUN":
            continue
        for body in [instruction.body] + [h.body for h in instruction.heredocs]:
            commands = parse_shell(body, errexit=False).commands
            if any(is_install(c.argv()) for c in commands):
                names.update(m.group(1) or m.group(2) for c in commands for w in c.words
                             for m in _VARIABLE.finditer(w.text))
    return names


def package_name(spec: str) -> str:
    """The package an install names, as written, extras kept (`vllm[tensorizer]==0.6.0` ->
    `vllm[tensorizer]`, `libcudnn9=9.1.0-1` -> `libcudnn9`)."""
    return re.split(r"[=<>!~;@ ]", spec, maxsplit=1)[0]


def project_name(spec: str) -> str:
    """The Python project an install names, lower case, without extras (`vllm`)."""
    return package_name(spec).split("[", 1)[0].lower()


def installed_names(stages: list[Stage], dockerfile: Dockerfile | None = None) -> set[str]:
    """Package names installed in these stages (versions and extras stripped, lower case)."""
    names: set[str] = set()
    for stage in stages:
        for install in installs(stage, dockerfile):
            for package in install.packages:
                names.add(project_name(package))
    return names


# --------------------------------------------------------------------------- toolchains

# Programs that compile or build software: what they need and leave behind is what a builder stage
# keeps out of the final image.
_COMPILERS = frozenset({"make", "cmake", "ninja", "meson", "gcc", "g++", "cc", "c++", "clang", "clang++", "nvcc",
                        "hipcc", "rustc", "cargo", "javac", "mvn", "gradle", "bazel", "bazelisk", "scons", "autoreconf",
                        "configure", "./configure"})
# Build steps of language tools (the tool alone may just run something).
_BUILD_SUBCOMMANDS = {"go": {"build", "install"}, "npm": {"install", "ci", "run"}, "yarn": {"install", "build"},
                      "pnpm": {"install", "build"}}
# System packages that are a toolchain or headers to compile against.
_TOOLCHAIN_PACKAGES = re.compile(
    r"^(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|clang(-\d+)?|cmake|make|ninja-build|ninja|autoconf|automake|libtool|"
    r"pkg-config|pkgconf|gfortran|cuda-toolkit(-[\d-]+)?|cuda-nvcc(-[\d-]+)?|cuda-compiler(-[\d-]+)?|"
    r"development tools|@development-tools|.*-dev|.*-devel|.*-headers)$")
# pip options and arguments that build from source rather than install wheels.
_SOURCE_INSTALL = ("--no-binary", "--no-build-isolation", "-e", "--editable")


class Compiling(NamedTuple):
    reason: str  # for messages: "it runs make", "it installs build packages build-essential"
    # False when build packages are installed but nothing is seen compiling: a compiler may be what
    # the image needs at run time (Triton and torch.compile build kernel launchers with it).
    seen: bool


def compiles(stage: Stage, dockerfile: Dockerfile | None = None) -> Compiling | None:
    """What in the stage compiles software (a `-devel` base, a compiler or build system run, a pip
    install from source) or installs a toolchain (build packages such as `build-essential` or
    `*-dev` headers); None when it only installs prebuilt packages or nothing."""
    root = stage.ancestry()[-1]
    devel = "devel" in root.base.lower()
    for argv in run_commands(stage, dockerfile):
        name = argv[0].rsplit("/", 1)[-1] if argv[0] != "./configure" else argv[0]
        if name in _COMPILERS:
            return Compiling(f"it runs {name}", True)
        if argv[1:2] and argv[1] in _BUILD_SUBCOMMANDS.get(name, ()):
            return Compiling(f"it runs {name} {argv[1]}", True)
        if name.startswith("python") and any(w in ("setup.py", "build_ext", "bdist_wheel") for w in argv[1:3]):
            return Compiling("it runs setup.py", True)
    toolchain: list[str] = []
    for install in installs(stage, dockerfile):
        if install.manager != "pip":
            toolchain += [p for p in install.packages if _TOOLCHAIN_PACKAGES.match(project_name(p))]
        elif any(o.startswith(_SOURCE_INSTALL) for o in install.options) or any(
                p in (".", "./") or p.startswith(("git+", "./", "/")) and not p.endswith(".whl")
                for p in install.packages):
            return Compiling("it installs Python packages from source", True)
    if devel:  # the CUDA toolkit ships, though nothing in the build is seen using it
        return Compiling(f"its base {root.base} is a -devel image", False)
    return Compiling(f"it installs the build packages {', '.join(toolchain[:3])}", False) if toolchain else None


# Python packages that compile CUDA or C++ code with the image's toolchain when first used.
_RUNTIME_JIT = ("deepspeed", "apex", "xformers", "torch-tensorrt")


def runtime_compiler_need(stage: Stage, dockerfile: Dockerfile | None = None) -> str | None:
    """A package the stage installs that builds its kernels at run time (DeepSpeed's ops without
    `DS_BUILD_OPS`), so the compiler and CUDA toolkit are a run-time need; None otherwise."""
    for install in installs(stage, dockerfile):
        if install.manager != "pip":
            continue
        for package in install.packages:
            name = project_name(package)
            if name in _RUNTIME_JIT:
                return name
    return None


# --------------------------------------------------------------------------- base image families

DEBIAN, RHEL, ALPINE, DISTROLESS, SCRATCH = "debian", "rhel", "alpine", "distroless", "scratch"
# Repository words that name the distribution an image is built on.
_FAMILY_WORDS = (
    (DISTROLESS, ("distroless", "chainguard", "static")),
    (ALPINE, ("alpine",)),
    (RHEL, ("ubi", "ubi8", "ubi9", "ubi-minimal", "centos", "rockylinux", "rocky", "almalinux", "fedora", "rhel",
            "amazonlinux", "oraclelinux", "manylinux", "manylinux2014", "manylinux_2_28")),
    (DEBIAN, ("ubuntu", "debian", "buildpack-deps", "python", "node", "golang", "pytorch", "tensorflow", "cuda",
              "l4t-base", "vllm-openai", "sglang", "text-generation-inference", "tritonserver", "rocm",
              "dev-ubuntu-22.04", "dev-ubuntu-24.04", "torchserve", "ollama", "lmdeploy")),
)


def base_family(ref: ImageRef | None) -> str | None:
    """The distribution family of an image, read from its name and tag; None when unknown."""
    if ref is None:
        return None
    repository = ref.repository.lower()
    words = set(re.split(r"[/_.:-]+", repository)) | {repository.rsplit("/", 1)[-1]}
    tag_words = set(re.split(r"[-_.]+", (ref.tag or "").lower()))
    for family, names in _FAMILY_WORDS:
        if words & set(names) or (family != DEBIAN and tag_words & set(names)):
            # python:3.12-alpine, node:20-slim: the tag names the variant
            if family == DEBIAN and "alpine" in tag_words:
                return ALPINE
            return family
    for family, names in _FAMILY_WORDS:
        if tag_words & set(names):
            return family
    return None


# Tools each family's base images ship without installing anything (the minimal images).
_PRESENT = {
    DEBIAN: {"sh", "bash", "cat", "test", "ls", "grep", "sed", "awk", "kill", "pgrep", "ps"},
    RHEL: {"sh", "bash", "cat", "test", "ls", "grep", "sed", "awk", "kill", "curl"},
    ALPINE: {"sh", "cat", "test", "ls", "grep", "sed", "awk", "kill", "pgrep", "ps", "wget", "nc"},
    DISTROLESS: set(),
    SCRATCH: set(),
}
# Images known to carry the tool although their family's minimal base does not.
_IMAGE_TOOLS = {
    "curl": ("tritonserver", "text-generation-inference", "vllm-openai", "sglang", "ollama", "nim/", "torchserve",
             "buildpack-deps", "python:3", "rocm/", "l4t"),
    "wget": ("buildpack-deps", "rocm/"),
}
# Packages that provide a tool.
_PROVIDES = {"curl": {"curl", "libcurl4-openssl-dev"}, "wget": {"wget", "wget2"},
             "nc": {"netcat", "netcat-openbsd", "netcat-traditional", "nmap-ncat", "ncat"}}


def tool_present(tool: str, ref: ImageRef | None, family: str | None, installed: set[str]) -> bool | None:
    """Whether ``tool`` is in an image built on ``ref``: True, False, or None (cannot tell)."""
    if tool in _PROVIDES and installed & _PROVIDES[tool]:
        return True
    if tool not in _PROVIDES:
        return None  # only the HTTP clients are judged
    if ref is not None:
        text = f"{ref.registry}/{ref.repository}:{ref.tag or ''}".lower()
        if any(hint in text for hint in _IMAGE_TOOLS.get(tool, ())):
            return True
        if ref.repository.lower() in ("library/python", "python") and "slim" not in (ref.tag or ""):
            return True  # the full python images are buildpack-deps based
    if family is None:
        return None
    return tool in _PRESENT[family]


def family_of_stage(dockerfile: Dockerfile, stage: Stage) -> tuple[ImageRef | None, str | None]:
    """The external base image of a stage and its family (``scratch`` for FROM scratch)."""
    root = stage.ancestry()[-1]
    if root.base.lower() == "scratch":
        return None, SCRATCH
    ref, _ = stage_image(dockerfile, stage)
    return ref, base_family(ref)
