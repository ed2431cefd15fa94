"""Which build stages of a Dockerfile reach the final image.

BuildKit builds only the stages the target needs: the final stage, the stages it is built
``FROM``, and the stages it (or one of those) copies from with ``COPY --from`` or mounts with
``RUN --mount=...,from=``, transitively. A stage nothing uses is skipped by BuildKit and adds
nothing to the image. ``--from`` and ``from=`` name a stage by name or index; any other value is
an image or a named build context (``docker buildx build --build-context NAME=...``), not a stage.
A value with a variable may name any earlier stage, so it keeps them all.
"""

from __future__ import annotations

from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage
from gpulint.core.records import Record


class Use(Record):
    stage: Stage  # the stage used
    by: Instruction  # the FROM, COPY or RUN that uses it


def _flags(instruction: Instruction) -> list[tuple[str, str]]:
    """Every leading ``--name=value`` option, repeated ones included (``--mount`` may repeat)."""
    return [(flag.name, flag.value) for flag in instruction.flag_list]


def mount_fields(value: str) -> dict[str, str]:
    """The fields of a ``--mount=type=...,from=...,target=...`` value (quotes around it dropped)."""
    fields = {}
    for item in value.strip("\"'").split(","):
        key, eq, val = item.partition("=")
        if eq:
            fields[key.strip().lower()] = val.strip()
    return fields


def _mount_sources(value: str) -> list[str]:
    """The ``from=`` of a ``--mount=type=...,from=stage,...`` value."""
    source = mount_fields(value).get("from")
    return [source] if source else []


def uses(dockerfile: Dockerfile, stage: Stage) -> list[Use]:
    """The earlier stages one stage uses directly."""
    found: list[Use] = []
    if stage.parent is not None:
        found.append(Use(stage.parent, stage.from_instruction))
    for instruction in stage.instructions:
        refs: list[str] = []
        for name, value in _flags(instruction) if instruction.keyword in ("COPY", "ADD", "RUN") else ():
            if name == "from" and instruction.keyword in ("COPY", "ADD"):
                refs.append(value)
            elif name == "mount" and instruction.keyword == "RUN":
                refs.extend(_mount_sources(value))
        for ref in refs:
            if "$" in ref:  # a variable: it may name any earlier stage
                found.extend(Use(s, instruction) for s in dockerfile.stages[:stage.index])
                continue
            earlier = dockerfile.stage_by_reference(ref, stage.index)
            if earlier is not None:
                found.append(Use(earlier, instruction))
    return found


def shipped_stages(dockerfile: Dockerfile) -> list[Stage]:
    """The final stage and every stage it needs, in file order."""
    final = dockerfile.final_stage
    if final is None:
        return []
    needed = {final.index: final}
    pending = [final]
    while pending:
        stage = pending.pop()
        for use in uses(dockerfile, stage):
            if use.stage.index not in needed:
                needed[use.stage.index] = use.stage
                pending.append(use.stage)
    return [needed[i] for i in sorted(needed)]
