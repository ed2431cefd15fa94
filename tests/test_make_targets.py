"""`make TARGET` in a CI step is followed into the repository's Makefile (``syntax.makefile``,
``ci.make``): a recipe's `docker build` and `docker push` are the step's own, in every profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.project.config import Config
from gpulint.syntax.makefile import parse_makefile

MAKEFILE = """REGISTRY ?= ghcr.io/acme
IMAGE := $(REGISTRY)/app
VERSION = dev
.PHONY: all build-image push-image release

all: build-image

build-image:
\t@docker build -t $(IMAGE):$(VERSION) \\
\t    -f Dockerfile .

push-image: build-image
\tdocker push $(IMAGE):$(VERSION)

release:
\t$(MAKE) push-image
"""
DOCKERFILE = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCMD [\"python3\", \"-m\", \"vllm.entrypoints.openai.api_server\"]\n"


def test_recipes_in_order() -> None:
    makefile = parse_makefile(MAKEFILE)
    assert makefile.default == "all"
    assert [(t, line.split()[:2]) for t, line in makefile.commands(["release"])] == [
        ("build-image", ["docker", "build"]), ("push-image", ["docker", "push"])]
    assert makefile.commands(["push-image"])[-1][1] == "docker push ghcr.io/acme/app:dev"
    assert [t for t, _ in makefile.commands([])] == ["build-image"]


@pytest.mark.parametrize("ci, command", [
    (".gitlab-ci.yml", "stages: [build]\nbuild:\n  stage: build\n  script:\n    - {command}\n"),
    (".github/workflows/images.yml",
     "on: [push]\njobs:\n  images:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {command}\n"),
])
@pytest.mark.parametrize("profile", ["lab", "production"])
def test_make_targets_build_and_push(tmp_path: Path, ci: str, command: str, profile: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Makefile").write_text(MAKEFILE)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / ci).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / ci).write_text(command.format(command="make release VERSION=$CI_COMMIT_SHA"))
    rules = {f.rule: f for f in run([tmp_path], config=Config(profile=profile)).findings}
    assert "GL201" not in rules and "GL205" not in rules  # the build and the push are seen
    assert "in make target 'push-image'" in rules["GL206"].message  # pushes on every branch


def test_a_makefile_outside_the_scanned_files_is_not_guessed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / ".gitlab-ci.yml").write_text("build:\n  script:\n    - make -C ../elsewhere push-image\n")
    rules = {f.rule for f in run([tmp_path], config=Config(profile="lab")).findings}
    assert {"GL201", "GL205"} <= rules


@pytest.mark.parametrize("argv,suite", [
    (["make", "test"], "make test"), (["make", "e2e-test"], "make e2e-test"), (["make", "-C", "x", "e2e"], "make e2e"),
    (["make", "unit-tests"], "make unit-tests"), (["make", "e2e-image"], None), (["make", "build-tests"], None),
    (["make", "install"], None), (["go", "test", "./..."], "go test"), (["ginkgo", "-r"], "ginkgo"),
])
def test_test_suites_are_told_by_their_runner_or_target_name(argv, suite):
    from gpulint.ci.commands import runs_tests

    assert runs_tests(argv) == suite
