"""Linting a large tree: projects one at a time and in workers, with the same findings as one
process; models released once linted; the indexes and shortcuts that make it linear give the
answers of the plain computations they replace."""

from __future__ import annotations

import ast
import gc
import json
import os
import shutil
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO

from gpulint.core.limits import Limits
from gpulint.core.source import Source
from gpulint.engine.run import run
from gpulint.project.lifecycle import PushIndex
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.images import parse_image, pattern_matches
from gpulint.syntax.python import parent_map, walk
from gpulint.syntax.yamlfile import load_yaml

REFERENCE = REPO / "reference"
FAILING = sorted((REPO / "fixtures").glob("GL1*/fail/*.Dockerfile"))


def _projects(root: Path, count: int) -> Path:
    """``count`` repositories, each the reference solution (its own `.github/`), every other
    one with a failing Dockerfile fixture."""
    files = [p for p in REFERENCE.rglob("*") if p.is_file() and p.suffix != ".md"]
    for index in range(count):
        project = root / f"project-{index:03d}"
        for path in files:
            target = project / path.relative_to(REFERENCE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        if index % 2:
            shutil.copyfile(FAILING[index % len(FAILING)], project / FAILING[index % len(FAILING)].name)
    return root


def _one_project(root: Path, services: int) -> Path:
    """One repository of many services, its workflows side by side under the root's `.github/`."""
    (root / ".git").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    workflow = (REFERENCE / ".github/workflows/gpu-ci.yml").read_text()
    for index in range(services):
        name = f"svc-{index:03d}"
        service = root / "services" / name
        (service / "k8s").mkdir(parents=True)
        (root / f".github/workflows/{name}.yml").write_text(
            workflow.replace("gpu-inference", name).replace('github.sha }}" .\n', f'github.sha }}}}" services/{name}\n'))
        (service / "k8s/deployment.yaml").write_text((REFERENCE / "k8s/deployment.yaml").read_text()
                                                     .replace("gpu-inference", name))
        for file in ("Dockerfile", "smoke_test.py", "serve.py", "requirements.txt", "rollout.yaml"):
            shutil.copyfile(REFERENCE / file, service / file)
        if index % 3 == 0:
            shutil.copyfile(FAILING[index % len(FAILING)], service / FAILING[index % len(FAILING)].name)
    return root


def _check(path: Path, **env: str) -> dict:
    environment = {**os.environ, "NO_COLOR": "1", **env}
    proc = subprocess.run([sys.executable, "-m", "gpulint", "check", str(path), "--format", "json"],
                          capture_output=True, text=True, env=environment, cwd=REPO, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    data["summary"].pop("elapsed_seconds")
    return data


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@pytest.mark.skipif(not hasattr(os, "fork") or _cpus() < 2, reason="needs fork and two CPUs")
def test_workers_find_what_one_process_finds(tmp_path: Path) -> None:
    from gpulint.engine.workers import choose_jobs

    many = _projects(tmp_path / "many", 50)  # 360 files: projects are linted in two workers
    one = _one_project(tmp_path / "one", 60)  # one project of 420 files: its rules run in workers
    for tree, files in ((many, 360), (one, 420)):
        assert choose_jobs(files) >= 2  # the comparison below is between workers and one process
        alone = _check(tree, GPULINT_JOBS="1")
        assert alone["findings"], "the corpus has failing fixtures"
        assert _check(tree, GPULINT_JOBS="2") == alone


def test_sibling_repositories_are_separate_projects(tmp_path: Path) -> None:
    """A promotion flow's tag patterns, like every cross-file fact, belong to one repository: a
    pattern of one checkout never admits the deployed tag of another."""
    for name, pattern in (("a", "v*"), ("b", "^[0-9a-f]{40}$")):
        project = tmp_path / name
        shutil.copytree(REFERENCE, project)
        rollout = (project / "rollout.yaml").read_text().splitlines()
        (project / "rollout.yaml").write_text("\n".join(
            line.split("tag_pattern:")[0] + f"tag_pattern: '{pattern}'" if "tag_pattern:" in line else line
            for line in rollout) + "\n")
        deployment = project / "k8s" / "deployment.yaml"
        deployment.write_text(deployment.read_text().replace(
            "gpu-inference:3f1c9a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e", "gpu-inference:v1.2.0"))
    found = {(f.rule, f.path) for f in run([tmp_path]).findings if f.rule == "GL522"}
    assert ("GL522", "b/k8s/deployment.yaml") in found
    assert ("GL522", "a/k8s/deployment.yaml") not in found


def test_a_project_s_models_are_released_before_the_next_is_read(tmp_path: Path, monkeypatch) -> None:
    import gpulint.engine.units as units

    monkeypatch.setenv("GPULINT_JOBS", "1")
    _projects(tmp_path, 4)
    loaded: list[list[weakref.ref]] = []
    real_load = units.load_unit

    def watched(unit, context, result):
        gc.collect()
        alive = [sum(ref() is not None for ref in refs) for refs in loaded[:-1]]
        assert not any(alive), f"models of earlier projects still alive: {alive}"
        project = real_load(unit, context, result)
        loaded.append([weakref.ref(a) for a in project.artifacts if hasattr(a, "__weakref__")])
        return project

    monkeypatch.setattr(units, "load_unit", watched)
    result = run([tmp_path], keep_artifacts=False)
    assert len(loaded) == 4 and all(loaded) and not result.artifacts


def test_kept_artifacts_come_in_path_order(tmp_path: Path) -> None:
    _projects(tmp_path, 3)
    kept = run([tmp_path]).artifacts
    paths = [a.source.rel_path for a in kept if a.kind not in ("ci", "file")]
    assert paths == sorted(paths)
    assert [a.kind for a in kept][-3:] == ["ci"] * 3


# ----------------------------------------------------------------------------- positions

@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])
def test_plain_offsets_give_the_lines_yaml_counts(newline: str) -> None:
    text = newline.join(["a: 1", "b:", "  - x", "  - {c: 'd'}", "e: |", "  f", "  g", "h: i"]) + newline
    source = Source(text, "x.yaml")
    document = load_yaml(source, Limits()).documents[0]
    marked = yaml.compose(text, Loader=yaml.CSafeLoader)
    mine = [n for _, n in Y.walk(document)]
    theirs = [n for _, n in Y.walk(marked)]
    assert len(mine) == len(theirs) > 5
    for node, other in zip(mine, theirs):
        assert isinstance(node.start_mark, int) and isinstance(node.end_mark, int)
        assert (Y.start(node), Y.end(node)) == (other.start_mark.index, other.end_mark.index)
        assert Y.line(source, node) == other.start_mark.line + 1 == Y.line(source, other)


