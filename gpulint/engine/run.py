"""The engine: discover, parse once, run every enabled rule, apply suppressions.

It knows no rule by name: rules register themselves and declare the artifact kind they read.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from gpulint.core.errors import UsageError
from gpulint.core.findings import Finding, Severity
from gpulint.core.records import Record, field
from gpulint.engine.discovery import Discovery, discover
from gpulint.engine.loader import timeout_problem
from gpulint.engine.ruleset import RuleSet
from gpulint.engine.units import Context, lint_unit, merged, problem_artifacts, problems_unit, split_units
from gpulint.engine.workers import lint_units
from gpulint.project.config import DEFAULT_TEST_DATA, Config, find_config, load_config
from gpulint.project.files import ProjectFiles


class RunResult(Record):
    root: Path
    findings: list[Finding]
    files: list[str]
    artifacts: list[Any] = field(default_factory=list)
    config: Config | None = None
    elapsed: float = 0.0
    kinds: dict[str, set[str]] = field(default_factory=dict)  # artifact kinds read from each file
    baselined: int | None = None  # findings a --baseline file recorded and the report leaves out

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
        for finding in self.findings:
            if not finding.suppressed:
                counts[finding.severity.value] += 1
        return counts

    def failed(self, threshold: Severity | None) -> bool:
        if threshold is None:
            return False
        return any(not f.suppressed and f.severity.rank >= threshold.rank for f in self.findings)


def resolve_root(paths: list[Path]) -> tuple[Path, list[Path] | None]:
    """The root findings are relative to, and the explicit files to read (None: walk the root)."""
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"no such file or directory: {path}")
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0].resolve(), None
    files = [p for p in paths if not p.is_dir()]
    dirs = [p for p in paths if p.is_dir()]
    anchors = [p.resolve() for p in dirs] + [p.absolute().parent.resolve() for p in files]
    root = Path(_common_parent(anchors))
    if dirs:
        collected: list[Path] = []
        for directory in dirs:
            collected.extend(c.path for c in discover(directory, test_data=DEFAULT_TEST_DATA).candidates)
        return root, files + collected
    return root, files


def _common_parent(paths: list[Path]) -> str:
    import os

    return os.path.commonpath([str(p) for p in paths]) if paths else "."


def run(paths: list[Path], config: Config | None = None, config_path: Path | None = None,
        overrides: dict[str, Any] | None = None, **kwargs: Any) -> RunResult:
    """Lint ``paths``, one project (repository) of the tree at a time. ``keep_artifacts=False``
    releases each project's parsed models once its rules have run (``RunResult.artifacts`` is
    then empty) and lets workers read the files. The cyclic garbage collector is slowed down
    meanwhile: a run builds hundreds of thousands of long-lived, acyclic nodes, and full
    collections over them cost about a third of a large run."""
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        return _run(paths, config, config_path, overrides, **kwargs)
    finally:
        gc.set_threshold(*thresholds)


def _run(paths: list[Path], config: Config | None = None, config_path: Path | None = None,
         overrides: dict[str, Any] | None = None, keep_artifacts: bool = True,
         overlay: dict[Path, bytes] | None = None) -> RunResult:
    started = time.perf_counter()
    root, files = resolve_root(paths or [Path(".")])
    if config is None:
        config = load_config(config_path or find_config(root), root)
    if overrides:
        from gpulint.core.records import replace

        overrides = dict(overrides)
        if overrides.get("timeout") is not None:  # --timeout: a bound of the run, kept with the limits
            config = replace(config, limits=replace(config.limits, timeout=overrides["timeout"]))
        overrides.pop("timeout", None)
        config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    found: Discovery = discover(root, files, config.exclude, config.test_data)
    overlay = dict(overlay or {})
    project_files = ProjectFiles(root, config.limits, found.files, found.repositories, overlay)
    context = Context(root, config, project_files, RuleSet(config), started, keep_artifacts, overlay)
    units = split_units(found.candidates, project_files, config)
    results = lint_units(units, lambda unit, jobs: lint_unit(unit, context, jobs), keep_artifacts)

    position: dict[str, int] = {}
    for i, candidate in enumerate(found.candidates):
        position.setdefault(candidate.rel, i)
    skipped = sorted((c for r in results for c in r.skipped), key=lambda c: position[c.rel])
    problems = []
    if skipped:
        problems.append(timeout_problem(root, skipped, config.limits.timeout, len(found.candidates) - len(skipped)))
    problems.extend(problem_artifacts(root, found.problems, config))
    results.append(problems_unit(context, problems))

    findings, kinds = merged(results)
    artifacts: list[Any] = []
    if keep_artifacts:  # in the order one project of the whole tree had them
        loaded = sorted((pair for r in results for pair in r.artifacts if pair[0] is not None),
                        key=lambda pair: position[pair[0].rel])
        artifacts = [a for _, items in loaded for a in items]
        artifacts += [a for _, items in results[-1].artifacts for a in items]
        artifacts += sorted((p for r in results for p in r.pipelines),
                            key=lambda p: (p.source.rel_path, p.anchor.start))
    files_scanned = sorted({c.rel for c in found.candidates})
    return RunResult(root, findings, files_scanned, artifacts, config, time.perf_counter() - started, kinds)

