"""Image references, CUDA versions, tag patterns and the lifecycle/image/safety rules
(GL107-GL112, GL209-GL210, GL309, GL520-GL525) beyond their fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.syntax.images import cuda_of, parse_image, pattern_matches, tag_pattern, wheel_cuda

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
REALWORLD = Path("/work/shared/realworld")
OURS = {"GL107", "GL108", "GL109", "GL110", "GL111", "GL112", "GL209", "GL210", "GL309",
        "GL520", "GL521", "GL522", "GL523", "GL524", "GL525"}


@pytest.mark.parametrize("text, name, tag, digest", [
    ("nginx", "docker.io/library/nginx", None, None),
    ("user/app:1.0", "docker.io/user/app", "1.0", None),
    ("ghcr.io/Acme/App:v1@sha256:" + "a" * 64, "ghcr.io/acme/app", "v1", "sha256:" + "a" * 64),
    ("localhost:5000/app", "localhost:5000/app", None, None),
    ("localhost:5000/app:2", "localhost:5000/app", "2", None),
    ("index.docker.io/library/ubuntu:22.04", "docker.io/library/ubuntu", "22.04", None),
])
def test_parse_image(text, name, tag, digest):
    ref = parse_image(text)
    assert (ref.name, ref.tag, ref.digest) == (name, tag, digest)


@pytest.mark.parametrize("value", [None, "", "a b", 12])
def test_parse_image_rejects(value):
    assert parse_image(value) is None


@pytest.mark.parametrize("image, version, flavor", [
    ("nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04", "12.4", "devel"),
    ("nvcr.io/nvidia/cuda:11.8.0-runtime-ubuntu22.04", "11.8", "runtime"),
    ("nvidia/cuda:12.2.0-base-ubuntu22.04", "12.2", "base"),
    ("pytorch/pytorch:2.3.0-cuda12.1-cudnn8-devel", "12.1", "devel"),
])
def test_cuda_of(image, version, flavor):
    cuda = cuda_of(parse_image(image))
    assert (cuda.version, cuda.flavor) == (version, flavor)


@pytest.mark.parametrize("image", ["nvidia/cuda", "ubuntu:22.04", "nvcr.io/nvidia/pytorch:24.01-py3",
                                   "nvidia/cuda:${CUDA}-runtime"])
def test_cuda_unknown(image):
    assert cuda_of(parse_image(image)) is None


def test_wheel_cuda():
    assert wheel_cuda("https://download.pytorch.org/whl/cu121") == (12, 1)
    assert wheel_cuda("cu118") == (11, 8)
    assert wheel_cuda("torch==1.9+cu92") == (9, 2)
    assert wheel_cuda("https://download.pytorch.org/whl/cpu") is None


@pytest.mark.parametrize("pattern, kind, tag, result", [
    ("^[0-9a-f]{40}$", "regex", "3f1c9a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e", True),
    ("^[0-9a-f]{40}$", "regex", "3f1c9a7", False),
    ("[0-9a-f]{7}", "regex", "sha-3f1c9a7", True),  # unanchored: re.search
    ("sha-*", "glob", "sha-3f1c9a7", True),
    ("sha-*", "glob", "3f1c9a7", False),
    ("v*", "glob", "v1.2.3", True),
    ("v\\d+\\.\\d+", "regex", "v1.2", True),
    ("stable", "literal", "stable", True),
    ("stable", "literal", "stable-1", False),
])
def test_tag_pattern(pattern, kind, tag, result):
    compiled = tag_pattern(pattern)
    assert compiled.kind == kind
    assert compiled.matches(tag) is result


def test_bad_regex_is_unknown():
    assert tag_pattern("^v(1$").matches("v1") is None


def test_pushed_pattern_matches_repository():
    ref = parse_image("ghcr.io/example/gpu-inference:abc")
    assert pattern_matches("ghcr.io/*/gpu-inference:*", ref)
    assert not pattern_matches("ghcr.io/*/other:*", ref)
    assert pattern_matches("nginx:1", parse_image("docker.io/library/nginx:1"))


def _ours(path: Path):
    return [f for f in run([path]).findings if f.rule in OURS]


def test_reference_is_clean():
    assert _ours(REFERENCE) == []


def test_cross_artifact_rules_need_both_artifacts(tmp_path):
    """Without a Dockerfile the scheduling/memory rules stay silent; without a workflow the
    image-repository rule does; without manifests the rollback-target rule does."""
    for rel in ("k8s/deployment.yaml", "rollout.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REFERENCE / rel, tmp_path / rel)
    text = (tmp_path / "k8s/deployment.yaml").read_text()
    text = text.replace("ghcr.io/example/gpu-inference", "ghcr.io/elsewhere/other").replace("memory: 16Gi\n", "")
    (tmp_path / "k8s/deployment.yaml").write_text(text.replace("tolerations:", "tolerationz:"))
    assert not {f.rule for f in _ours(tmp_path)} & {"GL521", "GL524", "GL525"}


def test_fork_guard_through_needs(tmp_path):
    """The guard on the first job protects the jobs that need it."""
    target = tmp_path / ".github" / "workflows"
    target.mkdir(parents=True)
    shutil.copy(REFERENCE / ".github/workflows/gpu-ci.yml", target / "ci.yml")
    assert _ours(tmp_path) == []
    text = (target / "ci.yml").read_text().replace(
        "    if: github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository\n", "")
    (target / "ci.yml").write_text(text)
    assert sorted(f.rule for f in _ours(tmp_path)) == ["GL209", "GL209"]


def test_fork_rule_only_for_repository_workflows(tmp_path):
    text = (REFERENCE / ".github/workflows/gpu-ci.yml").read_text().replace(
        "    if: github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository\n", "")
    (tmp_path / "ci.yml").write_text(text)
    assert _ours(tmp_path / "ci.yml") == []
    (tmp_path / "ci.yml").write_text(text.replace("pull_request:", "pull_request_target:"))
    assert {f.rule for f in _ours(tmp_path / "ci.yml")} == {"GL209"}


def test_secret_names_are_word_based(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM ubuntu:22.04 AS a\nFROM ubuntu:22.04\nENV TOKENIZERS_PARALLELISM=false "
                          "GITHUB_TOKEN=ghp_abcdefghijklmnop\nUSER 1000\n")
    found = [(f.rule, f.line) for f in _ours(dockerfile)]
    assert found == [("GL111", 3)]


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="real-world corpus not available")
def test_realworld_no_traceback():
    for folder in sorted(p for p in REALWORLD.iterdir() if p.is_dir()):
        result = run([folder])
        assert not [f for f in result.findings if "Traceback" in f.message or "internal error" in f.message.lower()]
