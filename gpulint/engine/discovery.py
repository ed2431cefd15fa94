"""Finding the files worth reading under the given paths.

The walk skips version-control folders, virtualenvs, ``node_modules`` and whatever the tree's
``.gitignore`` files ignore, never follows a symbolic link out of the tree or around a loop, and
reports what it could not read instead of failing.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gpulint.core.records import Record, field

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".venv", "venv", ".eggs", ".terraform",
})
YAML_SUFFIXES = (".yml", ".yaml")


class Candidate(Record):
    path: Path
    rel: str  # posix, relative to the root
    kind: str  # dockerfile | workflow | yaml | json | python


class WalkProblem(Record):
    rel: str
    message: str


class Discovery(Record):
    root: Path
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[WalkProblem] = field(default_factory=list)
    # Every file the walk kept (relative paths), whatever its kind: what later reads may open.
    # None when only named files were given (the tree was not walked).
    files: list[str] | None = None
    # Folders holding a `.git` (a repository's root): files of different repositories never pair.
    repositories: list[str] = field(default_factory=list)


# Dockerfile, Dockerfile.gpu, Dockerfile_dev, Dockerfile-cuda, gpu.Dockerfile, GPUDockerfile, Containerfile...
_DOCKERFILE = re.compile(r"^(?:.*[._-]|[a-z0-9]+)?(?:docker|container)file(?:[._-].*)?$")
# ...but not documentation, scripts or templates that merely carry the name.
_NOT_DOCKERFILE = (".md", ".txt", ".rst", ".json", ".yaml", ".yml", ".sh", ".py", ".j2", ".jinja", ".jinja2",
                   ".tmpl", ".tpl", ".template", ".in", ".erb", ".bak", ".orig", ".swp")


def dockerfile_name(name: str) -> bool:
    lower = name.lower()
    return bool(_DOCKERFILE.match(lower)) and not lower.endswith(_NOT_DOCKERFILE)


def classify(rel: str) -> str | None:
    parts = rel.split("/")
    name = parts[-1]
    lower = name.lower()
    if dockerfile_name(name):
        return "dockerfile"
    if lower.endswith(YAML_SUFFIXES):
        if len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows":
            return "workflow"
        if lower in (".gitlab-ci.yml", ".gitlab-ci.yaml") or lower.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
            return "gitlab"
        if lower.startswith("cloudbuild"):
            return "cloudbuild"
        return "yaml"
    if lower.endswith(".json"):
        return "cloudbuild" if lower.startswith("cloudbuild") else "json"
    if lower.endswith(".py"):
        return "python"
    return None


class _IgnoreRules:
    """``.gitignore`` files met on the way down, matched with pathspec's git semantics."""

    def __init__(self) -> None:
        self._specs: list[tuple[str, object]] = []  # (directory prefix, PathSpec)

    def add(self, directory_rel: str, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        import pathspec

        self._specs.append((directory_rel, pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        for prefix, spec in self._specs:
            if prefix and not rel.startswith(prefix + "/"):
                continue
            sub = rel[len(prefix) + 1:] if prefix else rel
            if spec.match_file(sub + "/" if is_dir else sub):  # type: ignore[attr-defined]
                return True
        return False


def _excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel + "/", p) or rel.startswith(p.rstrip("/") + "/")
               for p in patterns)


def discover(root: Path, files: list[Path] | None = None, exclude: tuple[str, ...] = (),
             test_data: tuple[str, ...] = ()) -> Discovery:
    """Walk ``root`` (or only ``files`` inside it) and classify what is found. Folders and files
    whose name matches a ``test_data`` glob (``testdata``, ``__snapshots__``, ``*.golden.*``) are test
    data, not configuration, and are not read when walking; files named explicitly always are."""
    root = root.resolve()
    found = Discovery(root)
    if files is not None:
        for path in files:
            rel = _rel(root, path)
            kind = classify(rel) or _forced_kind(path)
            found.candidates.append(Candidate(path, rel, kind))
        return found
    ignore = _IgnoreRules()
    seen_dirs: set[tuple[int, int]] = set()
    found.files = []
    _walk(root, root, "", found, ignore, seen_dirs, lambda rel, is_dir: _excluded(rel, exclude) or is_test_data(rel, test_data), frozenset())
    found.candidates.sort(key=lambda c: c.rel)
    return found


def walk(root: Path, start_rel: str, excluded: Callable[[str, bool], bool],
         skip_names: frozenset[str] = frozenset(),
         listed: Callable[[Path, frozenset[str]], None] | None = None) -> Discovery:
    """Walk the folder ``start_rel`` of ``root`` ("" for the root itself); paths stay relative to
    ``root``. The ``.gitignore`` files of the folders from ``root`` down to the start apply, as
    git applies them. ``excluded(rel, is_dir)`` is asked about each entry below the start (an
    excluded folder is not entered), never about the start itself: a path named on the command
    line is read even when a pattern excludes it. Files named in ``skip_names`` are never
    candidates (configuration files). ``listed(folder, names)`` hears the names in each folder
    walked before any entry of it is asked about (a configuration lookup then needs no `stat` per
    name it looks for)."""
    root = root.resolve()
    found = Discovery(root)
    ignore = _IgnoreRules()
    parts = [p for p in start_rel.split("/") if p]
    for depth in range(len(parts)):  # .gitignore files above the start, outermost first
        rel_dir = "/".join(parts[:depth])
        gitignore = root / rel_dir / ".gitignore"
        if gitignore.is_file():
            ignore.add(rel_dir, gitignore)
    found.files = []
    _walk(root, root / start_rel if start_rel else root, start_rel, found, ignore, set(), excluded, skip_names, listed)
    found.candidates.sort(key=lambda c: c.rel)
    return found


def _forced_kind(path: Path) -> str:
    """A file named on the command line is read whatever its name: a Dockerfile when its first
    instruction is one (FROM, ARG or a parser directive), else YAML."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError:
        return "yaml"
    for line in head.splitlines():
        stripped = line.strip()
        if _DIRECTIVE.match(stripped):
            return "dockerfile"
        if not stripped or stripped.startswith("#"):
            continue
        return "dockerfile" if stripped.split(None, 1)[0].upper() in ("FROM", "ARG") else "yaml"
    return "yaml"


_DIRECTIVE = re.compile(r"#\s*(syntax|escape|check)\s*=", re.IGNORECASE)


def _rel(root: Path, path: Path) -> str:
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return path.name


def is_test_data(rel: str, patterns: tuple[str, ...]) -> bool:
    """Whether the entry ``rel``'s own name matches a ``test-data`` glob (case-insensitive)."""
    return bool(patterns) and _test_data_matcher(tuple(patterns))(rel.rpartition("/")[2].lower()) is not None


@functools.lru_cache(maxsize=64)
def _test_data_matcher(patterns: tuple[str, ...]) -> Callable[[str], Any]:
    """The ``test-data`` globs as one expression (asked for every entry of the tree)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p.lower())})" for p in patterns)).match


def _walk(root: Path, directory: Path, rel_dir: str, found: Discovery, ignore: _IgnoreRules,
          seen: set[tuple[int, int]], excluded: Callable[[str, bool], bool], skip_names: frozenset[str],
          listed: Callable[[Path, frozenset[str]], None] | None = None) -> None:
    try:
        info = directory.stat()
        key = (info.st_dev, info.st_ino)
        if key in seen:
            return
        seen.add(key)
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
        names = frozenset(e.name for e in entries)
        if listed is not None:
            listed(directory, names)
        gitignore = directory / ".gitignore"
        if ".gitignore" in names and gitignore.is_file():
            ignore.add(rel_dir, gitignore)
    except OSError as error:
        found.problems.append(WalkProblem(rel_dir or ".", f"cannot read directory: {error.strerror or error}"))
        return
    for entry in entries:
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        if entry.name == ".git":
            found.repositories.append(rel_dir)
            continue
        try:
            if entry.is_symlink():
                _symlink(root, Path(entry.path), rel, found)
                continue
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as error:
            found.problems.append(WalkProblem(rel, f"cannot read: {error.strerror or error}"))
            continue
        if is_dir:
            if entry.name in SKIP_DIRS or (Path(entry.path) / "pyvenv.cfg").exists():
                continue
            if ignore.ignored(rel, True) or excluded(rel, True):
                continue
            _walk(root, Path(entry.path), rel, found, ignore, seen, excluded, skip_names, listed)
            continue
        if ignore.ignored(rel, False) or excluded(rel, False):
            continue
        if found.files is not None:
            found.files.append(rel)
        kind = classify(rel)
        if kind is None or entry.name in skip_names:
            continue
        found.candidates.append(Candidate(Path(entry.path), rel, kind))


def _symlink(root: Path, path: Path, rel: str, found: Discovery) -> None:
    """Symbolic links are never followed: one inside the tree is scanned where it points."""
    kind = classify(rel)
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        if kind is not None:
            found.problems.append(WalkProblem(rel, "symbolic link is broken or loops; not followed"))
        return
    try:
        target.relative_to(root)
    except ValueError:
        if kind is not None or target.is_dir():
            found.problems.append(WalkProblem(rel, f"symbolic link points outside the scanned tree "
                                                   f"({os.readlink(path)}); not followed"))
        return
