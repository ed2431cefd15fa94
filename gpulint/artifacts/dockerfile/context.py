"""Where a file inside the image comes from: following COPY/ADD back into the build context.

A HEALTHCHECK runs ``python3 /app/smoke_test.py``; to judge that script gpulint must read the
file that ends up at that path: ``WORKDIR`` and relative destinations are followed, ``COPY
--from=stage`` is traced into the earlier stage, and a ``COPY <<EOF`` heredoc is its own source.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
from functools import lru_cache
from pathlib import Path
from typing import Any

from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage
from gpulint.artifacts.dockerfile.variables import expand, stage_variables
from gpulint.core.records import Record, field
from gpulint.core.source import Source
from gpulint.syntax.shell import parse_shell, split_words


class BuildContext(Record):
    """The files ``docker build`` would send: a folder of the scanned tree, or files given inline
    (lab answers). ``files`` is the project's one reader (``gpulint.project.files.ProjectFiles``):
    every question about the folders goes through it.

    The context folder of a Dockerfile is not written in it: ``docker build .`` from the
    Dockerfile's folder, or ``docker build -f docker/Dockerfile .`` from the repository root, as
    real projects do for Dockerfiles kept in ``docker/`` or ``.devops/``. ``fallbacks`` are the
    folders above, up to the scanned root: a path not in the Dockerfile's folder is looked up
    there, so a file is "missing" only when it is in no folder the build could use.
    """

    directory: Path | None
    inline: dict[str, Source] = field(default_factory=dict)
    files: Any = None
    fallbacks: tuple[Path, ...] = ()

    def _folders(self) -> list[Path]:
        if self.files is None:
            return []
        return ([self.directory] if self.directory is not None else []) + list(self.fallbacks)

    def read(self, rel: str) -> Source | None:
        rel = posixpath.normpath(rel.lstrip("/"))
        if rel in self.inline:
            return self.inline[rel]
        if rel.startswith(".."):
            return None
        for folder in self._folders():
            if self.files.is_file(folder / rel):
                return self.files.read(folder / rel)
        return None

    def exists(self, rel: str) -> bool:
        rel = posixpath.normpath(rel.lstrip("/"))
        if rel in self.inline or rel == ".":
            return True
        return not rel.startswith("..") and any(self.files.exists(folder / rel) for folder in self._folders())

    def is_dir(self, rel: str) -> bool:
        rel = posixpath.normpath(rel.lstrip("/"))
        if rel == ".":
            return True
        if any(k.startswith(rel + "/") for k in self.inline):
            return True
        return not rel.startswith("..") and any(self.files.is_dir(folder / rel) for folder in self._folders())

    def names(self) -> list[str]:
        found = list(self.inline)
        if self.directory is not None and self.files is not None:
            found += self.files.names(self.directory)
        return found

    def files_under(self, rel: str) -> list[str]:
        """Paths, relative to the Dockerfile's folder, of the files at or below ``rel``."""
        rel = posixpath.normpath(rel.lstrip("/"))
        if self.directory is None or self.files is None or rel.startswith(".."):
            return []
        base = self.files.rel(self.directory)
        if base is None:
            return []
        prefix = base + "/" if base else ""
        return [f[len(prefix):] for f in self.files.files_under(self.directory / rel)]


class Origin(Record):
    """What is known about the file at a path inside the image."""

    status: str  # context | inline | missing | unknown
    source: Source | None = None  # the file's text, when it could be read
    context_path: str | None = None
    instruction: Instruction | None = None  # the COPY/ADD that put it there
    reason: str = ""


def dockerignore_files(dockerfile: Path, context: Path) -> list[Path]:
    """Where a build's ignore file is looked for, the first that exists wins: `<Dockerfile>.dockerignore`
    beside the Dockerfile, then `.dockerignore` at the root of the context (BuildKit's order, which
    GL112 follows through the project's reader)."""
    return [dockerfile.with_name(dockerfile.name + ".dockerignore"), context / ".dockerignore"]


