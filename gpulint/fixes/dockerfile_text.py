"""Where and how to write into a Dockerfile: whole lines at instruction boundaries.

Positions come from the parsed instructions, whose spans cover their continuation lines,
comment lines inside them and heredoc bodies, so an insertion never lands inside an
instruction. Continuations use the file's escape character (``# escape=```).
"""

from __future__ import annotations

from gpulint.artifacts.dockerfile.model import KEYWORDS, Dockerfile, Instruction, Stage, parse_dockerfile
from gpulint.core.fix import Edit, Fix
from gpulint.core.source import Source, above_comments, line_start

# Instructions that only describe how the image runs: new build steps go before them.
RUNTIME_KEYWORDS = ("CMD", "ENTRYPOINT", "HEALTHCHECK", "EXPOSE", "STOPSIGNAL", "LABEL", "VOLUME")
BUILD_KEYWORDS = ("RUN", "COPY", "ADD")


def insert_before(dockerfile: Dockerfile, instruction: Instruction, lines: list[str]) -> Edit:
    """Whole lines before an instruction (and the comment lines that describe it)."""
    text = dockerfile.source.text
    at = above_comments(text, line_start(text, instruction.start))
    return Edit.insert(dockerfile.source, at, "".join(line + "\n" for line in lines))


def insert_after(dockerfile: Dockerfile, instruction: Instruction, lines: list[str]) -> Edit:
    """Whole lines after an instruction (after its continuation lines and heredocs)."""
    text = dockerfile.source.text
    newline = text.find("\n", instruction.end)
    if newline == -1:
        return Edit.insert(dockerfile.source, len(text), "".join("\n" + line for line in lines))
    return Edit.insert(dockerfile.source, newline + 1, "".join(line + "\n" for line in lines))


def replace_instruction(dockerfile: Dockerfile, instruction: Instruction, lines: list[str]) -> Edit:
    """An instruction (all of its lines) replaced by others."""
    return Edit(dockerfile.source, instruction.start, instruction.end, "\n".join(lines))


def last_build_step(stage: Stage) -> Instruction:
    """The stage's last RUN, COPY or ADD (its FROM when it has none): what comes after it
    no longer needs the build's privileges."""
    found = stage.from_instruction
    for instruction in stage.instructions:
        if instruction.keyword in BUILD_KEYWORDS:
            found = instruction
    return found


def runtime_tail(stage: Stage) -> Instruction | None:
    """The first CMD or ENTRYPOINT after the stage's last build step: the run-time settings
    that close a stage."""
    last = last_build_step(stage)
    after = stage.instructions[stage.instructions.index(last) + 1:] if last in stage.instructions else \
        stage.instructions
    return next((i for i in after if i.keyword in ("CMD", "ENTRYPOINT")), None)


def continued(dockerfile: Dockerfile, first: str, rest: list[str]) -> list[str]:
    """One instruction over several lines, joined with the file's escape character."""
    escape = dockerfile.escape
    lines = [first] + [f"    {line}" for line in rest]
    return [f"{line} {escape}" for line in lines[:-1]] + [lines[-1]]


def checked(dockerfile: Dockerfile, fix: Fix | None) -> Fix | None:
    """The fix, when the edited Dockerfile parses into the instructions it wrote (an unterminated
    heredoc or a dangling continuation would swallow them); otherwise None."""
    if fix is None:
        return None
    text = dockerfile.source.text
    replaced = 0
    written = 0
    for edit in sorted(fix.edits, key=lambda e: (e.start, e.end), reverse=True):
        if edit.source is not dockerfile.source:
            return None
        text = text[:edit.start] + edit.content + text[edit.end:]
        replaced += sum(1 for i in dockerfile.instructions if edit.start <= i.start and i.end <= edit.end
                        and edit.end > edit.start)
        continues = False
        for line in edit.content.split("\n"):
            words = line.split()
            if words and not continues and words[0].upper() in KEYWORDS:
                written += 1
            continues = line.rstrip().endswith(dockerfile.escape)
    edited = parse_dockerfile(Source(text, dockerfile.source.rel_path))
    if len(edited.instructions) != len(dockerfile.instructions) - replaced + written:
        return None
    return fix
