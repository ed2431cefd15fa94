"""A Dockerfile's HEALTHCHECK: its options, its command, and whether the command asks the GPU."""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from gpulint.artifacts.dockerfile.context import origin_of, workdir_at
from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage
from gpulint.artifacts.gpucheck import Verdict, judge_exec, judge_shell
from gpulint.core.records import Record
from gpulint.core.source import Source, Span
from gpulint.syntax.shell import command_string, parse_shell

OPTIONS = ("interval", "timeout", "start-period", "start-interval", "retries")


class Healthcheck(Record):
    instruction: Instruction
    none: bool  # HEALTHCHECK NONE
    exec_argv: list[str] | None  # exec form
    shell: str | None  # shell form
    command_index: int  # index in instruction.args where the command starts

    @property
    def stage(self) -> Stage | None:
        return self.instruction.stage

    def command_span(self) -> Span:
        return self.instruction.args_span(self.command_index)


def parse_healthcheck(instruction: Instruction) -> Healthcheck:
    body = instruction.body
    base = instruction.body_index
    stripped = body.lstrip()
    lead = len(body) - len(stripped)
    word = stripped.split(None, 1)[0].upper() if stripped else ""
    if word == "NONE":
        return Healthcheck(instruction, True, None, None, base + lead)
    if word != "CMD":
        return Healthcheck(instruction, False, None, None, base + lead)
    rest = stripped[3:]
    command_index = base + lead + 3 + (len(rest) - len(rest.lstrip()))
    command = rest.strip()
    argv = None
    if command.startswith("["):
        import json

        try:
            value = json.loads(command)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                argv = value
        except ValueError:
            argv = None
    return Healthcheck(instruction, False, argv, None if argv is not None else command, command_index)


def effective_healthcheck(stage: Stage) -> Healthcheck | None:
    """The last HEALTHCHECK of the stage or of the stages it is built from (images inherit it)."""
    for ancestor in stage.ancestry():
        for instruction in reversed(ancestor.instructions):
            if instruction.keyword == "HEALTHCHECK":
                return parse_healthcheck(instruction)
    return None


def image_workdir(dockerfile: Dockerfile, stage: Stage) -> str:
    """The working directory a container of this stage's image starts in."""
    return workdir_at(dockerfile, stage, None)


def script_resolver(dockerfile: Dockerfile, stage: Stage):
    """Resolve a path the image runs (its health check, its entrypoint) to the file the build put
    there."""
    workdir = image_workdir(dockerfile, stage)

    def resolve(path: str) -> Source | str | None:
        absolute = posixpath.normpath(posixpath.join(workdir, path))
        origin = origin_of(dockerfile, stage, absolute, dockerfile.context)
        if origin.source is not None:
            return origin.source
        if origin.status == "missing":
            # Not copied into the image (a separate, cross-file rule says so); judge the build
            # context's file of that name, which is what the author meant to run.
            return dockerfile.context.read(posixpath.basename(absolute)) if dockerfile.context else None
        return origin.reason or "its origin is unknown"

    return resolve


def judge(dockerfile: Dockerfile, healthcheck: Healthcheck, stage: Stage) -> Verdict:
    """The verdict on a health check, computed once per instruction (several rules ask)."""
    cache = dockerfile.__dict__.setdefault("_verdicts", {})
    key = (id(healthcheck.instruction), stage.index)
    if key not in cache:
        resolver = script_resolver(dockerfile, stage)
        if healthcheck.exec_argv is not None:
            cache[key] = judge_exec(healthcheck.exec_argv, resolver)
        else:
            cache[key] = judge_shell(healthcheck.shell or "", resolver)
    return cache[key]


def http_paths(healthcheck: Healthcheck, resolve=None) -> list[str]:  # type: ignore[no-untyped-def]
    """The URL paths the check GETs with curl or wget (also inside ``sh -c`` and a copied ``.sh``
    script when ``resolve`` is given); empty when it runs anything else."""
    if healthcheck.exec_argv is not None:
        invoked = command_string(healthcheck.exec_argv)
        texts = [invoked.text if invoked is not None else " ".join(healthcheck.exec_argv)]
    else:
        texts = [healthcheck.shell or ""]
    paths: list[str] = []
    for depth in range(2):
        scripts: list[str] = []
        for text in texts:
            for command in parse_shell(text, errexit=False).commands:
                argv = command.argv()
                if not argv:
                    continue
                name = argv[0].rsplit("/", 1)[-1]
                invoked = command_string(argv)
                if invoked is not None:
                    texts.append(invoked.text)  # read in this same pass
                elif name in ("curl", "wget"):
                    urls = [w for w in argv[1:] if "://" in w or w.startswith(("localhost", "127.0.0.1"))]
                    for url in urls:
                        paths.append(urlsplit(url if "://" in url else "http://" + url).path or "/")
                elif argv[0].endswith(".sh") and resolve is not None and depth == 0:
                    script = resolve(argv[0])
                    if isinstance(script, Source):
                        scripts.append(script.text)
        texts = scripts
    return paths


def duration_seconds(text: str) -> float | None:
    """Docker durations: ``30s``, ``1m30s``, ``500ms``, ``1h``."""
    import re

    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    scale = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * scale[u] for n, u in parts)


def final_verdict(dockerfile: Dockerfile) -> tuple[Healthcheck, Verdict] | None:
    """The final image's runnable HEALTHCHECK with its verdict; None when there is none to judge
    (missing, NONE or without CMD: the missing-healthcheck rule reports those)."""
    stage = dockerfile.final_stage
    healthcheck = effective_healthcheck(stage) if stage is not None else None
    if healthcheck is None or healthcheck.none or (healthcheck.exec_argv is None and not healthcheck.shell):
        return None
    return healthcheck, judge(dockerfile, healthcheck, stage)
