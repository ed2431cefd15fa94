"""Linting one project at a time: its files read, its pipelines compiled, its rules run, its models
released.

A project is a repository of the scanned tree (``ProjectFiles.repository_of``: the nearest folder
holding `.git`, `.github/` or `.gitlab-ci.yml`, else the scanned root). Cross-file facts never
cross repositories, so each one is linted on its own and its parsed models are dropped before the
next is read: memory follows the largest project, not the tree.
"""

from __future__ import annotations

import time
from typing import Any

from gpulint.core.findings import Finding
from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span
from gpulint.engine.discovery import Candidate
from gpulint.engine.loader import load
from gpulint.engine.ruleset import RuleSet, apply_rules
from gpulint.engine.suppress import SuppressionIndex
from gpulint.engine.workers import lint_rules
from gpulint.project.config import Config
from gpulint.project.files import ProjectFiles
from gpulint.project.pipelines import ci_pipelines
from gpulint.project.project import Project


class Unit(Record):
    """One project of the scanned tree: the files discovery found in it, in path order."""

    repository: str  # its root folder, relative to the scanned root ("" for the root itself)
    candidates: list[Candidate] = field(default_factory=list)


class UnitResult(Record):
    findings: list[Finding] = field(default_factory=list)
    kinds: dict[str, set[str]] = field(default_factory=dict)  # artifact kinds by file (what junit reports)
    skipped: list[Candidate] = field(default_factory=list)  # files the time limit left unread
    # Only when the caller keeps them: (candidate, its artifacts) in path order; (None, problems).
    artifacts: list[tuple[Candidate | None, list[Any]]] = field(default_factory=list)
    pipelines: list[Any] = field(default_factory=list)  # only when the caller keeps them


def split_units(candidates: list[Candidate], files: ProjectFiles, config: Config | None = None) -> list[Unit]:
    """The tree's projects in path order, each with its files (the root's project first). A run
    that `require`s artifact kinds asks it of the whole tree: its files stay one unit."""
    if config is not None and config.require:
        return [Unit("", list(candidates))]
    units: dict[str, Unit] = {}
    for candidate in candidates:
        repository = files.repository_of(candidate.rel)
        unit = units.get(repository)
        if unit is None:
            unit = units[repository] = Unit(repository)
        unit.candidates.append(candidate)
    if not units:
        units[""] = Unit("")  # an empty tree is still one project (GL004 says what it lacks)
    return [units[name] for name in sorted(units)]


class Context(Record):
    """What every project of one run shares."""

    root: Any
    config: Config
    files: ProjectFiles
    rules: RuleSet
    started: float
    keep: bool = False  # keep the parsed artifacts for the caller (RunResult.artifacts)
    overlay: dict = field(default_factory=dict)  # edited contents that stand in for files (`check --fix`)

    def out_of_time(self) -> bool:
        timeout = self.config.limits.timeout
        return timeout is not None and time.perf_counter() - self.started > timeout


def load_unit(unit: Unit, context: Context, result: UnitResult) -> Project:
    """The project's artifacts read and its pipelines compiled (files past the time limit skipped)."""
    project = Project(context.root, context.config, _files=context.files, overlay=context.overlay)
    for candidate in unit.candidates:
        if result.skipped or context.out_of_time():
            result.skipped.append(candidate)
            continue
        artifacts = load(candidate, project)
        project.artifacts.extend(artifacts)
        if context.keep:
            result.artifacts.append((candidate, artifacts))
    pipelines = ci_pipelines(project)  # every CI system, compiled into the one CI model
    project.artifacts.extend(pipelines)
    if context.keep:
        result.pipelines = pipelines
    return project


def lint_unit(unit: Unit, context: Context, jobs: int = 1) -> UnitResult:
    """Every enabled rule on one project (in ``jobs`` workers); its models are released on return."""
    result = UnitResult()
    project = load_unit(unit, context, result)
    selected = context.rules.for_kinds({a.kind for a in project.artifacts} | {"project", "suppression"})
    result.findings = lint_rules(project, selected, jobs)
    result.kinds = kinds_by_file(project.artifacts)
    if not context.keep:  # kept models still ask their project
        project.release()
    context.files.release()
    return result


def kinds_by_file(artifacts: list[Any]) -> dict[str, set[str]]:
    """The artifact kinds read from each file (an answers file's fields belong to the file)."""
    kinds: dict[str, set[str]] = {}
    for artifact in artifacts:
        source = getattr(artifact, "source", None)
        if source is None:
            continue
        path = source.resolve(0, 0)[0].rel_path
        kinds.setdefault(path, set()).add(artifact.kind)
    return kinds


def merged(results: list[UnitResult]) -> tuple[list[Finding], dict[str, set[str]]]:
    """The findings of every project, each once, in report order, and the kinds read from each file."""
    unique: dict[tuple, Finding] = {}
    kinds: dict[str, set[str]] = {}
    for result in results:
        for finding in result.findings:
            unique.setdefault((finding.rule, finding.path, finding.line, finding.column, finding.message), finding)
        for path, found in result.kinds.items():
            kinds.setdefault(path, set()).update(found)
    return sorted(unique.values(), key=Finding.sort_key), kinds


def problems_unit(context: Context, artifacts: list[Any]) -> UnitResult:
    """Files that could not be walked, configuration problems and the time limit's notice: they
    belong to no project, and only the file rules (GL001) read them."""
    result = UnitResult(artifacts=[(None, list(artifacts))] if context.keep else [])
    if not artifacts:
        return result
    project = Project(context.root, context.config, artifacts=list(artifacts), _files=context.files)
    selected = context.rules.for_kinds({"file"})
    result.findings = apply_rules(project, [r for r in selected if r.kind == "file"], SuppressionIndex(),
                                  project.artifacts, with_project=False)
    result.kinds = kinds_by_file(artifacts)
    return result


def problem_artifacts(root: Any, walk_problems: list, config: Config) -> list[Any]:
    from gpulint.core.findings import Severity
    from gpulint.engine.loader import FileProblem

    out: list[Any] = []
    for problem in walk_problems:
        source = Source("", problem.rel, root / problem.rel)
        out.append(FileProblem(Span(source, 0, 0), problem.message, Severity.WARNING))
    for span, message in config.problems:
        out.append(FileProblem(span, message))
    return out