def workdir_at(dockerfile: Dockerfile, stage: Stage, upto: Instruction | None) -> str:
    """The working directory in effect before ``upto`` (inherited from parent stages)."""
    workdir = "/"
    for ancestor in reversed(stage.ancestry()):
        for instruction in ancestor.instructions:
            if instruction is upto:
                return workdir
            if instruction.keyword == "WORKDIR":
                variables = stage_variables(dockerfile, ancestor, instruction)
                target = expand(instruction.body.strip(), variables, dockerfile.escape).value or ""
                workdir = posixpath.normpath(posixpath.join(workdir, target)) if target else workdir
    return workdir


def copy_arguments(instruction: Instruction) -> tuple[list[str], str] | None:
    """Sources and destination of a COPY/ADD, exec or shell form."""
    found = _copy_words(instruction.body)
    return None if found is None else (list(found[0]), found[1])


@lru_cache(maxsize=4096)
def _copy_words(text: str) -> tuple[tuple[str, ...], str] | None:
    """Split once per distinct instruction text: every path traced through the image asks again."""
    body = text.strip()
    words: list[str]
    if body.startswith("["):
        try:
            value = json.loads(body)
            words = [w for w in value if isinstance(w, str)]
        except ValueError:
            return None
    else:
        words = split_words(body)
    if len(words) < 2:
        return None
    return tuple(words[:-1]), words[-1]


def origin_of(dockerfile: Dockerfile, stage: Stage, path: str, context: BuildContext,
              upto: Instruction | None = None, depth: int = 0) -> Origin:
    """Trace the file at ``path`` (absolute, in ``stage``'s filesystem) back to its source."""
    if depth > 8:
        return Origin("unknown", reason="COPY --from chain too long")
    path = posixpath.normpath(path)
    for ancestor in stage.ancestry():
        instructions = ancestor.instructions
        if ancestor is stage and upto is not None and upto in instructions:
            instructions = instructions[: instructions.index(upto)]
        for instruction in reversed(instructions):
            if instruction.keyword == "RUN" and _run_writes(instruction, path):
                source = _run_copy_source(instruction, path, workdir_at(dockerfile, ancestor, instruction))
                if source is not None:  # `cp .devops/healthcheck.sh /app/full/healthcheck.sh`: follow the copy
                    return origin_of(dockerfile, ancestor, source, context, instruction, depth + 1)
                return Origin("unknown", instruction=instruction,
                              reason=f"{path} may be written by the RUN on line {instruction.line}")
            if instruction.keyword not in ("COPY", "ADD"):
                continue
            found = _match_copy(dockerfile, ancestor, instruction, path, context, depth)
            if found is not None:
                return found
    return Origin("missing", reason=f"no COPY or ADD puts {path} into the image")


def _run_writes(instruction: Instruction, path: str) -> bool:
    """A RUN step names the file (``cp .devops/healthcheck.sh /app/full/healthcheck.sh``): it may
    create it, which no COPY shows."""
    name = posixpath.basename(path)
    if not name or name not in instruction.args and not any(name in h.body for h in instruction.heredocs):
        return False
    scripts = [instruction.body] + [h.body for h in instruction.heredocs]
    return any(w.text == path or w.text.endswith("/" + name) or w.text == name
               for script in scripts for c in parse_shell(script, errexit=False).commands
               if not c.words or c.words[0].text.rsplit("/", 1)[-1] not in _KEEPS_CONTENT
               for w in c.words[1:])


# Commands that change a file's mode or owner, or read it, never its content.
_KEEPS_CONTENT = frozenset({"chmod", "chown", "chgrp", "ls", "cat", "test", "[", "stat", "file", "sha256sum",
                            "md5sum", "head", "tail", "wc", "grep"})


def _run_copy_source(instruction: Instruction, path: str, workdir: str) -> str | None:
    """The file a RUN's plain ``cp SRC DEST`` (or ``install``) copies to ``path``, absolute."""
    for command in parse_shell(instruction.body, errexit=False).commands:
        argv = command.argv()
        if len(argv) < 3 or argv[0].rsplit("/", 1)[-1] not in ("cp", "install"):
            continue
        operands = [w for w in argv[1:] if not w.startswith("-")]
        if len(operands) != 2 or any(ch in "".join(operands) for ch in "$*?["):
            continue
        src, dest = (posixpath.normpath(posixpath.join(workdir, w)) for w in operands)
        if dest == path or posixpath.join(dest, posixpath.basename(src)) == path:
            return src
    return None


