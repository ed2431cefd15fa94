"""GL103 and GL104: a HEALTHCHECK that runs the project's GPU smoke test.

The project's smoke test is a script of the build context named like one (``smoke_test.py``,
``smoketest.py``, ``gpu_smoke_test.py``) that gpulint's own health-check judgment accepts as a
GPU check. When the final image already has it (a ``COPY`` puts it there), the HEALTHCHECK
runs it at that path; otherwise a ``COPY`` into the image's working directory (``/app`` when
there is none) goes in with it. Timings fit a torch import: ``--timeout`` at least 20 s and a
``--start-period`` for CUDA warm-up; options the author set that already fit are kept.
"""

from __future__ import annotations

import posixpath

from gpulint.artifacts.dockerfile.context import copy_arguments, origin_of, workdir_at
from gpulint.artifacts.dockerfile.healthcheck import Healthcheck, duration_seconds
from gpulint.artifacts.dockerfile.model import Dockerfile, Stage
from gpulint.artifacts.gpucheck import judge_exec
from gpulint.artifacts.smoketest import SMOKE_NAMES
from gpulint.core.fix import Edit, Fix
from gpulint.core.records import Record
from gpulint.core.source import Source
from gpulint.fixes.dockerfile_text import (
    checked,
    continued,
    insert_after,
    insert_before,
    last_build_step,
    replace_instruction,
    runtime_tail,
)

# Option values that fit a Python + torch + CUDA check (as the reference image uses).
DEFAULTS = {"interval": "30s", "timeout": "20s", "start-period": "60s", "retries": "3"}
MIN_TIMEOUT = 20.0


class SmokeTest(Record):
    path: str  # where the image has it (or will, once copied)
    source: Source
    copy_from: str | None  # the build-context path to COPY, when the image lacks it


def project_smoke_test(dockerfile: Dockerfile) -> SmokeTest | None:
    """The build context's GPU smoke test and where the final image has (or gets) it."""
    stage = dockerfile.final_stage
    context = dockerfile.context
    if stage is None or context is None:
        return None
    for name in SMOKE_NAMES:
        source = context.read(name)
        if source is None:
            continue
        path = _in_image(dockerfile, stage, name, source)
        copy_from = None
        if path is None:
            workdir = workdir_at(dockerfile, stage, None)
            path = posixpath.join(workdir if workdir != "/" else "/app", name)
            copy_from = name
        verdict = judge_exec(["python3", path], lambda p, s=source: s)
        if verdict.passes:
            return SmokeTest(path, source, copy_from)
    return None


def _in_image(dockerfile: Dockerfile, stage: Stage, name: str, source: Source) -> str | None:
    """The path at which a COPY of the final stage (or a stage it is built on) puts the file."""
    for ancestor in stage.ancestry():
        for instruction in ancestor.instructions:
            if instruction.keyword not in ("COPY", "ADD") or "from" in instruction.flags:
                continue
            parsed = copy_arguments(instruction)
            if parsed is None:
                continue
            dest = parsed[1]
            if not dest.startswith("/"):
                dest = posixpath.join(workdir_at(dockerfile, ancestor, instruction), dest)
            for candidate in (posixpath.join(dest, name), posixpath.normpath(dest)):
                origin = origin_of(dockerfile, stage, candidate, dockerfile.context)
                if origin.source is not None and origin.source.text == source.text:
                    return posixpath.normpath(candidate)
    return None


def healthcheck_lines(dockerfile: Dockerfile, smoke: SmokeTest, old: Healthcheck | None = None) -> list[str]:
    """``HEALTHCHECK --interval=… CMD ["python3", path]`` keeping the old options that fit."""
    options = dict(DEFAULTS)
    if old is not None:
        for name, flag in old.instruction.flags.items():
            if name in ("timeout", "start-period"):
                seconds = duration_seconds(flag.value.strip())
                if seconds is None or seconds < (MIN_TIMEOUT if name == "timeout" else 1):
                    continue
            options[name] = flag.value.strip()
    flags = " ".join(f"--{name}={value}" for name, value in options.items())
    command = f'CMD ["python3", "{smoke.path}"]'
    return continued(dockerfile, f"HEALTHCHECK {flags}", [command])


def _copy_line(smoke: SmokeTest) -> list[str]:
    return [f"COPY {smoke.copy_from} {smoke.path}"] if smoke.copy_from else []


def add_healthcheck(dockerfile: Dockerfile, replacing: Healthcheck | None = None) -> Fix | None:
    return checked(dockerfile, _add_healthcheck(dockerfile, replacing))


def replace_healthcheck(dockerfile: Dockerfile, healthcheck: Healthcheck) -> Fix | None:
    return checked(dockerfile, _replace_healthcheck(dockerfile, healthcheck))


def _add_healthcheck(dockerfile: Dockerfile, replacing: Healthcheck | None = None) -> Fix | None:
    """GL103: a HEALTHCHECK (and the COPY of the smoke test) in the final stage; a
    ``HEALTHCHECK NONE`` (or one without CMD) of the final stage is replaced."""
    stage = dockerfile.final_stage
    smoke = project_smoke_test(dockerfile)
    if stage is None or smoke is None:
        return None
    lines = _copy_line(smoke) + healthcheck_lines(dockerfile, smoke, replacing)
    what = f"run the GPU smoke test {smoke.path} as the HEALTHCHECK" + (
        f" (copying {smoke.copy_from} into the image)" if smoke.copy_from else "")
    if replacing is not None and replacing.instruction.stage is stage:
        return Fix.unsafe(what, replace_instruction(dockerfile, replacing.instruction, lines))
    return Fix.unsafe(what, _before_runtime(dockerfile, stage, lines))


def _replace_healthcheck(dockerfile: Dockerfile, healthcheck: Healthcheck) -> Fix | None:
    """GL104: the HEALTHCHECK's command replaced by the smoke test (an inherited one is
    overridden in the final stage)."""
    stage = dockerfile.final_stage
    smoke = project_smoke_test(dockerfile)
    if stage is None or smoke is None:
        return None
    lines = healthcheck_lines(dockerfile, smoke, healthcheck)
    what = f"replace the HEALTHCHECK's command with the GPU smoke test {smoke.path}" + (
        f" (copying {smoke.copy_from} into the image)" if smoke.copy_from else "")
    if healthcheck.instruction.stage is stage:
        edits = [replace_instruction(dockerfile, healthcheck.instruction, lines)]
        if smoke.copy_from:
            edits.insert(0, insert_before(dockerfile, healthcheck.instruction, _copy_line(smoke)))
        return Fix.unsafe(what, *edits)
    return Fix.unsafe(what, _before_runtime(dockerfile, stage, _copy_line(smoke) + lines))


def _before_runtime(dockerfile: Dockerfile, stage: Stage, lines: list[str]) -> Edit:
    tail = runtime_tail(stage)
    if tail is not None:
        return insert_before(dockerfile, tail, lines)
    last = stage.instructions[-1] if stage.instructions else last_build_step(stage)
    return insert_after(dockerfile, last, lines)
