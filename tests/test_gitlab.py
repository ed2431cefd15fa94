"""GitLab CI: the rules:if expression language, scenarios, only/except, includes, and grading."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.syntax import gitlab_expressions as GE
from gpulint.syntax.github_expressions import UNKNOWN
from gpulint.ci.gitlab.pipeline import SCENARIOS, Env

REPO = Path(__file__).resolve().parent.parent
SCEN = {s.key: s for s in SCENARIOS}


def ev(text: str, **env):
    return GE.evaluate(GE.parse(text), Env(env))


@pytest.mark.parametrize("text,env,want", [
    ('$CI_COMMIT_BRANCH == "main"', {"CI_COMMIT_BRANCH": "main"}, True),
    ("$CI_COMMIT_BRANCH == 'main'", {"CI_COMMIT_BRANCH": "dev"}, False),
    ("${CI_COMMIT_BRANCH} == $CI_DEFAULT_BRANCH", {"CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}, True),
    ('$CI_COMMIT_BRANCH != "main"', {"CI_COMMIT_BRANCH": None}, True),
    ("$CI_COMMIT_TAG", {"CI_COMMIT_TAG": None}, False),
    ("$CI_COMMIT_TAG", {"CI_COMMIT_TAG": "v1"}, True),
    ("$CI_COMMIT_TAG == null", {"CI_COMMIT_TAG": None}, True),
    ("$DEPLOY", {}, False),  # undefined user variables are null
    ("$CI_COMMIT_MESSAGE =~ /deploy/", {}, UNKNOWN),  # a predefined variable no scenario sets
    ("$CI_COMMIT_REF_NAME =~ /^MAIN$/i", {"CI_COMMIT_REF_NAME": "main"}, True),
    ("$CI_COMMIT_REF_NAME !~ /^release-/", {"CI_COMMIT_REF_NAME": "release-1"}, False),
    ("$X =~ /a/", {"X": None}, False),
    ('$A == "1" || $B == "2" && $C == "3"', {"A": "1", "B": "x", "C": "x"}, True),
    ('($A == "1" || $B == "2") && $C == "3"', {"A": "1", "B": "x", "C": "x"}, False),
    ('$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_MESSAGE =~ /x/', {"CI_PIPELINE_SOURCE": "web"}, False),
    ("$RE_VAR =~ $PATTERN", {"RE_VAR": "main", "PATTERN": "/^ma/"}, True),
])
def test_expressions(text, env, want):
    assert ev(text, **env) is want


@pytest.mark.parametrize("text", ['$A == ', '($A == "x"', '$A === "x"', "", '$A =~ "x"', "docker push"])
def test_expression_syntax_errors(text):
    with pytest.raises(GE.GitLabExprError):
        GE.parse(text)


def test_scenarios_set_gitlab_variables():
    mr, tag = SCEN["merge_request"].env, SCEN["push-tag"].env
    assert mr["CI_PIPELINE_SOURCE"] == "merge_request_event" and mr["CI_COMMIT_BRANCH"] is None
    assert mr["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] == "main"
    assert tag["CI_COMMIT_TAG"] and tag["CI_COMMIT_BRANCH"] is None
    assert SCEN["push-main"].env["CI_DEFAULT_BRANCH"] == "main"


def _pipeline(tmp_path: Path, text: str, extra: dict[str, str] | None = None):
    (tmp_path / ".gitlab-ci.yml").write_text(text)
    for rel, body in (extra or {}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(body)
    result = run([tmp_path])
    from gpulint.project.project import Project

    pipelines = [a for a in result.artifacts if a.kind == "gitlab" and a.source.rel_path == ".gitlab-ci.yml"]
    project = Project(tmp_path, result.config, result.artifacts)
    return pipelines[0].attach(project), result


def _states(pipeline, job):
    return {s.key: pipeline.state(pipeline.jobs[job], s) for s in SCENARIOS}


def test_only_except_and_defaults(tmp_path):
    p, _ = _pipeline(tmp_path, """
