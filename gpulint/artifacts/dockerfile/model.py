"""A Dockerfile parsed into instructions and stages that keep their source spans.

Hand-written because dockerfile-parse (the well-kept Python parser) reads BuildKit heredoc
bodies as instructions, keeps a byte-order mark in the first keyword and has no columns; the
tests compare this lexer's instruction lines with dockerfile-parse's on real Dockerfiles
without heredocs. The lexer follows BuildKit: parser directives (``# escape=``), line
continuations with comment and blank lines inside them, heredocs, case-insensitive keywords.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cached_property
from typing import Any

from gpulint.artifacts.dockerfile.expansion import BUILDKIT_ARGS, expand, parse_arg
from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span

KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$")
_HEREDOC = re.compile(r"<<(-?)(['\"]?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_FLAG = re.compile(r"--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?")


class Heredoc(Record):
    delimiter: str
    body: str
    start: int  # offset of the body's first character in the source
    strip_tabs: bool


class Flag(Record):
    name: str
    value: str
    start: int  # index into Instruction.args
    end: int


class Instruction(Record):
    source: Source
    keyword: str  # upper case
    start: int  # offset of the keyword
    end: int  # offset after the last character of the instruction (heredocs included)
    args: str  # arguments with continuations joined and comment lines dropped
    arg_offsets: list[int]  # source offset of each character of ``args``, plus one for the end
    heredocs: list[Heredoc] = field(default_factory=list)
    flags: dict[str, Flag] = field(default_factory=dict)  # by name, the last of a repeated flag
    flag_list: list[Flag] = field(default_factory=list)  # every leading flag in order (`--mount` may repeat)
    body_index: int = 0  # index in ``args`` where the arguments after the flags begin
    # The heredocs were written `<< 'EOF'` (with a space): bash reads them, BuildKit does not.
    spaced_heredoc: bool = False
    stage: Stage | None = None

    @property
    def line(self) -> int:
        return self.source.position(self.start).line

    @property
    def body(self) -> str:
        return self.args[self.body_index:]

    def span(self) -> Span:
        return Span(self.source, self.start, self.end)

    def keyword_span(self) -> Span:
        return Span(self.source, self.start, self.start + len(self.keyword))

    def args_span(self, start: int = 0, end: int | None = None) -> Span:
        """The source span of ``args[start:end]`` (indexes into the joined arguments)."""
        n = len(self.args)
        end = n if end is None else end
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if start == end:
            s = self.arg_offsets[start]
            return Span(self.source, s, s)
        return Span(self.source, self.arg_offsets[start], self.arg_offsets[end - 1] + 1)

    def body_span(self) -> Span:
        return self.args_span(self.body_index)

    def exec_form(self) -> list[str] | None:
        """The arguments as a JSON array of strings (exec form), or None for shell form."""
        text = self.body.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None


class Stage(Record):
    index: int
    from_instruction: Instruction
    base: str  # image reference as written (variables expanded where known)
    name: str | None  # the AS name, lower case
    parent: Stage | None = None  # the earlier stage this one is built FROM, if any
    instructions: list[Instruction] = field(default_factory=list)

    def ancestry(self) -> list[Stage]:
        """This stage then the stages it is built from, nearest first."""
        chain, seen, stage = [], set(), self
        while stage is not None and stage.index not in seen:
            seen.add(stage.index)
            chain.append(stage)
            stage = stage.parent
        return chain


class Dockerfile(Record):
    source: Source
    escape: str = "\\"
    directives: dict[str, str] = field(default_factory=dict)
    instructions: list[Instruction] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    global_args: dict[str, str | None] = field(default_factory=dict)
    problems: list[tuple[Span, str]] = field(default_factory=list)
    context: Any = None  # the BuildContext COPY reads from, set by the loader
    # No line of the file is a Dockerfile instruction (YAML or shell saved under a Dockerfile name):
    # ``problems`` then holds the one finding that says so, and rules do not judge the file.
    not_a_dockerfile: bool = False
    # The stage every CI build of the file names with `--target` (set by the project layer once
    # its pipelines are read): the image that ships, and what `final_stage` answers.
    built_target: str | None = None

    kind = "dockerfile"

    @cached_property
    def variables_seen(self) -> dict[tuple[int, int], dict[str, str | None]]:
        """``variables.stage_variables``' answers by (stage, instruction), filled as they are asked."""
        return {}

    @property
    def final_stage(self) -> Stage | None:
        """The stage the image is: the one CI builds with `--target` (``built_target``), else the
        last one, as `docker build` without `--target` builds."""
        if self.built_target is not None:
            for stage in self.stages:
                if stage.name == self.built_target:
                    return stage
        return self.stages[-1] if self.stages else None

    def stage_by_reference(self, ref: str, before: int) -> Stage | None:
        """The earlier stage an image reference or ``--from`` value names (by name or index)."""
        ref_lower = ref.lower()
        for stage in self.stages[:before]:
            if stage.name == ref_lower:
                return stage
        if ref.isdigit() and int(ref) < before:
            return self.stages[int(ref)]
        return None


