"""Spreading a run over the cores: whole projects per worker, or one large project's rules.

Workers are forked, so they share the parent's state copy-on-write and nothing is pickled going
in; findings come back. The number of workers follows the work: no pool for a few files, at most
one worker per core (``GPULINT_JOBS`` caps it; ``GPULINT_JOBS=1`` keeps everything in one process,
with identical findings).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from gpulint.core.findings import Finding
from gpulint.engine.ruleset import apply_rules, apply_suppression_rules, collect_suppressions

# Below this many files one process is faster than starting workers; each further worker needs
# about this many files to pay for itself.
FILES_PER_WORKER = 150


def choose_jobs(files: int) -> int:
    """Workers for a run reading ``files`` files."""
    if not hasattr(os, "fork") or os.environ.get("GPULINT_JOBS") == "1":
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        wanted = int(os.environ.get("GPULINT_JOBS", cpus))
    except ValueError:
        wanted = cpus
    return max(1, min(cpus, wanted, files // FILES_PER_WORKER))


def lint_units(units: list, lint: Callable[[Any, int], Any], keep: bool, progress: Any = None) -> list:
    """Every project (``Unit``) linted by ``lint(unit, jobs)``: whole projects in workers when
    there are several and their models need not be kept, else one at a time here, a large
    project's rules spread over workers."""
    if not keep and len(units) > 1:
        jobs = choose_jobs(sum(len(u.candidates) for u in units))
        if jobs > 1:
            return lint_units_in_workers(units, lambda unit: lint(unit, 1), jobs, progress)
    results = []
    for unit in units:
        results.append(lint(unit, choose_jobs(len(unit.candidates))))
        if progress is not None:
            progress.advance(len(unit.candidates))
    return results


def lint_rules(project: Any, rules: list, jobs: int = 1, targets: list[Any] | None = None) -> list[Finding]:
    """The rules on ``targets`` (default: every artifact of the project) and the project-wide
    rules, then the suppression rules; over ``jobs`` workers when more than one."""
    if jobs > 1:
        return lint_rules_in_workers(project, rules, jobs, targets)
    suppressions = collect_suppressions(project.artifacts)
    findings = apply_rules(project, rules, suppressions, project.artifacts if targets is None else targets,
                           with_project=True)
    findings.extend(apply_suppression_rules(project, rules, suppressions))
    return findings


def _pool(jobs: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))


# The state forked workers inherit (fork shares it copy-on-write: nothing is pickled going in).
_SHARED: tuple | None = None


def lint_units_in_workers(units: list, lint: Callable[[Any], Any], jobs: int, progress: Any = None) -> list:
    """Whole projects in workers: each reads, lints (``lint``) and releases its projects one at a time.
    Consecutive projects are grouped into a few tasks per worker, balanced by files. The project
    with the most kinds of files (the smallest such) is linted here first, so that the rules and
    models it imports are shared by the workers instead of imported in each."""
    global _SHARED
    first = max(range(len(units)), key=lambda i: (len({c.kind for c in units[i].candidates}),
                                                  -len(units[i].candidates), -i))
    warm = lint(units[first])
    if progress is not None:
        progress.advance(len(units[first].candidates))
    units = units[:first] + units[first + 1:]
    total = sum(len(u.candidates) for u in units)
    target = max(1, total // (jobs * 4))
    tasks: list[tuple[int, int]] = []
    start, size = 0, 0
    for i, unit in enumerate(units):
        size += len(unit.candidates)
        if size >= target:
            tasks.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(units):
        tasks.append((start, len(units)))
    tasks.sort(key=lambda t: -sum(len(u.candidates) for u in units[t[0]:t[1]]))  # largest first
    _SHARED = (units, lint)
    done: dict[tuple[int, int], list] = {}
    try:
        with _pool(jobs) as pool:
            for task, found in zip(tasks, pool.map(_unit_worker, tasks)):
                done[task] = found
                if progress is not None:
                    progress.advance(sum(len(u.candidates) for u in units[task[0]:task[1]]))
    finally:
        _SHARED = None
    results = [result for task in sorted(done) for result in done[task]]
    return results[:first] + [warm] + results[first:]


def _unit_worker(task: tuple[int, int]) -> list:
    units, lint = _SHARED  # type: ignore[misc]
    return [lint(unit) for unit in units[task[0]:task[1]]]


def lint_rules_in_workers(project: Any, rules: list, jobs: int, targets: list[Any] | None = None) -> list[Finding]:
    """One large project's rules in workers, over contiguous slices of its artifacts in path order
    (a folder's files stay together, so what they share is computed once per worker); the
    project-wide rules are one more task. ``targets``: the artifacts whose rules run (default all)."""
    global _SHARED
    suppressions = collect_suppressions(project.artifacts)
    ordered = sorted(project.artifacts if targets is None else targets, key=lambda a: getattr(getattr(a, "source", None), "rel_path", ""))
    count = jobs * 4
    size = -(-len(ordered) // count)
    tasks = [(0, 0, True)] + [(i * size, min(len(ordered), (i + 1) * size), False) for i in range(count)]
    _SHARED = (project, rules, suppressions, ordered)
    try:
        with _pool(jobs) as pool:
            results = list(pool.map(_rule_worker, tasks))
    finally:
        _SHARED = None
    findings: list[Finding] = []
    for found, used in results:
        findings.extend(found)
        for source_id, index in used:  # a suppression used in a worker is used
            suppressions.by_source[source_id][index].used = True
    findings.extend(apply_suppression_rules(project, rules, suppressions))
    return findings


def _rule_worker(task: tuple[int, int, bool]) -> tuple[list[Finding], list[tuple[int, int]]]:
    lo, hi, with_project = task
    project, rules, suppressions, ordered = _SHARED  # type: ignore[misc]
    for items in suppressions.by_source.values():  # report only what this task used
        for suppression in items:
            suppression.used = False
    findings = apply_rules(project, rules, suppressions, ordered[lo:hi], with_project)
    used = [(source_id, i) for source_id, items in suppressions.by_source.items()
            for i, s in enumerate(items) if s.used]
    return findings, used

