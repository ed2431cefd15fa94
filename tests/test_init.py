"""`gpulint init`: a complete lifecycle for each CI system that `gpulint check` passes, named after
the repository, never overwriting a file without --force, built from the reference solution."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from gpulint.scaffold.init import CI_FILES, COMMON, names_for, parse_remote, plan

SHA = "3f1c9a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e"


def _repo(tmp_path: Path, remote: str | None = "git@github.com:Acme-Labs/Vision_Server.git",
          packed: bool = False) -> Path:
    """A repository as git leaves it on disk (HEAD, a branch ref, the config with its remote)."""
    repo = tmp_path / "checkout"
    git = repo / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    if packed:
        (git / "packed-refs").write_text(f"# pack-refs with: peeled fully-peeled sorted\n{SHA} refs/heads/main\n")
    else:
        (git / "refs" / "heads" / "main").write_text(SHA + "\n")
    config = "[core]\n\trepositoryformatversion = 0\n"
    if remote:
        config += f'[remote "origin"]\n\turl = {remote}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n'
    (git / "config").write_text(config)
    return repo


@pytest.mark.parametrize("ci", sorted(CI_FILES))
def test_init_writes_a_lifecycle_that_passes_check(cli, tmp_path: Path, ci: str):
    repo = _repo(tmp_path)
    result = cli("init", repo, "--ci", ci, "--namespace", "vision")
    assert result.returncode == 0, result.stderr
    written = {line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith("wrote ")}
    assert written == set(COMMON.values()) | set(CI_FILES[ci].values())
    for profile in ("production", "lab"):
        check = cli("check", repo, "--format", "json", "--profile", profile)
        data = check.json()
        assert check.returncode == 0, [(f["rule"], f["path"], f["message"]) for f in data["findings"]]
        assert data["summary"]["errors"] == data["summary"]["warnings"] == 0
        assert data["findings"] == []

    deployment = yaml.safe_load((repo / "k8s" / "deployment.yaml").read_text())
    assert deployment["metadata"] == {**deployment["metadata"], "name": "vision-server", "namespace": "vision"}
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    expected = {"github": "ghcr.io/acme-labs/vision-server", "tekton": "ghcr.io/acme-labs/vision-server",
                "gitlab": "registry.example.com/vision-server",
                "cloudbuild": "us-docker.pkg.dev/my-project/vision-server/vision-server"}[ci]
    assert image == f"{expected}:{SHA}"
    plan_ = yaml.safe_load((repo / "rollout.yaml").read_text())
    assert "kubectl -n vision rollout undo deployment/vision-server" in plan_["rollback_commands"]
    ci_text = "".join((repo / target).read_text() for target in CI_FILES[ci].values())
    assert expected.replace("my-project", "$PROJECT_ID") in ci_text
    assert "__" not in ci_text.replace("__init__", "")


def test_init_names_from_a_gitlab_remote_and_packed_refs(cli, tmp_path: Path):
    repo = _repo(tmp_path, "https://gitlab.com/ml-team/infra/Big.Model.git", packed=True)
    assert cli("init", repo, "--ci", "gitlab").returncode == 0
    assert f"image: registry.gitlab.com/ml-team/infra/big.model:{SHA}" in (repo / "k8s/deployment.yaml").read_text()
    assert "IMAGE: registry.gitlab.com/ml-team/infra/big.model\n" in (repo / ".gitlab-ci.yml").read_text()
    assert "name: big-model\n" in (repo / "k8s/deployment.yaml").read_text()
    assert cli("check", repo).returncode == 0


def test_init_without_git_uses_the_folder_name(cli, tmp_path: Path):
    repo = tmp_path / "My Project"
    repo.mkdir()
    result = cli("init", repo)
    assert result.returncode == 0
    assert "name: my-project\n" in (repo / "k8s/deployment.yaml").read_text()
    assert "0" * 40 in (repo / "k8s/deployment.yaml").read_text()
    assert "note: no github.com remote" in result.stdout and "note: no commit checked out" in result.stdout
    assert cli("check", repo).returncode == 0


def test_init_never_overwrites_without_force(cli, tmp_path: Path):
    repo = _repo(tmp_path)
    (repo / "Dockerfile").write_text("FROM scratch\n")
    result = cli("init", repo)
    assert result.returncode == 2 and "Dockerfile already exists" in result.stderr
    assert (repo / "Dockerfile").read_text() == "FROM scratch\n"
    assert not (repo / "k8s").exists() and not (repo / ".github").exists()  # all or nothing
    assert cli("init", repo, "--force").returncode == 0
    assert (repo / "Dockerfile").read_text() == (REPO / "reference" / "Dockerfile").read_text()
    again = cli("init", repo, "--ci", "github")
    assert again.returncode == 2 and "rollout.yaml" in again.stderr


def test_init_with_a_real_git_checkout(cli, tmp_path: Path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "real"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@example.com", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q", "-b", "main"], ["remote", "add", "origin", "https://github.com/octo/llm-api"],
                 ["commit", "-q", "--allow-empty", "-m", "start"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, env=env, capture_output=True, text=True).stdout.strip()
    assert cli("init", repo).returncode == 0
    assert f"image: ghcr.io/octo/llm-api:{sha}" in (repo / "k8s/deployment.yaml").read_text()
    assert cli("check", repo).returncode == 0


def test_templates_are_the_reference_solution(tmp_path: Path):
    """Rendered with the reference's own names, the templates give the reference's files back."""
    repo = tmp_path / "gpu-inference"
    repo.mkdir()
    args = argparse.Namespace(ci="github", name="gpu-inference", image="ghcr.io/example/gpu-inference",
                              namespace="ml", gcp_project="my-project", gpu_runner="gpu-runner", zone="z")
    files, _ = plan(repo, args)  # no git checkout: the tag is the 40-zero placeholder
    for template, target in COMMON.items():
        text = files[repo / target].replace("0" * 40, SHA)
        reference = (REPO / "reference" / target).read_text()
        if target == "k8s/deployment.yaml":
            reference = reference.replace("# GPU inference Deployment.", "# GPU inference Deployment of gpu-inference.")
        assert text == reference, target
    workflow = files[repo / ".github/workflows/gpu-ci.yml"]
    reference = (REPO / "reference/.github/workflows/gpu-ci.yml").read_text()
    # The one difference: a literal, lower-case image instead of the owner expression.
    assert [line for line in workflow.splitlines() if line not in reference.splitlines()] == \
        ["  IMAGE: ghcr.io/example/gpu-inference"]


@pytest.mark.parametrize("url, host, owner, repo", [
    ("git@github.com:acme/gpu-app.git", "github.com", "acme", "gpu-app"),
    ("https://github.com/acme/gpu-app", "github.com", "acme", "gpu-app"),
    ("ssh://git@gitlab.example.com:2222/group/sub/app.git", "gitlab.example.com", "group/sub", "app"),
    ("https://user:token@gitlab.com/a/b.git/", "gitlab.com", "a", "b"),
])
def test_parse_remote(url, host, owner, repo):
    remote = parse_remote(url)
    assert (remote.host, remote.owner, remote.repo) == (host, owner, repo)


def test_names_for_an_explicit_image(tmp_path: Path):
    names = names_for(_repo(tmp_path), "tekton", name="Serve", image="Registry.Example.com/Team/Serve")
    assert (names.app, names.image, names.tag) == ("serve", "registry.example.com/team/serve", SHA)
    assert json.dumps(names.notes) == "[]"
