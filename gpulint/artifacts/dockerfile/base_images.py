"""The image each stage of a Dockerfile starts from, and the stages it copies from."""

from __future__ import annotations

from gpulint.syntax.images import ImageRef, parse_image


def stage_image(dockerfile, stage) -> tuple[ImageRef | None, object]:
    """The external image a stage is ultimately built on, and the FROM instruction naming it.

    ``FROM builder AS final`` follows the earlier stage; ``scratch`` and a reference that needs
    an unset build argument give None."""
    root = stage.ancestry()[-1]
    base = root.base
    if root.parent is None and dockerfile.stage_by_reference(base, root.index) is not None:
        return None, root.from_instruction
    if not base or base.lower() == "scratch" or "$" in base:
        return None, root.from_instruction
    return parse_image(base), root.from_instruction


def from_image_span(instruction):
    """The span of the image word of a FROM instruction (the whole FROM when it has none)."""
    body = instruction.args[instruction.body_index:]
    stripped = body.lstrip()
    if not stripped:
        return instruction.span()
    start = instruction.body_index + (len(body) - len(stripped))
    word = stripped.split()[0]
    return instruction.args_span(start, start + len(word))


def copies_from(dockerfile, stage) -> list:
    """Earlier stages whose files the stage (or a stage it is built on) copies with COPY --from."""
    found = []
    for ancestor in stage.ancestry():
        for instruction in ancestor.instructions:
            flag = instruction.flags.get("from") if instruction.keyword in ("COPY", "ADD") else None
            if flag is None:
                continue
            earlier = dockerfile.stage_by_reference(flag.value, ancestor.index)
            if earlier is not None and all(earlier is not seen for seen, _ in found):
                found.append((earlier, instruction))
    return found


# --------------------------------------------------------------------------- workflows
