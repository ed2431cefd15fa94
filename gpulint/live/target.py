"""What live mode runs: the Dockerfile that static analysis found, its build context and its smoke test."""

from __future__ import annotations

import posixpath
import shlex
import tempfile
from pathlib import Path
from typing import Any

from gpulint.artifacts.dockerfile.healthcheck import Healthcheck, effective_healthcheck, script_resolver
from gpulint.artifacts.dockerfile.stage_use import mount_fields
from gpulint.core.records import Record, field
from gpulint.core.source import Span


class TargetError(Exception):
    """Nothing that live mode could run (exit status 2)."""


class Target(Record):
    root: Path
    dockerfile: Path | None = None  # on disk (a temporary copy for inline artifacts)
    context: Path | None = None
    display: str = ""  # the Dockerfile as the user knows it (relative path)
    healthcheck: Healthcheck | None = None  # the final stage's effective HEALTHCHECK, as written
    script: Path | None = None  # the host file of the Python script the health check runs, if any
    script_display: str = ""
    problems: list[str] = field(default_factory=list)
    location: Any = None  # where findings about the smoke test point: the HEALTHCHECK's command, or the script
    mount_types: set[str] = field(default_factory=set)  # RUN --mount types the Dockerfile uses (secret, ssh, cache)
    _temp: Any = None
    _written: dict[str, Any] = field(default_factory=dict)  # inline artifacts written to _temp

    def host_file(self, source: Any) -> Path | None:
        """Where a Python source is on this machine: the file, or the copy written for an inline artifact."""
        if source is None or isinstance(source, str):
            return None
        for rel, written in self._written.items():
            if written is source or written.text == source.text:
                return Path(self._temp.name) / rel
        path = getattr(source, "path", None)
        if path is not None and Path(path).suffix == ".py" and Path(path).is_file():
            return Path(path)
        return None

    def describe(self) -> dict[str, Any]:
        return {"dockerfile": self.display or None, "context": str(self.context) if self.context else None,
                "healthcheck": self.healthcheck_text(), "smoke_test": self.script_display or None}

    def healthcheck_argv(self) -> list[str] | None:
        """The HEALTHCHECK's command as an argv (a shell form runs under /bin/sh -c), or None."""
        hc = self.healthcheck
        if hc is None or hc.none:
            return None
        if hc.exec_argv is not None:
            return list(hc.exec_argv) or None
        return ["/bin/sh", "-c", hc.shell] if hc.shell else None

    def healthcheck_text(self) -> str | None:
        hc = self.healthcheck
        if hc is None or hc.none:
            return None
        if hc.exec_argv is not None:
            return shlex.join(hc.exec_argv)
        return hc.shell

    def close(self) -> None:
        if self._temp is not None:
            self._temp.cleanup()
            self._temp = None


def _score(dockerfile: Any) -> tuple:
    stage = dockerfile.final_stage
    has_health = stage is not None and effective_healthcheck(stage) is not None
    rel = dockerfile.source.rel_path or ""
    return (not has_health, rel.count("/"), Path(rel).name != "Dockerfile", rel)


def find_target(result: Any) -> Target:
    """The Dockerfile live mode builds: the one with a HEALTHCHECK nearest the root (``Dockerfile`` first)."""
    root = Path(result.root)
    target = Target(root)
    dockerfiles = [a for a in result.artifacts if getattr(a, "kind", None) == "dockerfile" and a.stages]
    if dockerfiles:
        dockerfile = min(dockerfiles, key=_score)
        _use_dockerfile(target, dockerfile)
        if len(dockerfiles) > 1:
            others = ", ".join(d.source.rel_path for d in dockerfiles if d is not dockerfile)
            target.problems.append(f"several Dockerfiles; live mode uses {target.display} (not {others})")
    if target.script is None:
        scripts = [a for a in result.artifacts if getattr(a, "kind", None) == "smoketest"
                   and getattr(a.source, "path", None) is not None]
        for chosen in sorted(scripts, key=lambda s: (s.source.rel_path.count("/"), s.source.rel_path)):
            path = target.host_file(chosen.source)
            if path is not None:
                target.script, target.script_display = path, chosen.source.rel_path
                if target.location is None:
                    target.location = Span.at_line(chosen.source, 1)
                break
    return target


def _use_dockerfile(target: Target, dockerfile: Any) -> None:
    context = dockerfile.context
    path = getattr(dockerfile.source, "path", None)
    target.display = dockerfile.source.rel_path
    stage = dockerfile.final_stage
    target.healthcheck = effective_healthcheck(stage) if stage is not None else None
    if context is not None and context.directory is not None and path is not None and Path(path).is_file():
        target.dockerfile = Path(path)
        target.context = Path(context.directory)
    else:
        _materialize(target, dockerfile)
    target.mount_types = _mount_types(dockerfile)
    if target.healthcheck is not None and not target.healthcheck.none and stage is not None:
        target.location = target.healthcheck.command_span()
        script = _script_of(target, dockerfile, stage)
        if script is not None:
            target.script, target.script_display = script


def _mount_types(dockerfile: Any) -> set[str]:
    """The ``type=`` of every ``RUN --mount`` flag (``bind`` when none is given)."""
    return {mount_fields(flag.value).get("type", "bind").lower()
            for instruction in dockerfile.instructions if instruction.keyword == "RUN"
            for flag in instruction.flag_list if flag.name == "mount"}


def _materialize(target: Target, dockerfile: Any) -> None:
    """Inline artifacts (a lab answers file, a notebook): write the Dockerfile and its context to a folder."""
    temp = tempfile.TemporaryDirectory(prefix="gpulint-live-")
    folder = Path(temp.name)
    (folder / "Dockerfile").write_text(dockerfile.source.text, encoding="utf-8")
    context = dockerfile.context
    for rel, source in (getattr(context, "inline", None) or {}).items():
        rel = posixpath.normpath(rel.lstrip("/"))
        if rel.startswith("..") or rel in ("Dockerfile", "."):
            continue
        out = folder / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(source.text, encoding="utf-8")
        target._written[rel] = source
    target._temp = temp
    target.dockerfile = folder / "Dockerfile"
    target.context = folder


def _script_of(target: Target, dockerfile: Any, stage: Any) -> tuple[Path, str] | None:
    """The build-context file of the Python script the HEALTHCHECK runs (for the host engine)."""
    from gpulint.syntax.shell import parse_shell

    healthcheck = target.healthcheck
    assert healthcheck is not None

    if healthcheck.exec_argv is not None:
        commands = [healthcheck.exec_argv]
    else:
        commands = [c.argv() for c in parse_shell(healthcheck.shell or "").commands]
    resolve = script_resolver(dockerfile, stage)
    for argv in commands:
        words = [w for w in argv if isinstance(w, str)]
        for word in words[1:] if words and "python" in posixpath.basename(words[0]) else words[:1]:
            if not word.endswith(".py"):
                continue
            source = resolve(word)
            path = target.host_file(source)
            if path is not None:
                return path, getattr(source, "rel_path", str(path))
    return None