def _directives(lines: list[tuple[int, str]]) -> tuple[dict[str, str], int]:
    found: dict[str, str] = {}
    for index, (_, line) in enumerate(lines):
        match = _DIRECTIVE.match(line.strip())
        if not match or match.group(1).lower() in found:
            return found, index
        found[match.group(1).lower()] = match.group(2)
    return found, len(lines)


def _continues(line: str, escape: str) -> bool:
    return line.rstrip(" \t\r").endswith(escape)


def parse_dockerfile(source: Source) -> Dockerfile:
    text = source.text
    lines: list[tuple[int, str]] = []  # (offset, line without its newline)
    offset = 0
    for raw in text.split("\n"):
        lines.append((offset, raw))
        offset += len(raw) + 1

    dockerfile = Dockerfile(source)
    unknown: list[tuple[int, Instruction, str]] = []  # (instructions before it, instruction, keyword as written)
    dockerfile.directives, first = _directives(lines)
    escape = dockerfile.directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        dockerfile.problems.append((Span.at_line(source, 1), f"invalid escape directive {escape!r}; use \\ or `"))
        escape = "\\"
    dockerfile.escape = escape

    i = first
    while i < len(lines):
        line_start, line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        lead = len(line) - len(line.lstrip())
        keyword_start = line_start + lead
        word = line.lstrip().split(None, 1)[0]
        keyword_raw = word.rstrip("\r")
        # Gather the logical line: continuation lines, skipping comment and blank lines inside.
        chars: list[str] = []
        offsets: list[int] = []
        segment_start = lead + len(keyword_raw)
        end = line_start + len(line.rstrip("\r"))
        j = i
        segment = line[segment_start:]
        seg_offset = line_start + segment_start
        while True:
            body = segment.rstrip("\r")
            cont = _continues(body, escape)
            if cont:
                body = body.rstrip(" \t")[:-1]
            chars.append(body)
            offsets.extend(range(seg_offset, seg_offset + len(body)))
            end = seg_offset + len(segment.rstrip("\r"))
            if not cont:
                break
            j += 1
            while j < len(lines) and (not lines[j][1].strip() or lines[j][1].lstrip().startswith("#")):
                j += 1
            if j >= len(lines):
                dockerfile.problems.append((Span(source, keyword_start, end),
                                            "the last instruction ends with a line continuation"))
                break
            seg_offset, segment = lines[j]
        args_full = "".join(chars)  # one piece per physical line; ``offsets`` has one per character
        lstripped = args_full.lstrip()
        skip = len(args_full) - len(lstripped)
        args = lstripped.rstrip()
        arg_offsets = offsets[skip:skip + len(args)]
        arg_offsets.append(arg_offsets[-1] + 1 if arg_offsets else end)
        keyword = keyword_raw.upper()
        instruction = Instruction(source, keyword, keyword_start, end, args, arg_offsets)
        i = j + 1
        if keyword in ("RUN", "COPY", "ADD") and "<<" in args:
            # `<< EOF` (with a space) is a heredoc since BuildKit 0.22 (Docker 28.2, moby/buildkit#5817):
            # read so, with no finding (``spaced_heredoc`` records it for older builders' sake)
            i = _read_heredocs(instruction, lines, i)
        _parse_flags(instruction)
        if keyword not in KEYWORDS:
            unknown.append((len(dockerfile.instructions), instruction, keyword_raw))
            continue
        dockerfile.instructions.append(instruction)
    _report_unknown(dockerfile, unknown)
    _build_stages(dockerfile)
    return dockerfile


_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")
# `RUN python << 'EOF'`: bash accepts the space, BuildKit does not (a heredoc is one word, `<<EOF`).
_SPACED_HEREDOC = re.compile(r"<<(-?)[ \t]+(['\"]?)([A-Za-z_][A-Za-z0-9_.-]*)\2")


