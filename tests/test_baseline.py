"""Baselines: `check --write-baseline FILE` records today's findings, `check --baseline FILE`
reports only new ones, and a recorded finding stays recorded through unrelated edits."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "fixtures/GL503/fail/curl-healthcheck", root)  # GL104, GL113 and two GL503
    (root / "svc").mkdir()
    shutil.copy(REPO / "fixtures/GL102/fail/no-user.Dockerfile", root / "svc/Dockerfile")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    return root


def _rules(result) -> list[tuple[str, str, int]]:
    return [(f["rule"], f["path"], f["line"]) for f in result.json()["findings"]]


def test_write_then_report_only_new_findings(cli, repo: Path):
    before = cli("check", ".", "--format", "json", cwd=repo)
    assert before.returncode == 1
    recorded = _rules(before)
    assert len(recorded) == 5
    written = cli("check", ".", "--write-baseline", "gpulint-baseline.json", cwd=repo)
    assert written.returncode == 0 and "recorded 5 finding(s)" in written.stderr
    document = json.loads((repo / "gpulint-baseline.json").read_text())
    assert document["gpulint_baseline"] == 1
    assert sorted((f["rule"], f["path"], f["line"]) for f in document["findings"]) == sorted(recorded)

    quiet = cli("check", ".", "--baseline", "gpulint-baseline.json", "--format", "json", cwd=repo)
    assert quiet.returncode == 0 and quiet.json()["findings"] == []
    assert quiet.json()["summary"]["baselined"] == 5
    assert "5 in the baseline" in cli("check", ".", "--baseline", "gpulint-baseline.json", cwd=repo).stdout

    # Unrelated edits: lines inserted above every finding, a change elsewhere in each file.
    dockerfile = repo / "svc/Dockerfile"
    dockerfile.write_text("# syntax=docker/dockerfile:1\n# the service image\n\n" + dockerfile.read_text()
                          + "LABEL org.opencontainers.image.title=svc\n")
    manifest = repo / "k8s/deployment.yaml"
    manifest.write_text("# deployed by Argo CD\n" + manifest.read_text().replace("replicas: 2", "replicas: 3"))
    root_dockerfile = repo / "Dockerfile"
    root_dockerfile.write_text(root_dockerfile.read_text().replace("EXPOSE 8000", "EXPOSE 8000\nEXPOSE 9000"))
    shifted = cli("check", ".", "--format", "json", cwd=repo)
    assert sorted(r for r, _, _ in _rules(shifted)) == sorted(r for r, _, _ in recorded)
    assert _rules(shifted) != recorded  # the findings moved...
    still = cli("check", ".", "--baseline", "gpulint-baseline.json", "--format", "json", cwd=repo)
    assert still.returncode == 0 and still.json()["findings"] == []  # ...and are still recorded

    # A new finding is reported: a second service running as root.
    (repo / "svc2").mkdir()
    shutil.copy(REPO / "fixtures/GL102/fail/no-user.Dockerfile", repo / "svc2/Dockerfile")
    new = cli("check", ".", "--baseline", "gpulint-baseline.json", "--format", "json", cwd=repo)
    assert new.returncode == 1 and _rules(new) == [("GL102", "svc2/Dockerfile", 4)]


def test_changing_the_offending_line_makes_a_finding_new(cli, repo: Path):
    assert cli("check", "svc", "--write-baseline", "b.json", cwd=repo).returncode == 0
    dockerfile = repo / "svc/Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("runtime-ubuntu22.04", "base-ubuntu22.04"))
    changed = cli("check", "svc", "--baseline", "b.json", "--select", "GL102", "--format", "json", cwd=repo)
    assert _rules(changed) == [("GL102", "svc/Dockerfile", 4)]


def test_a_second_identical_finding_in_a_file_is_new(cli, tmp_path: Path):
    (tmp_path / "Dockerfile").write_text("FROM nvidia/cuda:latest\nRUN echo a\n")
    assert cli("check", ".", "--select", "GL110", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    (tmp_path / "Dockerfile").write_text("FROM nvidia/cuda:latest\nRUN echo a\nFROM nvidia/cuda:latest\nRUN echo b\n")
    result = cli("check", ".", "--select", "GL110", "--baseline", "b.json", "--format", "json", cwd=tmp_path)
    assert _rules(result) == [("GL110", "Dockerfile", 3)]  # the same text, one more time: new


@pytest.mark.parametrize(("content", "message"), [
    (None, "baseline file not found"),
    ("{not json", "cannot read the baseline"),
    ('{"findings": []}', "is not a gpulint baseline"),
    ('{"gpulint_baseline": 1, "findings": [{"rule": "GL102"}]}', "needs a \"fingerprint\" string"),
])
def test_a_bad_baseline_is_a_usage_error(cli, repo: Path, content: str | None, message: str):
    if content is not None:
        (repo / "b.json").write_text(content)
    result = cli("check", ".", "--baseline", "b.json", cwd=repo)
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""
