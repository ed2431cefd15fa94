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
from dataclasses import replace
from pathlib import Path
from typing import Any

from gpulint.core.findings import Finding, Severity
from gpulint.core.source import Source, Span
from gpulint.engine.discovery import Candidate
from gpulint.engine.loader import FileProblem, load, timeout_problem
from gpulint.engine.run import RunResult, _apply_rules
from gpulint.rules.selectors import selector_problem
from gpulint.engine.workspace import ConfigEntry, NothingToCheck, Plan, plan
from gpulint.project.files import ProjectFiles
from gpulint.project.pipelines import ci_pipelines
from gpulint.project.project import Project


def check(paths: list[Path], *, explicit_config: Path | None = None, isolated: bool = False,
          overrides: dict[str, Any] | None = None, allow_empty: bool = False, force_exclude: bool = False,
          progress: Any = None, cwd: Path | None = None, overlay: dict[Path, bytes] | None = None) -> RunResult:
    """Lint ``paths`` as ``gpulint check`` does. Raises ``UsageError`` (exit 2) for a missing
    path, an unusable configuration, or (unless ``allow_empty``) paths with no artifact.
    ``overlay`` holds edited contents that stand in for files on disk (``check --fix``)."""
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
        result = _check(the_plan, run_config, started, progress, dict(overlay or {}))
    finally:
        gc.set_threshold(*thresholds)
    the_plan.configs.raise_problems()  # configurations met on the walk (folders below the start)
    if not allow_empty and not _artifact_files(result):
        raise NothingToCheck(_nothing_found(paths, the_plan))
    return result


def _check(the_plan: Plan, run_config, started: float, progress: Any, overlay: dict[Path, bytes]) -> RunResult:
    base = the_plan.base
    files = ProjectFiles(base, run_config.limits, the_plan.files, the_plan.repositories, overlay)
    loader = Project(base, run_config, _files=files, overlay=overlay)
    owner: dict[int, str] = {}  # id(artifact) -> the file it was read from
    candidates = the_plan.targets + the_plan.context
    timeout = run_config.limits.timeout
    skipped: list[Candidate] = []
    if progress is not None:
        progress.phase("reading", len(candidates))
    for candidate in candidates:
        if timeout is not None and (skipped or time.perf_counter() - started > timeout):
            skipped.append(candidate)
            continue
        for artifact in load(candidate, loader):
            owner[id(artifact)] = candidate.rel
            loader.artifacts.append(artifact)
        if progress is not None:
            progress.advance(1)
    scope = {c.rel for c in the_plan.targets}
    context = {c.rel for c in the_plan.context} - scope
    if skipped:
        problem = timeout_problem(base, skipped, timeout, len(candidates) - len(skipped))
        owner[id(problem)] = skipped[0].rel
        scope.add(skipped[0].rel)
        context.discard(skipped[0].rel)
        loader.artifacts.append(problem)
    for walk_problem in the_plan.problems:
        source = Source("", walk_problem.rel, base / walk_problem.rel)
        loader.artifacts.append(FileProblem(Span(source, 0, 0), walk_problem.message, Severity.WARNING))

    groups = _groups(the_plan, candidates, run_config)
    file_group = {c.rel: _entry_key(the_plan.configs.for_file(c.path)) for c in candidates}
    run_key = _entry_key(the_plan.run)
    findings: dict[tuple, Finding] = {}
    artifacts: list[Any] = []  # those of the named paths, for the reporters and live mode
    for key, config in groups.items():
        view = Project(base, config, list(loader.artifacts), _files=files, overlay=overlay)
        pipelines = ci_pipelines(view)  # judged with this group's profile and runner labels
        view.artifacts.extend(pipelines)
        mine = [a for a in view.artifacts if file_group.get(_file_of(a, owner), run_key) == key]
        artifacts.extend(a for a in mine if _file_of(a, owner) in scope)
        for finding in _apply_rules(view, mine, progress):
            if finding.path in context:
                continue  # reported on the named paths only
            where = file_group.get(finding.path)
            if where is not None and where != key and not groups[where].enabled(finding.rule, finding.name):
                continue  # a file whose own configuration turns the rule off
            if where is None and key != run_key and finding.path in ("", "."):
                continue  # a project-wide finding belongs to the run's configuration
            findings.setdefault((finding.rule, finding.path, finding.line, finding.column, finding.message), finding)
    return RunResult(base, sorted(findings.values(), key=Finding.sort_key), sorted(scope), artifacts, run_config,
                     time.perf_counter() - started)


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
    return {f for f in (getattr(getattr(a, "source", None), "rel_path", None) for a in result.artifacts
                        if a.kind != "yaml") if f}


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