def test_duplicate_keys_are_found_with_anchors_and_without() -> None:
    for text in ("a: 1\nb: 2\na: 3\n", "x: &x {k: 1}\ny: *x\na: 1\na: 2\n"):
        found = load_yaml(Source(text, "d.yaml"), Limits()).duplicates
        assert [(d.key.value, Y.start(d.key)) for d in found] == [("a", text.rindex("a:"))]


# ----------------------------------------------------------------------------- Python trees

def test_walk_and_parents_match_the_ast_module() -> None:
    """The same nodes in the same order as ``ast.walk``, less the context and operator
    singletons (read through ``.ctx``/``.op``/``.ops``, never as nodes)."""
    singletons = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)

    def expected_walk(node: ast.AST) -> list[int]:
        return [id(n) for n in ast.walk(node) if not isinstance(n, singletons)]

    for path in sorted((REPO / "gpulint").rglob("*.py"))[:80]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert [id(n) for n in walk(tree)] == expected_walk(tree)
        for node in list(ast.walk(tree))[::37]:
            if not isinstance(node, singletons):
                assert [id(n) for n in walk(node)] == expected_walk(node)
        expected = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
                    if not isinstance(child, singletons)}
        assert parent_map(tree) == expected


# ----------------------------------------------------------------------------- pushed images by name