def _report_unknown(dockerfile: Dockerfile, unknown: list[tuple[int, Instruction, str]]) -> None:
    """One finding per cause, not one per line: a file with no instruction at all is not a
    Dockerfile; merge-conflict markers are one finding; a run of unknown lines with no instruction
    between them (the body of a heredoc BuildKit does not see as one) is one finding."""
    if not unknown:
        return
    has_from = any(i.keyword == "FROM" for i in dockerfile.instructions)
    if not has_from and len(unknown) >= len(dockerfile.instructions):
        first = unknown[0][1]
        dockerfile.not_a_dockerfile = True
        dockerfile.problems.append((first.keyword_span(),
                                    f"this file is not a Dockerfile: it has no FROM and {len(unknown)} of its "
                                    f"{len(unknown) + len(dockerfile.instructions)} lines are not Dockerfile "
                                    f"instructions (line {first.line} starts with {unknown[0][2]!r}); not linted"))
        return
    conflicts = [(i, ins, raw) for i, ins, raw in unknown if raw.startswith(_CONFLICT_MARKERS)]
    if conflicts:
        lines = ", ".join(str(ins.line) for _, ins, _ in conflicts)
        dockerfile.problems.append((conflicts[0][1].keyword_span(),
                                    f"unresolved merge-conflict markers (lines {lines}): the Dockerfile does not "
                                    "build until the conflict is resolved"))
    runs: list[list[tuple[int, Instruction, str]]] = []  # unknown lines with no instruction between them
    for item in unknown:
        if item[2].startswith(_CONFLICT_MARKERS):
            continue
        if runs and runs[-1][-1][0] == item[0]:
            runs[-1].append(item)
        else:
            runs.append([item])
    for run in runs:
        position, first, raw = run[0]
        guess = difflib.get_close_matches(first.keyword, sorted(KEYWORDS), n=1)
        message = f"unknown instruction {raw!r}" + (f"; did you mean {guess[0]}?" if guess and len(run) == 1 else "")
        if len(run) > 1:
            message += f" (and {len(run) - 1} more lines up to line {run[-1][1].line} that are not instructions)"
        dockerfile.problems.append((first.keyword_span(), message))


def _read_heredocs(instruction: Instruction, lines: list[tuple[int, str]], i: int) -> int:
    matches = list(_HEREDOC.finditer(instruction.args))
    if not matches:  # `<< 'EOF'`: read as the author meant it (and reported), so one slip is one finding
        matches = list(_SPACED_HEREDOC.finditer(instruction.args))
        instruction.spaced_heredoc = bool(matches)
    for match in matches:
        strip_tabs, delimiter = match.group(1) == "-", match.group(3)
        body_lines: list[str] = []
        body_start = lines[i][0] if i < len(lines) else instruction.end
        while i < len(lines):
            candidate = lines[i][1].rstrip("\r")
            if (candidate.lstrip("\t") if strip_tabs else candidate) == delimiter:
                instruction.end = lines[i][0] + len(candidate)
                i += 1
                break
            body_lines.append(candidate.lstrip("\t") if strip_tabs else candidate)
            instruction.end = lines[i][0] + len(candidate)
            i += 1
        instruction.heredocs.append(Heredoc(delimiter, "\n".join(body_lines), body_start, strip_tabs))
    return i


def _parse_flags(instruction: Instruction) -> None:
    """Leading ``--name=value`` options (FROM, RUN, COPY, ADD, HEALTHCHECK)."""
    args, pos = instruction.args, 0
    while True:
        while pos < len(args) and args[pos] in " \t":
            pos += 1
        match = _FLAG.match(args, pos)
        if not match or instruction.keyword in ("CMD", "ENTRYPOINT", "ENV", "LABEL", "ARG", "USER"):
            break
        flag = Flag(match.group(1).lower(), match.group(2) or "", match.start(), match.end())
        instruction.flags[flag.name] = flag
        instruction.flag_list.append(flag)
        pos = match.end()
    instruction.body_index = pos


def _build_stages(dockerfile: Dockerfile) -> None:
    stage: Stage | None = None
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            words = instruction.body.split()
            base = words[0] if words else ""
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            expanded = expand(base, {**BUILDKIT_ARGS, **dockerfile.global_args}).value or base
            index = len(dockerfile.stages)
            stage = Stage(index, instruction, expanded, name)
            stage.parent = dockerfile.stage_by_reference(expanded, index)
            dockerfile.stages.append(stage)
            if not words:
                dockerfile.problems.append((instruction.keyword_span(), "FROM needs an image"))
        elif stage is None:
            if instruction.keyword == "ARG":
                for name, value in parse_arg(instruction.body):
                    if value is None:  # no default: BuildKit's automatic value, else unset
                        value = BUILDKIT_ARGS.get(name)
                    else:  # a default may use the global ARGs declared before it
                        value = expand(value, {**BUILDKIT_ARGS, **dockerfile.global_args}, dockerfile.escape).value
                    dockerfile.global_args[name] = value
            else:
                dockerfile.problems.append((instruction.keyword_span(),
                                            f"{instruction.keyword} before the first FROM; only ARG may come first"))
            continue
        instruction.stage = stage
        stage.instructions.append(instruction)
