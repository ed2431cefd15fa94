"""Does a health-check command really ask the GPU? Shared by HEALTHCHECK and probe rules.

A command is read as the shell would run it: ``sh -c`` strings and exec arrays are split into
simple commands; ``python -c`` code and Python scripts are read with ``ast``; a GPU check whose
failure is hidden (``|| true``, a pipeline, ``;`` without ``set -e``) does not count.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable

from gpulint.artifacts.swallow import cannot_fail
from gpulint.core.records import Record
from gpulint.core.source import EmbeddedSource, Source, Span
from gpulint.syntax.python import PythonFile, parse_python
from gpulint.syntax.shell import SimpleCommand, command_string, is_shell, parse_shell, script_file

GPU = "gpu"
NVIDIA_SMI = "nvidia-smi"
HTTP = "http"
HIDDEN = "hidden"  # a GPU check whose failure cannot fail the health check
IGNORED = "ignored"  # a GPU query whose result never reaches the exit status
UNVERIFIED = "unverified"  # runs a script gpulint cannot read
NOT_GPU = "not-gpu"
_RANK = {GPU: 6, UNVERIFIED: 5, NVIDIA_SMI: 4, HIDDEN: 3, IGNORED: 2, HTTP: 1, NOT_GPU: 0}

_PYTHON = re.compile(r"^(python|python3|python3\.\d+|python2(\.\d+)?|pypy3?)$")
_HTTP_TOOLS = {"curl", "wget", "http", "https", "nc", "ncat", "grpc_health_probe", "grpcurl"}
_NEUTRAL = {"exit", "true", ":", "false", "echo", "printf", "test", "[", "sleep", "cat", "set", "return"}


class Verdict(Record):
    kind: str
    detail: str
    command: SimpleCommand | None = None
    script: Source | None = None  # the script read, if any
    where: Span | None = None  # for HIDDEN: where a script swallows the failure (the line to fix)

    @property
    def passes(self) -> bool:
        return self.kind in (GPU, NVIDIA_SMI, UNVERIFIED)


# Resolves a path a command runs (absolute or relative to the working directory) to what is
# known about it: a Source with its text, None if it is certainly absent, or a string reason
# why it cannot be read.
Resolver = Callable[[str], "Source | str | None"]


def judge_exec(argv: list[str], resolver: Resolver, depth: int = 0) -> Verdict:
    """An exec-form command: a list of arguments, no shell."""
    if not argv:
        return Verdict(NOT_GPU, "the command is empty")
    invoked = command_string(argv)
    if invoked is not None:
        return judge_shell(invoked.text, resolver, depth + 1, errexit=invoked.errexit)
    words = [_Word(w) for w in argv]
    command = SimpleCommand(words, 0, 0)  # type: ignore[arg-type]
    return _judge_command(command, resolver, depth)


def judge_shell(script: str, resolver: Resolver, depth: int = 0, errexit: bool = False) -> Verdict:
    """A shell-form command, run by ``/bin/sh -c``."""
    parsed = parse_shell(script, errexit=errexit)
    if not parsed.commands:
        return Verdict(NOT_GPU, "the command is empty")
    best: Verdict | None = None
    for command in parsed.commands:
        if command.in_function:
            continue
        verdict = _judge_command(command, resolver, depth)
        if verdict.kind in (GPU, NVIDIA_SMI) and (command.masked or command.negated):
            how = "negated with !" if command.negated else "hidden by what follows it (|| true, a pipe or ;)"
            verdict = Verdict(HIDDEN, f"{verdict.detail}, but its failure is {how}", command, verdict.script)
        if best is None or _RANK[verdict.kind] > _RANK[best.kind]:
            best = verdict
    return best or Verdict(NOT_GPU, "no command runs")


class _Word(Record):
    text: str
    start: int = 0
    end: int = 0


def _judge_command(command: SimpleCommand, resolver: Resolver, depth: int) -> Verdict:
    argv = command.argv()
    if not argv:
        return Verdict(NOT_GPU, "only variable assignments", command)
    name = os.path.basename(argv[0])
    if name in _NEUTRAL:
        return Verdict(NOT_GPU, f"`{name}` does not touch the GPU", command)
    if name == "nvidia-smi":
        return Verdict(NVIDIA_SMI, "runs nvidia-smi (the driver answers; CUDA is not exercised)", command)
    if name in _HTTP_TOOLS:
        return Verdict(HTTP, f"`{name}` checks a network endpoint, not the GPU", command)
    if is_shell(name):
        invoked = command_string(argv)
        if invoked is not None:
            return judge_shell(invoked.text, resolver, depth + 1, errexit=invoked.errexit)
        script = script_file(argv)
        if script is not None and depth < 4:
            return _judge_script_file(script, resolver, depth, command, shell=True)
        return Verdict(NOT_GPU, f"`{name}` with no script", command)
    if _PYTHON.match(name):
        return _judge_python(argv, resolver, depth, command)
    if depth < 4 and ("/" in argv[0] or argv[0].endswith((".py", ".sh"))):
        return _judge_script_file(argv[0], resolver, depth, command, shell=not argv[0].endswith(".py"))
    return Verdict(NOT_GPU, f"`{name}` is not a GPU check gpulint knows", command)


def _judge_python(argv: list[str], resolver: Resolver, depth: int, command: SimpleCommand) -> Verdict:
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "-c" and i + 1 < len(argv):
            code = argv[i + 1]
            return _judge_python_source(parse_python(Source(code, "<python -c>")), command, "python -c code")
        if arg == "-m" and i + 1 < len(argv):
            module = argv[i + 1]
            for candidate in (module.replace(".", "/") + ".py", module.replace(".", "/") + "/__main__.py"):
                found = resolver(candidate)
                if isinstance(found, Source):
                    package = posixpath.dirname(candidate)
                    return _judge_python_source(parse_python(found), command, f"module {module}",
                                                lambda name, base=package: resolver(posixpath.join(base, name))
                                                if base else resolver(name))
            return Verdict(UNVERIFIED, f"runs module {module}, which is not in the build context", command)
        if arg.startswith("-"):
            i += 2 if arg in ("-W", "-X") else 1
            continue
        return _judge_script_file(arg, resolver, depth, command, shell=False)
    return Verdict(NOT_GPU, "starts Python with no script", command)


def _judge_script_file(path: str, resolver: Resolver, depth: int, command: SimpleCommand,
                       shell: bool) -> Verdict:
    found = resolver(path)
    if found is None:
        return Verdict(NOT_GPU, f"runs {path}, which is not in the image (no COPY/ADD puts it there)", command)
    if isinstance(found, str):
        return Verdict(UNVERIFIED, f"runs {path}, which gpulint cannot read: {found}", command)
    if shell or not path.endswith(".py") and found.text.startswith("#!") and "python" not in found.text[:80]:
        verdict = judge_shell(found.text, resolver, depth + 1, errexit=_shebang_errexit(found.text))
        where = verdict.where
        if verdict.kind == HIDDEN and where is None and verdict.command is not None:
            where = Span(found, verdict.command.start, max(verdict.command.start, verdict.command.end))
        return Verdict(verdict.kind, f"{path}: {verdict.detail}", command, found, where)
    return _judge_python_source(parse_python(found), command, posixpath.basename(path),
                                lambda name: resolver(posixpath.join(posixpath.dirname(path), name)))


def _local_modules(script: PythonFile, resolve: Resolver | None) -> list[tuple[str, PythonFile]]:
    """Modules next to the script that it imports (``from gpu_checks import run``)."""
    if resolve is None or script.tree is None:
        return []
    from gpulint.syntax.python import local_imports, module_files

    found = []
    for module in local_imports(script.tree):
        for candidate in module_files(module):
            source = resolve(candidate)
            if isinstance(source, Source):
                found.append((module, parse_python(source)))
                break
    return found


def _judge_python_source(script: PythonFile, command: SimpleCommand, label: str,
                         resolve: Resolver | None = None) -> Verdict:
    if script.tree is None:
        message = script.problem[1] if script.problem else "cannot be parsed"
        return Verdict(NOT_GPU, f"{label}: {message}", command, script.source)
    uses = script.gpu_uses()
    decisive = [u for u in uses if u.decisive]
    if decisive:
        use = decisive[0]
        swallowed = cannot_fail(script)
        if swallowed is not None:
            return Verdict(HIDDEN, f"{label} calls {use.name} ({use.family}), but {swallowed.why}, "
                           "so a broken GPU still exits 0", command, script.source, _swallow_span(script, swallowed))
        return Verdict(GPU, f"{label} calls {use.name} ({use.family})", command, script.source)
    for module, library in _local_modules(script, resolve):
        helpers = [u for u in library.gpu_uses(library=True) if u.decisive]
        if helpers:
            return Verdict(GPU, f"{label} uses {module}, which calls {helpers[0].name} ({helpers[0].family})",
                           command, script.source)
    if uses:
        use = uses[0]
        return Verdict(IGNORED, f"{label} calls {use.name} but never lets the result decide the exit status",
                       command, script.source)
    return Verdict(NOT_GPU, f"{label} never calls torch.cuda, NVML or CuPy", command, script.source)


def _swallow_span(script: PythonFile, swallowed) -> Span:
    import ast

    node = swallowed.node
    if isinstance(node, ast.ExceptHandler):  # the `except` keyword
        start = script.source.offset(node.lineno, node.col_offset + 1)
        return Span(script.source, start, start + len("except"))
    return script.node_span(node)


def _shebang_errexit(text: str) -> bool:
    """``#!/bin/sh -e`` (or ``-eu``...): the script runs with errexit from its first line."""
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return False
    return any(word.startswith("-") and not word.startswith("--") and "e" in word for word in first[2:].split()[1:])


def describe_source(source: Source) -> str:
    return source.label if isinstance(source, EmbeddedSource) else source.rel_path
