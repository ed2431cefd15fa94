"""Everything one run knows: the scanned root, its configuration and its parsed artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gpulint.core.limits import Limits
from gpulint.core.source import Source

if TYPE_CHECKING:
    from gpulint.project.config import Config


@dataclass
class Project:
    root: Path
    config: Config
    artifacts: list[Any] = field(default_factory=list)
    # Files read on demand (health-check scripts in a build context), cached by absolute path.
    _extra: dict[Path, Source | None] = field(default_factory=dict)

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

    def memo(self, key: str, compute):
        """A value derived from all artifacts, computed once per run (rules share it)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def limits(self) -> Limits:
        return self.config.limits

    # Artifacts grouped by kind, rebuilt when the list grows: rules call of_kind once per artifact,
    # and a scan per call made runs on large trees quadratic.
    _by_kind: tuple[int, dict[str, list[Any]]] | None = field(default=None, repr=False, compare=False)

    def of_kind(self, kind: str) -> list[Any]:
        index = self._by_kind
        if index is None or index[0] != len(self.artifacts):
            grouped: dict[str, list[Any]] = {}
            for artifact in self.artifacts:
                grouped.setdefault(artifact.kind, []).append(artifact)
            index = self._by_kind = (len(self.artifacts), grouped)
        return list(index[1].get(kind, ()))

    def remember(self, source: Source) -> None:
        """A file the loader already read: later lookups share its Source (and its parse)."""
        if source.path is not None:
            self._extra[source.path.resolve()] = source

    def read_file(self, path: Path) -> Source | None:
        """Read a file inside the root for analysis (never executed); None if unsafe or unreadable."""
        from gpulint.core.source import decode

        try:
            path = Path(path).resolve()
        except (OSError, RuntimeError):
            return None
        if path in self._extra:
            return self._extra[path]
        result: Source | None = None
        try:
            resolved = path.resolve(strict=True)
            resolved.relative_to(self.root)
            if resolved.is_file() and resolved.stat().st_size <= self.limits.max_file_size:
                text, problem = decode(self.read_bytes(resolved))
                if text is not None and problem is None:
                    result = Source(text, resolved.relative_to(self.root).as_posix(), resolved)
        except (OSError, ValueError, RuntimeError):
            result = None
        self._extra[path] = result
        return result
