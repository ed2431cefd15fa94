"""Where a check stands: the repository its paths belong to, the configuration of each folder,
and which files it reads.

* The repository root is the nearest folder at or above the paths that holds ``.git`` (a folder,
  or a file as in git worktrees and submodules). Every finding's path is relative to it. Outside
  a repository, paths are relative to the working directory when the paths lie inside it, else
  to the folder that holds them all.
* Each file is judged with the nearest configuration (``.gpulint.yaml``, ``.gpulint.yml``, or a
  ``pyproject.toml`` with a ``[tool.gpulint]`` table) in its folder or a folder above it, as ruff
  finds its own; the search stops at the repository root (a configuration outside a repository
  never applies to it), or at the filesystem root outside one. The nearest file wins whole: files
  are not merged. ``--config FILE`` applies one file to everything, its ``exclude`` patterns
  relative to the working directory; ``--isolated`` reads no configuration file. Settings given
  on the command line override every file.
* The named paths are judged in their place in the repository: when they do not cover it, the
  rest of the repository (minus ``.gitignore``'d and excluded files) is read as context for the
  rules that compare artifacts, and findings are reported for the named paths only.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Any

from gpulint.core.errors import UsageError
from gpulint.core.records import Record, field, replace
from gpulint.engine.discovery import Candidate, Discovery, WalkProblem, _forced_kind, classify, is_test_data, walk
from gpulint.project.config import CONFIG_NAMES, Config, find_config, load_config

# Settings that apply to each file under its own configuration; the others belong to the run and
# come from the configuration of the folder that holds every named path.
PER_FILE = ("select", "ignore", "severity", "exclude", "profile", "gpu-runner-labels")
PER_RUN = ("fail-on", "require", "timeout", "limits")


class ConfigError(UsageError):
    """One or more configuration files cannot be used."""


class NothingToCheck(UsageError):
    """The paths hold no artifact gpulint reads."""


def repository_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` that holds ``.git``."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


class ConfigEntry(Record):
    """The configuration that governs a folder."""

    path: Path | None  # None: no file, the defaults
    config: Config
    folder: Path  # what its `exclude` patterns are relative to


class Configs:
    """The configuration of each folder, found once per folder and loaded once per file."""

    def __init__(self, base: Path, stop: Path | None, *, explicit: Path | None = None, isolated: bool = False,
                 overrides: dict[str, Any] | None = None, check_selector=None, cwd: Path | None = None):
        self.base = base
        self.stop = stop
        self.explicit = explicit.resolve() if explicit is not None else None
        self.isolated = isolated
        self.overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        self.check_selector = check_selector
        self.cwd = (cwd or Path.cwd()).resolve()
        self._by_dir: dict[Path, ConfigEntry] = {}
        self._by_given: dict[Path, ConfigEntry] = {}  # folders as asked for (unresolved)
        self._by_file: dict[Path | None, ConfigEntry] = {}
        self._nearest: dict[Path, Path | None] = {}
        self._listings: dict[Path, frozenset[str]] = {}  # resolved folder -> the names in it

    def listed(self, directory: Path, names: frozenset[str]) -> None:
        """The names in a folder the walk listed (``directory`` resolved, as the walk's are)."""
        self._listings[directory] = names

    def for_dir(self, directory: Path) -> ConfigEntry:
        entry = self._by_given.get(directory)  # asked again for the same folder: no path resolution
        if entry is not None:
            return entry
        resolved = directory.resolve()
        entry = self._by_given[directory] = self._for_resolved(resolved)
        return entry

    def _for_resolved(self, directory: Path) -> ConfigEntry:
        entry = self._by_dir.get(directory)
        if entry is None:
            if self.isolated:
                path = None
            elif self.explicit is not None:
                path = self.explicit
            else:
                path = self._nearest_config(directory)
            entry = self._by_dir[directory] = self._load(path)
        return entry

    def _nearest_config(self, directory: Path) -> Path | None:
        """``project.config.find_config_above``, sharing each folder's answer with the folders below it."""
        if directory not in self._nearest:
            found = find_config(directory, self._listings.get(directory))  # this folder only
            if found is None and directory != self.stop and directory.parent != directory:
                found = self._nearest_config(directory.parent)
            self._nearest[directory] = found
        return self._nearest[directory]

    def for_walked_dir(self, directory: Path) -> ConfigEntry:
        """``for_dir`` of a folder the walk reached: resolved already (the walk follows no link)."""
        return self._for_resolved(directory)

    def for_file(self, path: Path) -> ConfigEntry:
        return self.for_dir(path.absolute().parent)

    def entries(self) -> list[ConfigEntry]:
        return list(self._by_file.values())

    def _load(self, path: Path | None) -> ConfigEntry:
        key = path.resolve() if path is not None else None
        entry = self._by_file.get(key)
        if entry is not None:
            return entry
        if key is None:
            config = Config()
            folder = self.cwd
        else:
            config = load_config(key, self.base, self.check_selector, rel=display(key, self.base))
            # ruff's rule: a file given with --config has its paths relative to the working directory.
            folder = self.cwd if self.explicit is not None else key.parent
        per_file = {k: v for k, v in self.overrides.items() if k not in ("require", "timeout")}
        if per_file:
            config = replace(config, **per_file)
        entry = self._by_file[key] = ConfigEntry(key, config, folder)
        return entry

    def problems(self) -> list[str]:
        """Every problem of every configuration read so far, as `file:line:col: message`."""
        out = []
        for entry in self._by_file.values():
            for span, message in entry.config.problems:
                source, start, _ = span.source.resolve(span.start, span.end)
                out.append(f"{source.rel_path}:{start.line}:{start.column}: {message}")
        return out

    def raise_problems(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError("invalid configuration (fix it, or run with --isolated to ignore configuration "
                              "files):\n  " + "\n  ".join(problems))

    def test_data(self, path: Path) -> bool:
        """Whether ``path`` is test data under its configuration's `test-data` globs (not walked)."""
        return is_test_data(path.name, self.for_dir(path.parent).config.test_data)

    def excluded(self, path: Path, is_dir: bool, *, ancestors: bool = False) -> bool:
        """Whether the `exclude` patterns of the configuration governing ``path`` exclude it; with
        ``ancestors`` also when they exclude a folder it is in (a named file under --force-exclude)."""
        entry = self.for_dir(path.parent)
        patterns = entry.config.exclude
        if not patterns:
            return False
        rel = _relative(path, entry.folder)
        if rel is None:
            return False
        if _matches(rel, is_dir, patterns):
            return True
        if ancestors:
            parts = rel.split("/")
            return any(_matches("/".join(parts[:i]), True, patterns) for i in range(1, len(parts)))
        return False


def _relative(path: Path, folder: Path) -> str | None:
    try:
        return path.absolute().relative_to(folder).as_posix()
    except ValueError:
        return None


def _matches(rel: str, is_dir: bool, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or (is_dir and fnmatch.fnmatch(rel + "/", p)) for p in patterns)


def display(path: Path, base: Path) -> str:
    """How a file is named in messages: relative to the base when inside it, else as an absolute path."""
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return str(path)


class Plan(Record):
    """What one check reads and what it reports on."""

    base: Path  # findings' paths are relative to it
    repository: Path | None  # the repository root, when the paths are in one
    configs: Configs
    run: ConfigEntry  # the configuration of the run's own settings (fail-on, require, timeout, limits)
    targets: list[Candidate] = field(default_factory=list)  # reported on
    context: list[Candidate] = field(default_factory=list)  # read for the rules that compare artifacts
    problems: list[WalkProblem] = field(default_factory=list)
    # Every file the walks kept, relative to the base (None unless a walk covered the whole base):
    # the files rules may read; and the folders holding a `.git` (files of different repositories never pair).
    files: list[str] | None = None
    repositories: list[str] = field(default_factory=list)
    _walked: list[str] = field(default_factory=list)  # files walked before the listing stands
    excluded_files: int = 0  # files and folders the walk left out for `exclude` (said when nothing is found)


def base_of(paths: list[Path], cwd: Path) -> tuple[Path, Path | None]:
    """(base, repository root or None) of the named paths."""
    resolved = [p.resolve() for p in paths]
    repositories = {repository_root(p) for p in resolved}
    if len(repositories) == 1 and None not in repositories:
        repository = repositories.pop()
        return repository, repository  # type: ignore[return-value]
    anchors = [p if p.is_dir() else p.parent for p in resolved]
    if all(_inside(a, cwd) for a in anchors):
        return cwd, None
    return Path(os.path.commonpath([str(a) for a in anchors])), None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def plan(paths: list[Path], *, explicit_config: Path | None = None, isolated: bool = False,
         overrides: dict[str, Any] | None = None, check_selector=None, force_exclude: bool = False,
         cwd: Path | None = None) -> Plan:
    """Resolve the base, the configurations and the files of a check of ``paths``."""
    cwd = (cwd or Path.cwd()).resolve()
    paths = paths or [Path(".")]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"no such file or directory: {path}")
    absolute = [(cwd / p) if not p.is_absolute() else p for p in paths]
    base, repository = base_of(absolute, cwd)
    configs = Configs(base, repository, explicit=explicit_config, isolated=isolated, overrides=overrides,
                      check_selector=check_selector, cwd=cwd)
    anchors = [p.resolve() if p.is_dir() else p.resolve().parent for p in absolute]
    common = Path(os.path.commonpath([str(a) for a in anchors]))
    run = configs.for_dir(common)
    if overrides:
        run = replace(run, config=replace(run.config, **{k: v for k, v in overrides.items()
                                                          if k in ("require",) and v is not None}))
    result = Plan(base, repository, configs, run)
    counted: dict[str, int] = {"excluded": 0}
    # Each folder's `exclude` and `test-data` patterns, looked up once per folder: asked for every
    # entry of a large tree, most of them under configurations with neither.
    folder_patterns: dict[str, tuple[bool, tuple[str, ...]]] = {}
    walked_base = base.resolve()

    def excluded(rel: str, is_dir: bool) -> bool:
        folder = rel.rpartition("/")[0]
        patterns = folder_patterns.get(folder)
        if patterns is None:
            config = configs.for_walked_dir(walked_base / folder if folder else walked_base).config
            patterns = folder_patterns[folder] = (bool(config.exclude), tuple(config.test_data))
        has_exclude, test_data = patterns
        hit = has_exclude and configs.excluded(base / rel, is_dir)
        counted["excluded"] += hit
        return hit or (bool(test_data) and is_test_data(rel, test_data))

    seen: set[str] = set()
    for path in absolute:
        if path.is_dir():
            start = _relative(path.resolve(), base)
            if start is None:
                raise UsageError(f"{path} is outside {base}")
            found: Discovery = walk(base, "" if start == "." else start, excluded, frozenset(CONFIG_NAMES),
                                    configs.listed)
            result.problems.extend(found.problems)
            _keep_listing(result, found, whole=start == ".")
            fresh = [c for c in found.candidates if c.rel not in seen]
        else:
            rel = _relative(path, base) or path.name
            if force_exclude and configs.excluded(path, False, ancestors=True):
                counted["excluded"] += 1
                continue
            fresh = [] if rel in seen else [Candidate(path, rel, classify(rel) or _forced_kind(path))]
        seen.update(c.rel for c in fresh)
        result.targets.extend(fresh)
    result.excluded_files = counted["excluded"]
    if repository is not None and not any(p.is_dir() and p.resolve() == repository for p in absolute):
        context = walk(base, "", lambda rel, is_dir: configs.excluded(base / rel, is_dir) or configs.test_data(base / rel),
                       frozenset(CONFIG_NAMES))
        _keep_listing(result, context, whole=True)
        result.context = [c for c in context.candidates if c.rel not in seen]
    if result.files is not None:  # files named on the command line are read, excluded or not
        result.files = sorted(set(result.files) | {c.rel for c in result.targets})
    return result


def _keep_listing(result: Plan, found: Discovery, *, whole: bool) -> None:
    """Record the files and repositories a walk met. The listing stands once a walk covered the
    whole base (reads elsewhere would otherwise see only part of the tree); the named folders'
    walks add what the context walk's `exclude` left out of it."""
    result.repositories = sorted(set(result.repositories) | set(found.repositories))
    seen = set(result.files or ()) | set(result._walked)
    seen.update(found.files or ())
    if whole or result.files is not None:
        result.files = sorted(seen)
    else:
        result._walked = sorted(seen)
