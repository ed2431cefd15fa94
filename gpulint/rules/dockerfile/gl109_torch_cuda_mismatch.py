from __future__ import annotations

import os
import posixpath

from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.context import origin_of, workdir_at
from gpulint.artifacts.dockerfile.base_images import stage_image
from gpulint.syntax.images import cuda_of, wheel_cuda
from gpulint.syntax.shell import parse_shell, split_words
from gpulint.rules.base import Rule
from gpulint.core.source import Span

_TORCH = ("torch", "torchvision", "torchaudio")
_INDEX_FLAGS = ("--index-url", "-i", "--extra-index-url", "-f", "--find-links")


class TorchCudaMismatch(Rule):
    """
    ## What it does
    Compares the CUDA version of the PyTorch wheels a stage installs with the CUDA version of
    the stage's base image. The wheel's CUDA is read from the PyTorch index URL
    (`--index-url https://download.pytorch.org/whl/cu121`, also `--extra-index-url`, `-f`)
    or a local version (`torch==2.3.0+cu121`) in a `pip install` (also `python -m pip`,
    `uv pip`) of a `RUN`, or in a requirements file the `RUN` installs with `-r` (followed into
    the build context). A different major version is an error, a different minor version a
    warning, and the CPU-only index (`/whl/cpu`, `+cpu`) on a CUDA image is an error.

    ## Why is this bad?
    PyTorch wheels bundle their own CUDA runtime. A `cu118` wheel on a CUDA 12 image ships a
    second CUDA stack next to the image's, custom CUDA extensions built with the image's nvcc
    no longer match `torch.version.cuda`, and the driver requirement the image declares is not
    the one the code needs. The CPU wheel simply has no CUDA: `torch.cuda.is_available()` is
    false on every GPU node, and the pods serve on CPU or crash.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
    RUN pip install --index-url https://download.pytorch.org/whl/cu118 torch==2.3.0
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
    RUN pip install --index-url https://download.pytorch.org/whl/cu124 torch==2.4.1
    ```

    ## Fix
    Install the wheels built for the image's CUDA version (`cu124` on a 12.4 image), or change
    the base image to the CUDA version of the wheels.
    """

    id = "GL109"
    name = "torch-cuda-mismatch"
    severity = Severity.WARNING
    kind = "dockerfile"
    criterion = None
    summary = "the PyTorch wheel index (cu121, cpu, ...) does not match the base image's CUDA version"
    fix = "install torch from the index of the image's CUDA version (cu124 for CUDA 12.4)"

    def check(self, dockerfile, project):
        for stage in dockerfile.stages:
            ref, _ = stage_image(dockerfile, stage)
            cuda = cuda_of(ref)
            if cuda is None:
                continue
            for instruction in stage.instructions:
                if instruction.keyword != "RUN" or instruction.heredocs or instruction.exec_form() is not None:
                    continue
                for span, text, wheel in _wheels(dockerfile, stage, instruction):
                    report = self._judge(span, text, wheel, cuda, ref)
                    if report is not None:
                        yield report
                        break

    def _judge(self, span, text, wheel, cuda, ref):
        image = f"{ref.short}:{ref.tag}"
        if wheel == "cpu":
            return self.report(span, f"`{text}` installs the CPU-only PyTorch build on {image} (CUDA "
                                     f"{cuda.version}): torch.cuda.is_available() is false on every GPU node",
                               severity=Severity.ERROR,
                               fix=f"use https://download.pytorch.org/whl/cu{cuda.major}{cuda.minor}")
        if wheel == cuda.key():
            return None
        major = wheel[0] != cuda.major
        return self.report(span, f"`{text}` installs PyTorch built for CUDA {wheel[0]}.{wheel[1]}, but the "
                                 f"stage's base image {image} has CUDA {cuda.version}",
                           severity=Severity.ERROR if major else Severity.WARNING,
                           fix=f"use the cu{cuda.major}{cuda.minor} wheels (or a CUDA {wheel[0]}.{wheel[1]} base image)")


def _wheel_of(text: str, torch_spec: bool):
    """cpu, (major, minor) or None for an index URL or a ``torch==x+cuNNN`` spec."""
    lowered = text.lower()
    if torch_spec:
        name = lowered.split("==")[0].split(">=")[0].split("[")[0].strip()
        if name not in _TORCH or "+" not in lowered:
            return None
        local = lowered.rsplit("+", 1)[1]
        return "cpu" if local == "cpu" else wheel_cuda(local)
    if "download.pytorch.org" not in lowered:
        return None
    if lowered.rstrip("/").endswith("/whl/cpu") or "/whl/cpu/" in lowered:
        return "cpu"
    return wheel_cuda(lowered.rsplit("/whl/", 1)[-1])


def _pip_install_args(argv: list[str]) -> list[int] | None:
    """Indexes (into argv) of the arguments after ``install`` when argv is a pip install."""
    if not argv:
        return None
    name = os.path.basename(argv[0])
    i = None
    if name.startswith("pip") and argv[1:2] == ["install"]:
        i = 2
    elif name.startswith("python") and argv[1:4] == ["-m", "pip", "install"]:
        i = 4
    elif name == "uv" and argv[1:3] == ["pip", "install"]:
        i = 3
    return list(range(i, len(argv))) if i is not None else None


def _wheels(dockerfile, stage, instruction):
    body = instruction.body
    script = parse_shell(body, errexit=True)
    for command in script.commands:
        argv = command.argv()
        indexes = _pip_install_args(argv)
        if indexes is None:
            continue
        for n, i in enumerate(indexes):
            arg = argv[i]
            word = command.word_at(i)
            flag, eq, value = arg.partition("=")
            if flag in _INDEX_FLAGS and eq:
                wheel = _wheel_of(value, False)
            elif arg in _INDEX_FLAGS and i + 1 < len(argv):
                wheel, word = _wheel_of(argv[i + 1], False), command.word_at(i + 1)
                arg = f"{arg} {argv[i + 1]}"
            elif i > 0 and argv[i - 1] in _INDEX_FLAGS:
                continue
            elif arg in ("-r", "--requirement") and i + 1 < len(argv):
                yield from _requirements(dockerfile, stage, instruction, argv[i + 1])
                continue
            elif not arg.startswith("-"):
                wheel = _wheel_of(arg, True)
            else:
                continue
            if wheel is not None and word is not None:
                start = instruction.body_index + word.start
                yield instruction.args_span(start, instruction.body_index + word.end), arg, wheel


def _requirements(dockerfile, stage, instruction, path: str):
    context = dockerfile.context
    if context is None or "$" in path:
        return
    target = path if path.startswith("/") else posixpath.join(workdir_at(dockerfile, stage, instruction), path)
    origin = origin_of(dockerfile, stage, target, context, upto=instruction)
    source = origin.source
    if source is None:
        return
    offset = 0
    for line in source.text.split("\n"):
        content = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        lead = len(line) - len(line.lstrip())
        words = split_words(content)
        wheel = None
        if words and words[0] in _INDEX_FLAGS and len(words) > 1:
            wheel = _wheel_of(words[1], False)
        elif words and words[0].split("=", 1)[0] in _INDEX_FLAGS and "=" in words[0]:
            wheel = _wheel_of(words[0].split("=", 1)[1], False)
        elif words and not words[0].startswith("-"):
            wheel = _wheel_of(words[0], True)
        if wheel is not None:
            yield Span(source, offset + lead, offset + lead + len(content)), content, wheel
        offset += len(line) + 1
