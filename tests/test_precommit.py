"""The pre-commit hook: its definition, and a real `pre-commit run` in a throwaway git repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO


def _hook() -> dict:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return hook


def test_hook_definition():
    hook = _hook()
    assert hook["id"] == "gpulint"
    assert hook["entry"] == "gpulint check --force-exclude --allow-empty"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True


@pytest.mark.parametrize(("name", "matches"), [
    ("Dockerfile", True), ("docker/Dockerfile.gpu", True), ("Containerfile", True), ("app.Dockerfile", True),
    ("sub/DOCKERFILE", True), (".github/workflows/ci.yml", True), (".github/workflows/ci.yaml", True),
    ("k8s/deployment.yaml", True), ("rollout.yml", True), ("answers.json", True), ("smoke_test.py", True),
    ("tests/smoke_test.py", True), ("serve.py", False), ("README.md", False), ("Dockerfiles/build.sh", False),
    ("my-dockerfile-notes.txt", False), ("yaml.py", False),
])
def test_hook_files_regex(name: str, matches: bool):
    assert bool(re.search(_hook()["files"], name)) is matches


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                   check=True, capture_output=True)


@pytest.mark.slow
def test_pre_commit_runs_the_hook(tmp_path: Path):
    if shutil.which("git") is None:
        pytest.skip("needs git")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        if subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pre-commit"],
                          capture_output=True).returncode != 0:
            pytest.skip("pre-commit is not installed and cannot be installed")
    hook = _hook()
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(REPO / "fixtures/GL102/fail/no-user.Dockerfile", repo / "Dockerfile.bad")
    good = (REPO / "reference/Dockerfile").read_text()
    (repo / "Dockerfile.good").write_text(good)
    for name in ("smoke_test.py", "serve.py", "requirements.txt"):  # the good Dockerfile's build context
        shutil.copy(REPO / "reference" / name, repo / name)
    # A local hook built from our definition (its entry and files), run with this interpreter: the
    # published `language: python` hook would install gpulint from a commit, not this working tree.
    local = {"id": hook["id"], "name": hook["name"], "language": "system",
             "entry": f"{sys.executable} -m {hook['entry']}",
             "files": hook["files"], "pass_filenames": hook["pass_filenames"]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PYTHONPATH": path, "NO_COLOR": "1"}

    def pre_commit(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--files", *files], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=300)

    bad = pre_commit("Dockerfile.bad")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "GL102" in bad.stdout
    ok = pre_commit("Dockerfile.good")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout
    skipped = pre_commit("serve.py")  # not an artifact: the hook does not run
    assert skipped.returncode == 0 and "no files to check" in skipped.stdout.lower()


@pytest.mark.slow
def test_published_hook_installs_and_runs(tmp_path: Path):
    """The hook as users get it: `language: python` installs gpulint from a commit of this tree."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    pytest.importorskip("pre_commit")
    source = tmp_path / "gpulint-src"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        if (REPO / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, source / rel)
    _git(source, "init", "-q")
    _git(source, "add", ".")
    _git(source, "commit", "-q", "-m", "snapshot")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True,
                         check=True).stdout.strip()
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(REPO / "fixtures/GL102/fail/no-user.Dockerfile", repo / "Dockerfile")
    config = {"repos": [{"repo": str(source), "rev": rev, "hooks": [{"id": "gpulint"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)  # the hook must run the gpulint it installed
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--files", "Dockerfile"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode == 3:  # pre-commit could not build the hook's environment (e.g. no network)
        pytest.skip("pre-commit could not install the hook: " + proc.stdout[-300:])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "GL102" in proc.stdout
