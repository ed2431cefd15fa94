"""Cloud Build: steps and waitFor, images:, GPU workers, triggers, and grading."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.ci.cloudbuild.build import triggers_for
from gpulint.ci.commands import BUILD, PUSH, TEST
from gpulint.project.project import Project

REPO = Path(__file__).resolve().parent.parent


def _build(tmp_path: Path, text: str, extra: dict[str, str] | None = None):
    (tmp_path / "cloudbuild.yaml").write_text(text)
    for rel, body in (extra or {}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(body)
    result = run([tmp_path])
    build = next(a for a in result.artifacts if a.kind == "cloudbuild" and a.source.rel_path == "cloudbuild.yaml")
    return build, result, Project(tmp_path, result.config, result.artifacts)


def test_wait_for_graph(tmp_path):
    build, _, _ = _build(tmp_path, """
steps:
  - {id: a, name: gcr.io/cloud-builders/docker, args: [build, -t, img, .]}
  - {id: b, name: ubuntu, waitFor: ['-'], args: [true]}
  - {id: c, name: ubuntu, waitFor: [a], args: [true]}
  - {id: d, name: ubuntu, args: [true]}
""")
    a, b, c, d = build.steps
    assert build.ancestors(b) == set()
    assert build.ancestors(c) == {0}
    assert build.ancestors(d) == {0, 1, 2}


def test_commands_builders_and_images(tmp_path):
    build, _, _ = _build(tmp_path, """
steps:
  - name: gcr.io/cloud-builders/docker
    args: [build, -t, us-docker.pkg.dev/p/r/app:$SHORT_SHA, .]
  - name: us-docker.pkg.dev/p/r/app:$SHORT_SHA
    args: [python3, -c, "import torch; assert torch.cuda.is_available()"]
  - name: gcr.io/cloud-builders/docker
    entrypoint: bash
    args: [-c, "echo docker push x; docker push us-docker.pkg.dev/p/r/app:$SHORT_SHA"]
  - name: ubuntu
    script: |
      echo "docker build ."
images: [us-docker.pkg.dev/p/r/app:$SHORT_SHA]
""")
    kinds = [(h.kind, h.step.index if h.step else None) for h in build.hits]
    assert (BUILD, 0) in kinds and (TEST, 1) in kinds and (PUSH, 2) in kinds and (PUSH, None) in kinds
    assert not any(h.step is not None and h.step.index == 3 for h in build.hits)


def test_images_are_gated_by_the_test_and_push_steps_by_order(tmp_path):
    build, result, _ = _build(tmp_path, """
steps:
  - name: gcr.io/cloud-builders/docker
    args: [build, -t, img, .]
  - name: gcr.io/cloud-builders/docker
    args: [push, img]
  - name: gcr.io/cloud-builders/gcloud
    args: [compute, ssh, gpu-vm, --command, "docker run --rm --gpus all img python3 /app/smoke_test.py"]
images: [img]
""")
    pushes = build.of(PUSH)
    assert build.untested(pushes[0])  # the push step comes before the test
    assert build.untested(pushes[1]) == ""  # `images:` wait for every step
    assert [f.rule for f in result.findings if f.rule == "GL207"] == ["GL207"]


def test_gpu_test_on_default_workers_and_pool(tmp_path):
    text = """
steps:
  - name: gcr.io/cloud-builders/docker
    args: [build, -t, img, .]
  - name: gcr.io/cloud-builders/docker
    args: [run, --gpus, all, img, python3, smoke_test.py]
images: [img]
"""
    _, result, _ = _build(tmp_path, text)
    assert "GL203" in {f.rule for f in result.findings}
    _, result, _ = _build(tmp_path, text + "options: {pool: {name: projects/p/locations/l/workerPools/gpu}}\n")
    rules = {f.rule for f in result.findings}
    assert "GL204" in rules and "GL203" not in rules


@pytest.mark.parametrize("trigger,ok", [
    ("github: {owner: o, name: n, push: {branch: ^main$}}", True),
    ("github: {owner: o, name: n, push: {branch: main}}", False),
    ("github: {owner: o, name: n, push: {branch: ^main$, invertRegex: true}}", False),
    ("github: {owner: o, name: n, pullRequest: {branch: ^main$}}", False),
    ("triggerTemplate: {repoName: n, tagName: .*}", False),
    ("triggerTemplate: {repoName: n, branchName: '^(main)$'}", True),
])
def test_trigger_exports(tmp_path, trigger, ok):
    build, result, project = _build(tmp_path, "steps: [{name: gcr.io/cloud-builders/docker, args: [build, -t, i, .]}]\n"
                                    "images: [i]\n", {"cloudbuild.trigger.yaml": "filename: cloudbuild.yaml\n" + trigger})
    found = triggers_for(build, project)
    assert len(found) == 1 and found[0].main_only is ok
    assert ("GL206" in {f.rule for f in result.findings}) is not ok


def test_no_trigger_is_said_once_as_info(tmp_path):
    (tmp_path / "cloudbuild-release.yaml").write_text("steps: [{name: gcr.io/cloud-builders/docker, args: [push, i]}]\n")
    _, result, _ = _build(tmp_path, "steps: [{name: gcr.io/cloud-builders/docker, args: [build, -t, i, .]}]\n"
                          "images: [i]\n")
    notes = [f for f in result.findings if f.rule == "GL206"]
    assert len(notes) == 1 and notes[0].severity.value == "info"  # an info never fails the criterion


def test_odd_input_does_not_crash(tmp_path):
    _, result, _ = _build(tmp_path, """
steps: [5, {name: 7, args: nope, waitFor: 3}, {script: null}, {entrypoint: bash, args: [-c]}]
images: {a: b}
options: {pool: 5}
""")
    assert all(f.rule for f in result.findings)


@pytest.mark.parametrize("fixture,passes", [("GL207/pass/cloudbuild-images_after_all", True),
                                            ("GL207/fail/cloudbuild-wait_for_dash", False)])
def test_grade_accepts_cloudbuild(tmp_path, fixture, passes):
    from gpulint.grading.grader import grade_path
    from gpulint.grading.rubric import load_rubric

    repo = tmp_path / "repo"
    shutil.copytree(REPO / "reference", repo)
    for f in (REPO / "fixtures" / fixture).iterdir():
        shutil.copy(f, repo / f.name)
    result = grade_path(repo, load_rubric("lab"))
    status = {c.criterion.id: c.passed for c in result.criteria}
    assert status["workflow.build-test"] and status["workflow.gpu-runner"]
    assert status["workflow.push-gated"] is passes
