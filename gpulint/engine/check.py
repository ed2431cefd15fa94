"""``gpulint check``'s run: the named paths judged in their place in the repository, each file
under its own configuration (see ``gpulint.engine.workspace``).

Files governed by different configurations form groups. Every group sees every artifact read
(so the rules that compare artifacts see the same repository whatever was named), but its rules
run only on its own files, with its own `select`, `ignore`, `severity`, `profile` and
`gpu-runner-labels`. The run's own settings (`fail-on`, `require`, `timeout`, `limits`) come
from the configuration of the folder holding every named path.
"""

from __future__ import annotations

import difflib
import time
from pathlib import Path
from typing import Any

from gpulint.core.findings import Severity
from gpulint.core.records import Record, replace
from gpulint.core.source import Source, Span
from gpulint.engine.discovery import Candidate
from gpulint.engine.loader import FileProblem, load, timeout_problem
from gpulint.engine.ruleset import RuleSet
from gpulint.engine.run import RunResult
from gpulint.engine.units import Context, Unit, UnitResult, kinds_by_file, merged, problems_unit, split_units
from gpulint.engine.workers import lint_rules, lint_units
from gpulint.engine.workspace import ConfigEntry, NothingToCheck, Plan, plan
from gpulint.project.files import ProjectFiles
from gpulint.project.pipelines import ci_pipelines
from gpulint.project.project import Project
from gpulint.rules.selectors import selector_problem


def check(paths: list[Path], *, explicit_config: Path | None = None, isolated: bool = False,
          overrides: dict[str, Any] | None = None, allow_empty: bool = False, force_exclude: bool = False,
          progress: Any = None, cwd: Path | None = None, overlay: dict[Path, bytes] | None = None,
          keep_artifacts: bool = True) -> RunResult:
    """Lint ``paths`` as ``gpulint check`` does. Raises ``UsageError`` (exit 2) for a missing
    path, an unusable configuration, or (unless ``allow_empty``) paths with no artifact.
    ``overlay`` holds edited contents that stand in for files on disk (``check --fix``).
    ``keep_artifacts=False`` releases each project's models once linted (``RunResult.artifacts`` is
    then empty): memory follows the largest project, and projects are linted in workers."""
    import gc

    started = time.perf_counter()
    overrides = dict(overrides or {})
    timeout = overrides.pop("timeout", None)
    the_plan = plan(paths, explicit_config=explicit_config, isolated=isolated, overrides=overrides,
                    check_selector=selector_problem, force_exclude=force_exclude, cwd=cwd)
    the_plan.configs.raise_problems()
    run_config = the_plan.run.config
    if timeout is not None:
        run_config = replace(run_config, limits=replace(run_config.limits, timeout=timeout))
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)  # as engine.run: long-lived acyclic nodes, few collections
    try:
        result = _check(the_plan, run_config, started, progress, dict(overlay or {}), keep_artifacts)
    finally:
        gc.set_threshold(*thresholds)
    the_plan.configs.raise_problems()  # configurations met on the walk (folders below the start)
    if not allow_empty and not _artifact_files(result):
        raise NothingToCheck(_nothing_found(paths, the_plan))
    return result


def _check(the_plan: Plan, run_config, started: float, progress: Any, overlay: dict[Path, bytes],
           keep: bool) -> RunResult:
    base = the_plan.base
    files = ProjectFiles(base, run_config.limits, the_plan.files, the_plan.repositories, overlay)
    candidates = the_plan.targets + the_plan.context
    scope = {c.rel for c in the_plan.targets}
    groups = _groups(the_plan, candidates, run_config)
    job = _Job(Context(base, run_config, files, RuleSet(run_config), started, keep, overlay),
               {key: (config, RuleSet(config)) for key, config in groups.items()},
               {c.rel: _entry_key(the_plan.configs.for_file(c.path)) for c in candidates},
               _entry_key(the_plan.run), scope, {c.rel for c in the_plan.context} - scope)
    # A repository none of whose files were named is not read: cross-file facts never cross
    # repositories, so it cannot change a finding on the named paths.
    units = [u for u in split_units(candidates, files, run_config) if any(c.rel in scope for c in u.candidates)]
    if progress is not None:
        progress.phase("linting", sum(len(u.candidates) for u in units))
    results = lint_units(units, lambda unit, jobs: _lint_unit(unit, job, jobs), keep, progress)

    position = {c.rel: i for i, c in reversed(list(enumerate(candidates)))}
    skipped = sorted((c for r in results for c in r.skipped), key=lambda c: position[c.rel])
    problems: list[Any] = []
    if skipped:
        read = sum(len(u.candidates) for u in units) - len(skipped)
        problems.append(timeout_problem(base, skipped, run_config.limits.timeout, read))
        scope.add(skipped[0].rel)
    for walk_problem in the_plan.problems:
        source = Source("", walk_problem.rel, base / walk_problem.rel)
        problems.append(FileProblem(Span(source, 0, 0), walk_problem.message, Severity.WARNING))
    results.append(problems_unit(job.context, problems))

    findings, kinds = merged(results)
    # those of the named paths, for live mode (kept on request)
    artifacts = [a for result in results for _, items in result.artifacts for a in items]
    return RunResult(base, findings, sorted(scope), artifacts, run_config,
                     time.perf_counter() - started, kinds)


class _Job(Record):
    """What every project of one check shares."""

    context: Context
    groups: dict[Any, tuple[Any, RuleSet]]  # each configuration in use -> its Config and rules
    file_group: dict[str, Any]  # file -> the configuration that governs it
    run_key: Any
    scope: set[str]  # the files of the named paths
    context_only: set[str]  # files read as context only: no finding is reported on them


