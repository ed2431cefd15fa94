"""The one reader of the scanned tree after discovery.

Discovery walks the tree once, honouring `.gitignore`, `exclude` and the folders every linter
skips, and lists every file it kept. Everything read later (a HEALTHCHECK's script in a build
context, a GitLab `include:`, a local composite action, a Cloud Build trigger export, a
`.dockerignore`) and every "does this path exist" question (a build's `-f` file, a COPY's
source) goes through here: answered from that listing, read once, bounded by the size limit,
never outside the root and never through a symbolic link out of it. Rules never open files.

When only some files were named on the command line there is no listing; the reader then asks
the file system, still inside the root.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from functools import cached_property
from pathlib import Path

from gpulint.core.limits import Limits
from gpulint.core.source import Source, decode
from gpulint.project.git import Remote, find_git_root, read_remote

_POSIX = os.sep == "/"
_MISSING = object()  # a path is absolute when it starts with "/" (no Path needed to tell)


class ProjectFiles:
    def __init__(self, root: Path, limits: Limits, listing: Iterable[str] | None = None,
                 repositories: Iterable[str] = (), overlay: dict[Path, bytes] | None = None) -> None:
        self.root = root.resolve()
        self._root_prefix = str(self.root).rstrip("/") + "/"
        self._repositories = set(repositories)
        self._origins: dict[str, Remote] = {}  # repository folder -> its origin remote
        # Edited contents not yet written (`check --fix` lints its edits before writing): path -> bytes.
        self.overlay = overlay if overlay is not None else {}
        self.limits = limits
        self._listing = sorted(set(listing)) if listing is not None else None
        self._files = set(self._listing) if self._listing is not None else None
        self._dirs: set[str] | None = None
        if self._listing is not None:
            dirs = {""}
            for rel in self._listing:
                head = rel.rpartition("/")[0]
                while head not in dirs:
                    dirs.add(head)
                    head = head.rpartition("/")[0]
            self._dirs = dirs
        self._read: dict[str, Source | None] = {}
        self._repository_cache: dict[str, str] = {}
        self._indexes: dict[str, Any] = {}

    # ------------------------------------------------------------------ paths

    def rel(self, path: Path | str) -> str | None:
        """A path (absolute, or relative to the root) as a normalised posix path inside the root."""
        text = str(path)
        if _POSIX and text.startswith(self._root_prefix) and "//" not in text:
            text = text[len(self._root_prefix):]  # what Path.relative_to gives, without parsing
        elif text.startswith("/") if _POSIX else Path(text).is_absolute():
            try:
                text = Path(text).relative_to(self.root).as_posix()
            except ValueError:
                try:
                    text = Path(text).resolve().relative_to(self.root).as_posix()
                except (ValueError, OSError, RuntimeError):
                    return None
        norm = posixpath.normpath(text.replace("\\", "/"))
        if norm == ".":
            return ""
        if norm.startswith(("../", "/")) or norm == "..":
            return None
        return norm

    def is_file(self, path: Path | str) -> bool:
        rel = self.rel(path)
        if rel is None or rel == "":
            return False
        if self._files is not None:
            return rel in self._files
        return self._on_disk(rel, "file")

    def is_dir(self, path: Path | str) -> bool:
        rel = self.rel(path)
        if rel is None:
            return False
        if self._dirs is not None:
            return rel in self._dirs
        return self._on_disk(rel, "dir")

    def exists(self, path: Path | str) -> bool:
        return self.is_file(path) or self.is_dir(path)

    def files_under(self, path: Path | str) -> Iterator[str]:
        """Every file at or below a folder (or the file itself), in path order."""
        rel = self.rel(path)
        if rel is None:
            return
        if self._listing is None:
            yield from self._walk(rel)
            return
        if rel in self._files:  # type: ignore[operator]
            yield rel
            return
        prefix = rel + "/" if rel else ""
        for item in self._listing:
            if item.startswith(prefix):
                yield item

    def names(self, path: Path | str) -> list[str]:
        """The names directly inside a folder."""
        rel = self.rel(path)
        if rel is None:
            return []
        prefix = rel + "/" if rel else ""
        return sorted({item[len(prefix):].split("/", 1)[0] for item in self.files_under(rel) if item != rel})

    def glob(self, pattern: str) -> list[str]:
        """Files matching a glob (`*` and `?` stay within a folder, `**` crosses folders)."""
        compiled = _glob_regex(pattern.lstrip("/"))
        return [f for f in self.files_under("") if compiled.fullmatch(f)]

    def listing_index(self, key: str, build: Callable[[ProjectFiles], Any]) -> Any:
        """A value derived from every file of the scanned tree (``build(self)``), built once per
        run however many projects ask: a per-project scan of the whole listing would make a tree
        of many small projects quadratic."""
        found = self._indexes.get(key, _MISSING)
        if found is _MISSING:
            found = self._indexes[key] = build(self)
        return found

    # ------------------------------------------------------------------ repositories

    def repository_of(self, path: Path | str) -> str:
        """The root of the repository a file belongs to: the nearest folder above it holding a
        `.git`, a `.github/` folder or a `.gitlab-ci.yml`; the scanned root when there is none.
        Sibling repositories of one scanned tree (a folder of checkouts, a corpus) never pair."""
        key = path if isinstance(path, str) else str(path)
        found = self._repository_cache.get(key)
        if found is None:
            folder = (self.rel(path) or "").rpartition("/")[0]
            while folder and folder not in self._roots:
                folder = folder.rpartition("/")[0]
            found = self._repository_cache[key] = folder
        return found

    def origin(self, path: Path | str) -> Remote:
        """The `origin` remote of the git repository a file belongs to, from its `.git/config`
        (an empty Remote when there is none to read: a folder that is not a clone, a sample)."""
        folder = self.repository_of(path)
        cache = self._origins
        if folder not in cache:
            if folder in self._repositories:
                cache[folder] = read_remote(self.root / folder)
            elif not folder:  # the scanned root: its clone may start above it
                top = find_git_root(self.root)
                cache[folder] = read_remote(top) if top is not None else Remote()
            else:  # a repository known by its `.github`/`.gitlab-ci.yml` alone: no git files of its own
                cache[folder] = Remote()
        return cache[folder]

    @cached_property
    def _roots(self) -> set[str]:
        roots = set(self._repositories)
        for item in self._listing or ():
            parts = item.split("/")
            if ".github" in parts:
                roots.add("/".join(parts[:parts.index(".github")]))
            if parts[-1] in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
                roots.add("/".join(parts[:-1]))
        return roots

    # ------------------------------------------------------------------ reading

    def remember(self, source: Source) -> None:
        """A file the loader already read: later reads share its Source (and its parse)."""
        if source.path is not None:
            rel = self.rel(source.path)
            if rel is not None:
                self._read[rel] = source

    def release(self) -> None:
        """Forget the files read so far (a project's models are released once it is linted);
        a later read reads the file again."""
        self._read.clear()

    def read(self, path: Path | str) -> Source | None:
        """A file's text for analysis (never executed); None when it is absent, ignored, outside
        the root, too large, binary or not valid text."""
        rel = self.rel(path)
        if rel is None:
            return None
        if rel in self._read:
            return self._read[rel]
        result: Source | None = None
        if self.is_file(rel):
            target = self.root / rel
            try:
                resolved = target.resolve(strict=True)
                resolved.relative_to(self.root)  # a symbolic link out of the tree is not followed
                if resolved.is_file() and resolved.stat().st_size <= self.limits.max_file_size:
                    data = self.overlay.get(resolved)
                    text, problem = decode(data if data is not None else resolved.read_bytes())
                    if text is not None and problem is None:
                        result = Source(text, rel, target)
            except (OSError, ValueError, RuntimeError):
                result = None
        self._read[rel] = result
        return result

    # ------------------------------------------------------------------ without a listing

    def _on_disk(self, rel: str, what: str) -> bool:
        try:
            resolved = (self.root / rel).resolve(strict=True)
            resolved.relative_to(self.root)
        except (OSError, ValueError, RuntimeError):
            return False
        return resolved.is_file() if what == "file" else resolved.is_dir()

    def _walk(self, rel: str, budget: int = 10_000) -> Iterator[str]:
        if self._on_disk(rel, "file"):
            yield rel
            return
        if not self._on_disk(rel, "dir"):
            return
        stack = [rel]
        while stack and budget > 0:
            current = stack.pop()
            try:
                entries = sorted((self.root / current).iterdir(), key=lambda p: p.name, reverse=True)
            except OSError:
                continue
            for entry in entries:
                child = f"{current}/{entry.name}" if current else entry.name
                if entry.is_symlink() or entry.name == ".git":
                    continue
                if entry.is_dir():
                    stack.append(child)
                elif entry.is_file():
                    budget -= 1
                    yield child


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(pattern[i]))
                i += 1
            else:
                body = pattern[i + 1:end].replace("\\", "\\\\")
                out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))
