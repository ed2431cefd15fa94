"""The engine: discover, parse once, run every enabled rule, apply suppressions.

It knows no rule by name: rules register themselves and declare the artifact kind they read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpulint.project.config import DEFAULT_TEST_DATA, Config, find_config, load_config
from gpulint.engine.discovery import Discovery, discover
from gpulint.core.errors import UsageError
from gpulint.core.findings import Finding, Severity
from gpulint.core.fix import resolve as resolve_fix
from gpulint.engine.loader import FileProblem, load, timeout_problem
from gpulint.project.pipelines import ci_pipelines
from gpulint.project.files import ProjectFiles
from gpulint.project.project import Project
from gpulint.rules.applicability import applicable
from gpulint.rules.base import Report, Rule, load_rules
from gpulint.core.source import Source, Span
from gpulint.engine.suppress import SuppressionIndex

# The syntax of comments in each artifact kind's source, for inline suppressions.
_COMMENT_SYNTAX = {"dockerfile": "dockerfile", "smoketest": "python", "yaml": "yaml", "workflow": "yaml",
                   "kubernetes": "yaml", "rollout": "yaml", "gitlab": "yaml", "cloudbuild": "yaml"}


@dataclass
class RunResult:
    root: Path
    findings: list[Finding]
    files: list[str]
    artifacts: list[Any] = field(default_factory=list)
    config: Config | None = None
    elapsed: float = 0.0
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
    """Lint ``paths``. The cyclic garbage collector is slowed down meanwhile: a run builds
    hundreds of thousands of long-lived, acyclic nodes, and full collections over them cost
    about a third of a large run."""
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        return _run(paths, config, config_path, overrides, **kwargs)
    finally:
        gc.set_threshold(*thresholds)


def _run(paths: list[Path], config: Config | None = None, config_path: Path | None = None,
         overrides: dict[str, Any] | None = None, overlay: dict[Path, bytes] | None = None) -> RunResult:
    started = time.perf_counter()
    root, files = resolve_root(paths or [Path(".")])
    if config is None:
        config = load_config(config_path or find_config(root), root)
    if overrides:
        from dataclasses import replace

        overrides = dict(overrides)
        if overrides.get("timeout") is not None:  # --timeout: a bound of the run, kept with the limits
            config = replace(config, limits=replace(config.limits, timeout=overrides["timeout"]))
        overrides.pop("timeout", None)
        config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    found: Discovery = discover(root, files, config.exclude, config.test_data)
    overlay = dict(overlay or {})
    project = Project(root, config, _files=ProjectFiles(root, config.limits, found.files, found.repositories, overlay),
                      overlay=overlay)
    timeout = config.limits.timeout
    skipped = []  # files left unread once the run is out of time (checked between files)
    for candidate in found.candidates:
        if timeout is not None and (skipped or time.perf_counter() - started > timeout):
            skipped.append(candidate)
            continue
        project.artifacts.extend(load(candidate, project))
    if skipped:
        project.artifacts.append(timeout_problem(root, skipped, timeout, len(found.candidates) - len(skipped)))
    for problem in found.problems:
        source = Source("", problem.rel, root / problem.rel)
        project.artifacts.append(FileProblem(Span(source, 0, 0), problem.message, Severity.WARNING))
    for span, message in config.problems:
        project.artifacts.append(FileProblem(span, message))
    project.artifacts.extend(ci_pipelines(project))  # every CI system, compiled into the one CI model

    findings = _apply_rules(project)
    files_scanned = sorted({c.rel for c in found.candidates})
    return RunResult(root, findings, files_scanned, project.artifacts, config, time.perf_counter() - started)


# Below this many artifacts one process is faster than starting workers.
PARALLEL_THRESHOLD = 400


def _apply_rules(project: Project, targets: list[Any] | None = None, progress: Any = None) -> list[Finding]:
    """Every enabled rule on ``targets`` (default: every artifact of the project), the
    project-wide rules once. ``progress`` (optional) hears ``phase(name, total)`` and ``advance(n)``."""
    config = project.config
    suppressions = SuppressionIndex()
    for artifact in project.artifacts:
        syntax = _COMMENT_SYNTAX.get(artifact.kind)
        if syntax is not None and getattr(artifact, "source", None) is not None:
            suppressions.collect(artifact.source, syntax)
    rules = [cls() for cls in load_rules().values() if config.enabled(cls.id, cls.name, cls.aliases)]
    targets = project.artifacts if targets is None else targets
    jobs = _jobs(len(targets))
    if jobs > 1:
        findings = _apply_in_workers(project, rules, suppressions, jobs, targets, progress)
    else:
        if progress is not None:
            progress.phase("linting", len(rules))
        findings = _apply_share(project, rules, suppressions, targets, with_project=True, progress=progress)
    for rule in rules:
        if rule.kind == "suppression":
            for report in rule.check(suppressions, project):
                findings.append(_finding(rule, report, config, None))
    unique: dict[tuple, Finding] = {}
    for finding in findings:
        unique.setdefault((finding.rule, finding.path, finding.line, finding.column, finding.message), finding)
    return sorted(unique.values(), key=Finding.sort_key)


def _apply_share(project: Project, rules: list[Rule], suppressions: SuppressionIndex, artifacts: list[Any],
                 with_project: bool, progress: Any = None) -> list[Finding]:
    """Every rule on these artifacts (and the project-wide rules if ``with_project``)."""
    by_kind: dict[str, list[Any]] = {}
    for artifact in artifacts:
        by_kind.setdefault(artifact.kind, []).append(artifact)
    findings: list[Finding] = []
    for rule in rules:
        if rule.kind == "suppression":
            continue
        targets = ([project] if with_project else []) if rule.kind == "project" else by_kind.get(rule.kind, [])
        for artifact in targets:
            for report in applicable(rule, artifact, project):
                findings.append(_finding(rule, report, project.config, suppressions))
        if progress is not None:
            progress.advance(1)
    return findings


def _jobs(artifacts: int) -> int:
    import os

    if artifacts < PARALLEL_THRESHOLD or not hasattr(os, "fork") or os.environ.get("GPULINT_JOBS") == "1":
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, int(os.environ.get("GPULINT_JOBS", cpus))))


# The state forked workers inherit (fork shares it copy-on-write: nothing is pickled going in).
_SHARED: tuple | None = None


def _apply_in_workers(project: Project, rules: list[Rule], suppressions: SuppressionIndex,
                      jobs: int, targets: list[Any], progress: Any = None) -> list[Finding]:
    """Run the rules in forked workers over contiguous slices of the tree (a project's files
    stay together, so per-project caches are built once)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _SHARED
    ordered = sorted(targets, key=lambda a: getattr(getattr(a, "source", None), "rel_path", ""))
    # The project-wide rules are one task; the artifacts are cut in a few slices per worker so
    # that the pool balances the load.
    count = jobs * 4
    size = -(-len(ordered) // count)
    tasks = [(0, 0, True)] + [(i * size, min(len(ordered), (i + 1) * size), False) for i in range(count)]
    _SHARED = (project, rules, suppressions, ordered)
    if progress is not None:
        progress.phase("linting", len(ordered))
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = []
            for (lo, hi, _), result in zip(tasks, pool.map(_worker, tasks)):
                results.append(result)
                if progress is not None:
                    progress.advance(hi - lo)
    finally:
        _SHARED = None
    findings: list[Finding] = []
    by_id = {id(s): s for items in [suppressions.by_source] for s in items}
    for found, used in results:
        findings.extend(found)
        for source_id, index in used:  # a suppression used in a worker is used
            if source_id in by_id:
                suppressions.by_source[source_id][index].used = True
    return findings


def _worker(task: tuple[int, int, bool]) -> tuple[list[Finding], list[tuple[int, int]]]:
    lo, hi, with_project = task
    project, rules, suppressions, ordered = _SHARED  # type: ignore[misc]
    for items in suppressions.by_source.values():  # report only what this task used
        for suppression in items:
            suppression.used = False
    findings = _apply_share(project, rules, suppressions, ordered[lo:hi], with_project)
    used = [(source_id, i) for source_id, items in suppressions.by_source.items()
            for i, s in enumerate(items) if s.used]
    return findings, used


def _finding(rule: Rule, report: Report, config: Config, suppressions: SuppressionIndex | None) -> Finding:
    severity = config.severity_for(rule.id, rule.name, report.severity or rule.severity, rule.aliases)
    finding = Finding.at(report.span, rule=rule.id, name=rule.name, severity=severity,
                         criterion=rule.criterion if report.criterion is None else (report.criterion or None),
                         message=report.message, fix=report.fix or rule.fix, confidence=report.confidence,
                         related=report.related, autofix=resolve_fix(report.autofix))
    if suppressions is not None:
        own_line = report.span.source.position(report.span.start).line
        finding.suppressed = suppressions.suppresses(report.span.source, rule.id, rule.name, own_line, rule.aliases)
    return finding
