"""Sibling repositories of one scanned tree (a folder of checkouts, a corpus of projects) are judged
apart: one's GPU test never stands in for another's, and a Deployment is compared with the pushes
of its own repository only."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from gpulint.engine.run import run

WORKFLOW_WITHOUT_TEST = """\
on: {push: {branches: [main]}}
jobs:
  build:
    runs-on: [self-hosted, gpu]
    steps:
      - run: docker build -t ghcr.io/acme/b:${{ github.sha }} .
      - run: docker push ghcr.io/acme/b:${{ github.sha }}
"""


def _tree(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "reference", tmp_path / "a")
    (tmp_path / "a" / ".git").mkdir()
    (tmp_path / "b" / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / "b" / ".git").mkdir()
    (tmp_path / "b" / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW_WITHOUT_TEST)
    return tmp_path


def test_one_repository_s_gpu_test_does_not_satisfy_another(tmp_path: Path) -> None:
    result = run([_tree(tmp_path)])
    missing = [(f.rule, f.path) for f in result.findings if f.rule == "GL202"]
    assert missing == [("GL202", "b/.github/workflows/ci.yml")]
    assert not [f for f in result.findings if f.path.startswith("a/") and f.severity.value == "error"]


def test_the_same_files_in_one_repository_share_the_test(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    shutil.rmtree(tree / "a" / ".git")
    shutil.rmtree(tree / "b" / ".git")
    (tree / ".git").mkdir()  # now one repository: b's workflow ...
    shutil.move(str(tree / "b" / ".github" / "workflows" / "ci.yml"), str(tree / "a" / ".github" / "workflows"))
    result = run([tree])
    assert not [f for f in result.findings if f.rule == "GL202"]  # ... shares a's GPU test


def test_deployments_are_compared_with_their_own_repository_s_pushes(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    (tree / "b" / "k8s").mkdir()
    deployment = (REPO / "reference" / "k8s" / "deployment.yaml").read_text()
    (tree / "b" / "k8s" / "deployment.yaml").write_text(deployment)
    findings = {(f.rule, f.path) for f in run([tree]).findings}
    # b's Deployment runs ghcr.io/example/gpu-inference, which only a's pipeline pushes
    assert ("GL521", "b/k8s/deployment.yaml") in findings
    assert ("GL521", "a/k8s/deployment.yaml") not in findings


PINNED_BY_TAG = """\
on: {push: {branches: [main]}}
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/setup-tools@v2
      - uses: someone-else/cache-action@v1
"""


def _clone(folder: Path, remote: str | None) -> Path:
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "lint.yml").write_text(PINNED_BY_TAG)
    subprocess.run(["git", "init", "-q", str(folder)], check=True, capture_output=True)
    if remote is not None:
        subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", remote], check=True, capture_output=True)
    return folder


def _unpinned(root: Path) -> list[tuple[str, str]]:
    return sorted((f.path, f.message.split()[2]) for f in run([root]).findings if f.rule == "GL210")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to make the clones")
def test_an_organisation_s_own_actions_are_not_third_party(tmp_path: Path) -> None:
    """The owner comes from each clone's own `origin` remote (SSH or HTTPS form); a tree of
    sibling clones judges each by its own owner, and a folder without a remote cannot tell."""
    _clone(tmp_path / "acme-app", "git@github.com:acme/app.git")
    _clone(tmp_path / "other-app", "https://github.com/someone-else/app")
    _clone(tmp_path / "no-remote", None)
    assert _unpinned(tmp_path) == [
        ("acme-app/.github/workflows/lint.yml", "someone-else/cache-action"),
        ("no-remote/.github/workflows/lint.yml", "acme/setup-tools"),
        ("no-remote/.github/workflows/lint.yml", "someone-else/cache-action"),
        ("other-app/.github/workflows/lint.yml", "acme/setup-tools"),
    ]
    # Checked on its own (the clone is the scanned root), the same owner applies.
    assert _unpinned(tmp_path / "acme-app") == [(".github/workflows/lint.yml", "someone-else/cache-action")]


def test_the_owner_a_workflow_gates_on_is_the_repository_s_own(tmp_path: Path) -> None:
    """Without a remote, the owner a workflow's conditions name (`github.repository_owner ==`,
    `github.repository !=`) is the repository's own, for every workflow of that repository and
    for no other repository."""
    gated = tmp_path / "gated" / ".github" / "workflows"
    gated.mkdir(parents=True)
    (gated / "lint.yml").write_text(PINNED_BY_TAG)
    (gated / "gpu.yml").write_text(
        "on: push\njobs:\n  test:\n    if: github.repository_owner == 'Acme'\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: acme/gpu-test@v1\n")
    upstream = tmp_path / "upstream" / ".github" / "workflows"
    upstream.mkdir(parents=True)
    (upstream / "lint.yml").write_text(PINNED_BY_TAG.replace(
        "    steps:", "    if: github.repository != 'someone-else/app'\n    steps:", 1))
    other = tmp_path / "other" / ".github" / "workflows"
    other.mkdir(parents=True)
    (other / "lint.yml").write_text(PINNED_BY_TAG)
    assert _unpinned(tmp_path) == [
        ("gated/.github/workflows/lint.yml", "someone-else/cache-action"),
        ("other/.github/workflows/lint.yml", "acme/setup-tools"),
        ("other/.github/workflows/lint.yml", "someone-else/cache-action"),
        ("upstream/.github/workflows/lint.yml", "acme/setup-tools"),
    ]