def _lint_unit(unit: Unit, job: _Job, jobs: int = 1) -> UnitResult:
    """One project's files read, then each configuration's rules run on its own files (every group
    sees every artifact of the project, so the rules that compare artifacts see the same
    repository whatever was named)."""
    context = job.context
    result = UnitResult()
    loader = Project(context.root, context.config, _files=context.files, overlay=context.overlay)
    owner: dict[int, str] = {}  # id(artifact) -> the file it was read from
    for candidate in unit.candidates:
        if result.skipped or context.out_of_time():
            result.skipped.append(candidate)
            continue
        for artifact in load(candidate, loader):
            owner[id(artifact)] = candidate.rel
            loader.artifacts.append(artifact)
    own_groups = {job.file_group.get(c.rel, job.run_key) for c in unit.candidates} | {job.run_key}
    for key in [k for k in job.groups if k in own_groups]:
        config, rules = job.groups[key]
        view = Project(context.root, config, list(loader.artifacts), _files=context.files, overlay=context.overlay)
        view.artifacts.extend(ci_pipelines(view))  # judged with this group's profile and runner labels
        mine = [a for a in view.artifacts if job.file_group.get(_file_of(a, owner), job.run_key) == key]
        in_scope = [a for a in mine if _file_of(a, owner) in job.scope]
        if context.keep:
            result.artifacts.append((None, in_scope))
        for path, found in kinds_by_file(in_scope).items():
            result.kinds.setdefault(path, set()).update(found)
        selected = rules.for_kinds({a.kind for a in view.artifacts} | {"project", "suppression"})
        for finding in lint_rules(view, selected, jobs, mine):
            if finding.path in job.context_only:
                continue  # reported on the named paths only
            where = job.file_group.get(finding.path)
            if where is not None and where != key and not job.groups[where][0].enabled(finding.rule, finding.name):
                continue  # a file whose own configuration turns the rule off
            if where is None and key != job.run_key and finding.path in ("", "."):
                continue  # a project-wide finding belongs to the run's configuration
            result.findings.append(finding)
        if not context.keep:
            view.release()
    if not context.keep:
        loader.release()
    context.files.release()
    return result


def _groups(the_plan: Plan, candidates: list[Candidate], run_config) -> dict[Any, Any]:
    """Each configuration in use -> the Config its group runs with (the run's settings, its own
    per-file ones; `require` is judged once, by the run's group)."""
    groups: dict[Any, Any] = {_entry_key(the_plan.run): run_config}
    for candidate in candidates:
        entry = the_plan.configs.for_file(candidate.path)
        key = _entry_key(entry)
        if key not in groups:
            groups[key] = replace(entry.config, require=(), fail_on=run_config.fail_on, limits=run_config.limits)
    return groups


def _entry_key(entry: ConfigEntry) -> Any:
    return entry.path


def _file_of(artifact: Any, owner: dict[int, str]) -> str | None:
    rel = owner.get(id(artifact))
    if rel is not None:
        return rel
    source = getattr(artifact, "source", None)
    if source is None:
        return None
    return source.resolve(0, 0)[0].rel_path


def _artifact_files(result: RunResult) -> set[str]:
    """The files that hold an artifact (or one that could not be read): a YAML file that is none of
    gpulint's artifacts does not count."""
    return {path for path, kinds in result.kinds.items() if kinds - {"yaml"} and path}


# Names a user may have meant for a file or folder gpulint reads.
_FILE_NAMES = ("Dockerfile", "Containerfile", ".gitlab-ci.yml", "cloudbuild.yaml", "smoke_test.py")
_FOLDER_NAMES = (".github", "workflows")


def _nothing_found(paths: list[Path], the_plan: Plan) -> str:
    named = " ".join(str(p) for p in paths) or "."
    message = (f"no artifact found in {named}: no Dockerfile, CI pipeline, Kubernetes manifest, rollout plan or "
               "smoke test")
    if the_plan.excluded_files:
        message += f" ({the_plan.excluded_files} file(s) or folder(s) left out by `exclude`)"
    guesses = _near_names(paths, the_plan)
    if guesses:
        message += "; did you mean " + ", ".join(f"{have!r} as {want!r}" for have, want in guesses[:3]) + "?"
    return message + "; pass --allow-empty when none is expected"


def _near_names(paths: list[Path], the_plan: Plan, limit: int = 5000) -> list[tuple[str, str]]:
    """(path seen, name meant) for files gpulint does not read and folders it does not look in
    whose names are close to ones it does (`Dockerfile.txt`, `.github/workflow/`)."""
    import os

    from gpulint.engine.discovery import SKIP_DIRS, classify

    found: list[tuple[str, str]] = []
    seen = 0
    for path in paths:
        if not path.is_dir():
            continue
        for folder, dirs, files in os.walk(path):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                             and not the_plan.configs.excluded(here / d, True))
            for name, vocabulary in [(d, _FOLDER_NAMES) for d in dirs] + [(f, _FILE_NAMES) for f in sorted(files)]:
                if name in vocabulary or (vocabulary is _FILE_NAMES and classify(name) is not None):
                    continue
                guess = difflib.get_close_matches(name, vocabulary, n=1, cutoff=0.8)
                if guess:
                    found.append(((here / name).as_posix(), guess[0]))
            seen += len(dirs) + len(files)
            if seen > limit:
                return found
    return found