a: {script: [make]}
b: {script: [make], only: [main]}
c: {script: [make], only: {refs: [branches], variables: ['$CI_COMMIT_BRANCH =~ /^main$/']}}
d: {script: [make], except: [tags, merge_requests]}
e: {script: [make], only: [merge_requests]}
f: {script: [make], only: [/^release-.*$/]}
""")
    a, b, c, d, e = (_states(p, j) for j in "abcde")
    assert a["merge_request"] is False and a["push-branch"] is True and a["push-tag"] is True
    assert b["push-main"] is True and b["push-branch"] is False and b["push-tag"] is False
    assert c["push-main"] is True and c["push-branch"] is False and c["schedule"] is True
    assert d["push-tag"] is False and d["push-branch"] is True
    assert e["merge_request"] is True and e["push-main"] is False
    assert not any(v is not False for v in _states(p, "f").values())


def test_rules_first_match_when_never_and_workflow(tmp_path):
    p, _ = _pipeline(tmp_path, """
workflow:
  rules:
    - if: $CI_COMMIT_TAG
      when: never
    - when: always
push:
  script: [docker push x]
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: never
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
    - changes: [Dockerfile]
      when: manual
""")
    states = _states(p, "push")
    assert states["push-main"] is True and states["merge_request"] is False and states["push-tag"] is False
    assert states["push-branch"] is UNKNOWN  # `changes:` cannot be decided statically


def test_stage_order_needs_and_failure(tmp_path):
    p, _ = _pipeline(tmp_path, """
stages: [build, test, deploy]
build: {stage: build, script: [docker build -t x .]}
test: {stage: test, tags: [gpu], script: [docker run --gpus all x python3 smoke_test.py]}
early: {stage: deploy, needs: [], script: [docker push x]}
late: {stage: deploy, script: [docker push x]}
cleanup: {stage: deploy, when: always, needs: [test], script: [docker push x]}
""")
    main = SCEN["push-main"]
    jobs = p.jobs
    assert p.ancestors(jobs["late"], main) == {"build", "test"}
    assert p.ancestors(jobs["early"], main) == set()
    assert not p.runs_after_failure(jobs["late"], jobs["test"], main)
    assert p.runs_after_failure(jobs["cleanup"], jobs["test"], main)


def test_include_local_extends_and_reference(tmp_path):
    p, result = _pipeline(tmp_path, """
include:
  - local: /ci/templates.yml
push:
  extends: .pusher
  script:
    - !reference [.setup, script]
    - docker push "$IMAGE"
""", {"ci/templates.yml": """
.setup:
  script: [docker login -u u -p p registry]
.pusher:
  stage: deploy
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
"""})
    push = p.jobs["push"]
    assert p.included == ["ci/templates.yml"]
    assert push.stage == "deploy"
    assert [line.node.value for line in push.lines] == ["docker login -u u -p p registry", 'docker push "$IMAGE"']
    assert _states(p, "push")["push-branch"] is False
    assert not any(f.rule.startswith("GL0") and f.rule != "GL004" for f in result.findings)


def test_echo_and_comment_do_not_count(tmp_path):
    _, result = _pipeline(tmp_path, """
build:
  script:
    - echo docker build -t x .   # docker build
    - 'true # docker push x'
""")
    rules = {f.rule for f in result.findings}
    assert {"GL201", "GL202", "GL205"} <= rules


def test_odd_input_does_not_crash(tmp_path):
    _, result = _pipeline(tmp_path, """
include: 5
stages: nope
default: [1, 2]
job1: {script: null, rules: [5, {if: 7}], needs: [{job: 3}], tags: {a: b}}
job2: {script: [null, [docker build -t x .]], only: {refs: 5}, extends: [.missing, job2]}
job3: {script: "docker push x", rules: {if: '$A =='}}
""")
    assert all(f.rule for f in result.findings)


def _submission(tmp_path: Path, ci: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "reference", repo)
    shutil.copy(ci, repo / ".gitlab-ci.yml")
    return repo


@pytest.mark.parametrize("fixture,passes", [
    ("GL206/pass/gitlab-workflow_rules", True),
    ("GL206/fail/gitlab-no_rules", False),
    ("GL207/fail/gitlab-allow_failure", False),
])
def test_grade_accepts_gitlab(tmp_path, fixture, passes):
    from gpulint.grading.grader import grade_path
    from gpulint.grading.rubric import load_rubric

    repo = _submission(tmp_path, REPO / "fixtures" / fixture / ".gitlab-ci.yml")
    result = grade_path(repo, load_rubric("lab"))
    status = {c.criterion.id: c.passed for c in result.criteria}
    assert status["workflow.build-test"] and status["workflow.gpu-runner"]
    assert status["workflow.push-gated"] is passes