_SEGMENT = st.sampled_from(["app", "gpu-inference", "svc-1", "*", "ghcr.io", "acme", "library", "x*y", "a?b",
                            "[ab]c", "docker.io", "registry:5000", "Acme"])


@settings(max_examples=300, deadline=None)
@given(pushed=st.lists(st.lists(_SEGMENT, min_size=1, max_size=4).map("/".join), max_size=5),
       deployed=st.lists(st.sampled_from(["app", "gpu-inference", "svc-1", "acme", "library", "c", "ac", "xzy"]),
                         min_size=1, max_size=3).map("/".join),
       registry=st.sampled_from(["", "ghcr.io/", "docker.io/", "registry:5000/"]),
       tag=st.sampled_from(["", ":v1", "@sha256:" + "a" * 64]))
def test_the_push_index_answers_as_every_pattern_would(pushed, deployed, registry, tag) -> None:
    class Site:
        def __init__(self, target: str) -> None:
            self.target = target

    ref = parse_image(registry + deployed + tag)
    if ref is None:
        return
    sites = [Site(p) for p in pushed]
    assert PushIndex(sites).pushes(ref) == any(pattern_matches(s.target, ref) for s in sites)


def test_check_releases_each_project_before_the_next_is_read(tmp_path: Path, monkeypatch) -> None:
    """`gpulint check` (per-file configurations) streams through the tree as ``run`` does."""
    import gpulint.engine.check as checking

    monkeypatch.setenv("GPULINT_JOBS", "1")
    _projects(tmp_path, 4)
    (tmp_path / "project-002" / ".gpulint.yaml").write_text("ignore: [GL103]\n")  # a second configuration
    loaded: dict[str, list[weakref.ref]] = {}
    real_load = checking.load

    def watched(candidate, project):
        folder = candidate.rel.split("/")[0]
        if folder not in loaded:
            gc.collect()
            alive = {name: sum(ref() is not None for ref in refs) for name, refs in loaded.items()}
            assert not any(alive.values()), f"models of earlier projects still alive: {alive}"
            loaded[folder] = []
        artifacts = real_load(candidate, project)
        loaded[folder].extend(weakref.ref(a) for a in artifacts if hasattr(a, "__weakref__"))
        return artifacts

    monkeypatch.setattr(checking, "load", watched)
    result = checking.check([tmp_path], keep_artifacts=False)
    assert sorted(loaded) == [f"project-{i:03d}" for i in range(4)] and all(loaded.values())
    assert not result.artifacts and result.findings
    assert {"dockerfile", "workflow", "kubernetes"} <= set().union(*result.kinds.values())


def test_a_check_of_one_repository_reads_no_sibling_repository(tmp_path: Path, monkeypatch) -> None:
    """The rest of the scanned repository is read as context, but a sibling repository (a folder
    with its own `.github/`) cannot change a finding on the named paths: it is not read."""
    import gpulint.engine.check as checking

    (tmp_path / ".git").mkdir()
    _projects(tmp_path / "services", 3)
    (tmp_path / "deploy.yaml").write_text((REFERENCE / "k8s" / "deployment.yaml").read_text())
    read: list[str] = []
    real_load = checking.load

    def watched(candidate, project):
        read.append(candidate.rel)
        return real_load(candidate, project)

    monkeypatch.setattr(checking, "load", watched)
    named = tmp_path / "services" / "project-001"
    result = checking.check([named], cwd=tmp_path)
    assert read and all(rel.startswith("services/project-001/") for rel in read), read
    assert result.findings, "project-001 holds a failing fixture"
    whole = checking.check([tmp_path], cwd=tmp_path)  # every repository read
    assert [f for f in whole.findings if f.path.startswith("services/project-001/")] == result.findings