def _match_copy(dockerfile: Dockerfile, stage: Stage, instruction: Instruction, path: str,
                context: BuildContext, depth: int) -> Origin | None:
    variables = stage_variables(dockerfile, stage, instruction)
    if instruction.heredocs:
        parsed = copy_arguments(instruction)
        dest = parsed[1] if parsed else ""
        dest = _absolute(dockerfile, stage, instruction, expand(dest, variables).value or dest)
        for heredoc in instruction.heredocs:
            target = posixpath.join(dest, heredoc.delimiter) if dest.endswith("/") else dest
            if posixpath.normpath(target) == path:
                from gpulint.core.source import EmbeddedSource

                offsets = list(range(heredoc.start, heredoc.start + len(heredoc.body) + 1))
                source = EmbeddedSource(heredoc.body, dockerfile.source.rel_path, dockerfile.source, offsets,
                                        f"{dockerfile.source.rel_path} heredoc {heredoc.delimiter}")
                return Origin("inline", source, None, instruction)
        return None
    parsed = copy_arguments(instruction)
    if parsed is None:
        return None
    sources, dest_raw = parsed
    dest = _absolute(dockerfile, stage, instruction, expand(dest_raw, variables).value or dest_raw)
    dest_is_dir = dest_raw.endswith("/") or dest.endswith("/") or len(sources) > 1  # `COPY x .` is a folder
    from_flag = instruction.flags.get("from")
    for src_raw in sources:
        src = expand(src_raw, variables).value or src_raw
        if src.startswith(("http://", "https://", "git@")):
            continue
        candidates = [posixpath.join(dest, posixpath.basename(src.rstrip("/")))] if dest_is_dir else [dest]
        if not dest_is_dir:  # `COPY x /app` copies into /app when /app is a directory of the image
            candidates.append(posixpath.join(dest, posixpath.basename(src.rstrip("/"))))
        src_is_dir = src.endswith("/") or src in (".", "./") or (
            from_flag is None and context.is_dir(src))
        rel_inside = None
        if src_is_dir and (path == dest or path.startswith(dest.rstrip("/") + "/")):
            rel_inside = posixpath.relpath(path, dest)
        elif path in (posixpath.normpath(c) for c in candidates) or (
                dest_is_dir and any(ch in src for ch in "*?[") and posixpath.dirname(path) == dest.rstrip("/")
                and fnmatch.fnmatch(posixpath.basename(path), posixpath.basename(src))):
            rel_inside = ""
        if rel_inside is None:
            continue
        origin_path = posixpath.normpath(posixpath.join(src, rel_inside)) if rel_inside else src
        if any(ch in src for ch in "*?[") and not rel_inside:
            origin_path = posixpath.join(posixpath.dirname(src), posixpath.basename(path))
        if from_flag is not None:
            earlier = dockerfile.stage_by_reference(from_flag.value, stage.index)
            if earlier is None:
                return Origin("unknown", instruction=instruction,
                              reason=f"copied from the image {from_flag.value}, which gpulint cannot read")
            return origin_of(dockerfile, earlier, posixpath.join("/", origin_path), context, None, depth + 1)
        text = context.read(origin_path)
        if text is not None:
            return Origin("context", text, origin_path, instruction)
        if context.exists(origin_path):
            return Origin("unknown", None, origin_path, instruction, reason=f"{origin_path} cannot be read")
        return Origin("missing", None, origin_path, instruction,
                      reason=f"{origin_path} is not in the build context")
    return None


def _absolute(dockerfile: Dockerfile, stage: Stage, instruction: Instruction, dest: str) -> str:
    if dest.startswith("/"):
        return posixpath.normpath(dest) + ("/" if dest.endswith("/") and dest != "/" else "")
    base = workdir_at(dockerfile, stage, instruction)
    joined = posixpath.normpath(posixpath.join(base, dest))
    return joined + ("/" if dest.endswith("/") or dest in (".", "./") else "")
