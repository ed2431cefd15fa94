"""Everything one run knows: the scanned root, its configuration and its parsed artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from gpulint.core.limits import Limits
from gpulint.core.records import Record, compared_without, field
from gpulint.core.source import Source
from gpulint.project.files import ProjectFiles

if TYPE_CHECKING:
    from gpulint.project.config import Config

F = TypeVar("F")


@compared_without("_facts", "_by_kind")
class Project(Record):
    root: Path
    config: Config
    artifacts: list[Any] = field(default_factory=list)
    _files: ProjectFiles | None = None

    _memo: dict[str, Any] = field(default_factory=dict)
    # File contents that stand in for what is on disk (absolute resolved paths): `check --fix`
    # lints its edited files in memory before anything is written.
    overlay: dict[Path, bytes] = field(default_factory=dict)

    def read_bytes(self, path: Path) -> bytes:
        if self.overlay:
            data = self.overlay.get(Path(path).resolve())
            if data is not None:
                return data
        return Path(path).read_bytes()

    _facts: dict[type, Any] = field(default_factory=dict)

    def facts(self, kind: type[F]) -> F:
        """The project's facts of one kind, computed once: a class built from the project whose
        cached properties (and indexes) hold what rules read across its files."""
        found = self._facts.get(kind)
        if found is None:
            found = self._facts[kind] = kind(self)
        return found

    def memo(self, key: str, compute):
        """A value derived from all artifacts, computed once per project (rules share it)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def release(self) -> None:
        """Drop the artifacts and everything derived from them (a pipeline refers back to its
        project): once linted, a project's models are freed at once, not at the next collection."""
        self.artifacts.clear()
        self._memo.clear()
        self._facts.clear()
        self._by_kind = None

    @property
    def limits(self) -> Limits:
        return self.config.limits

    # Artifacts grouped by kind, rebuilt when the list grows: rules call of_kind once per artifact,
    # and a scan per call made runs on large trees quadratic.
    _by_kind: tuple[int, dict[str, list[Any]]] | None = None

    def of_kind(self, kind: str) -> list[Any]:
        index = self._by_kind
        if index is None or index[0] != len(self.artifacts):
            grouped: dict[str, list[Any]] = {}
            for artifact in self.artifacts:
                grouped.setdefault(artifact.kind, []).append(artifact)
            index = self._by_kind = (len(self.artifacts), grouped)
        return list(index[1].get(kind, ()))

    @property
    def files(self) -> ProjectFiles:
        """The one reader of the scanned tree (see ``gpulint.project.files``)."""
        if self._files is None:
            self._files = ProjectFiles(self.root, self.limits)
        return self._files

    def remember(self, source: Source) -> None:
        """A file the loader already read: later reads share its Source (and its parse)."""
        self.files.remember(source)

    def read_file(self, path: Path | str) -> Source | None:
        """A file inside the root, for analysis (never executed); None if absent, ignored or unreadable."""
        return self.files.read(path)
