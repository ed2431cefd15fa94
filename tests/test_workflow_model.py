"""The GitHub Actions workflow model: filters, matrix, needs, scenarios, command detection."""

from __future__ import annotations

import textwrap

import pytest

from gpulint.core.limits import Limits
from gpulint.syntax import github_expressions as E
from gpulint.ci.github import filters as F
from gpulint.ci.github import matrix as ghmatrix
from gpulint.ci.commands import BUILD, GPU, PUSH, TEST, classify, live_commands
from gpulint.ci.github.pipeline import Pipeline
from gpulint.ci.github.scenarios import Evaluator, scenarios
from gpulint.ci.github.workflow import Workflow
from gpulint.syntax.yamlfile import load_yaml
from gpulint.core.source import Source


def workflow(text: str) -> Workflow:
    yaml_file = load_yaml(Source(textwrap.dedent(text), "ci.yml"), Limits())
    return Workflow(yaml_file.source, yaml_file, yaml_file.documents[0])


# ------------------------------------------------------------------------- filters

@pytest.mark.parametrize("name, pattern, expected", [
    ("main", "main", True),
    ("feature/x", "feature/*", True),
    ("feature/x/y", "feature/*", False),
    ("feature/x/y", "feature/**", True),
    ("v1.2.3", "v[0-9]+.[0-9]+.[0-9]+", True),
    ("v12.2.3", "v[0-9].*", False),
    ("mai", "mains?", False),
    ("main", "mains?", True),
    ("releases/10", "releases/**", True),
])
def test_filter_patterns(name: str, pattern: str, expected: bool) -> None:
    assert F.matches(name, pattern) is expected


def test_negated_patterns_order_matters() -> None:
    assert F.included("releases/10-beta", ["releases/**", "!releases/**-beta"]) is False
    assert F.included("releases/10", ["releases/**", "!releases/**-beta"]) is True
    assert F.included("releases/10-beta", ["!releases/**-beta", "releases/**"]) is True


# ------------------------------------------------------------------------- triggers

def keys(text: str) -> list[str]:
    return sorted(s.key for s in scenarios(workflow(text)))


def test_on_forms() -> None:
    jobs = "jobs:\n  a:\n    runs-on: x\n    steps: [{run: ls}]\n"
    assert keys("on: push\n" + jobs) == ["push-branch", "push-main", "push-tag"]
    assert keys("on: [push, pull_request]\n" + jobs) == ["pull_request", "push-branch", "push-main", "push-tag"]
    assert keys("'on': {push: {branches: [main]}}\n" + jobs) == ["push-main"]
    assert keys("on:\n  push:\n    tags: ['v*']\n" + jobs) == ["push-tag"]
    assert keys("on:\n  push:\n    branches-ignore: [main]\n" + jobs) == ["push-branch"]
    assert keys("on:\n  pull_request:\n    branches: [develop]\n" + jobs) == ["pull_request"]
    assert keys("on:\n  workflow_dispatch:\n  schedule:\n    - cron: '0 0 * * *'\n" + jobs) == \
        ["schedule", "workflow_dispatch"]


# ------------------------------------------------------------------------- matrix

def test_matrix_include_exclude() -> None:
    wf = workflow("""
        on: push
        jobs:
          t:
            strategy:
              matrix:
                os: [a, b]
                cuda: ["12.1", "12.4"]
                exclude:
                  - {os: b, cuda: "12.1"}
                include:
                  - {os: a, extra: yes-a}
                  - {os: c, cuda: "11.8"}
            runs-on: x
            steps: [{run: ls}]
    """)
    legs = [leg.context() for leg in ghmatrix.expand(wf.jobs["t"].matrix).legs]
    assert {"os": "b", "cuda": "12.1"} not in legs
    assert {"os": "a", "cuda": "12.1", "extra": "yes-a"} in legs
    assert {"os": "a", "cuda": "12.4", "extra": "yes-a"} in legs
    assert {"os": "c", "cuda": "11.8"} in legs
    assert len(legs) == 4


def test_runs_on_forms_and_verdicts() -> None:
    wf = workflow("""
        on:
          workflow_dispatch:
            inputs:
              r: {default: gpu-box}
        jobs:
          a: {runs-on: [self-hosted, gpu], steps: [{run: ls}]}
          b: {runs-on: ubuntu-latest, steps: [{run: ls}]}
          c: {runs-on: {group: ml, labels: [nvidia-gpu]}, steps: [{run: ls}]}
          d: {runs-on: "${{ inputs.x }}", steps: [{run: ls}]}
          e: {runs-on: [self-hosted, "${{ inputs.r }}"], steps: [{run: ls}]}
          f: {runs-on: self-hosted, steps: [{run: ls}]}
    """)
    verdicts = {j: [ghmatrix.classify(r).verdict for r in ghmatrix.runners(wf, wf.jobs[j])] for j in wf.jobs}
    assert verdicts == {"a": ["gpu"], "b": ["not-gpu"], "c": ["gpu"], "d": ["unknown"], "e": ["gpu"],
                        "f": ["not-gpu"]}
    assert ghmatrix.classify(ghmatrix.runners(wf, wf.jobs["f"])[0], ("a100",)).verdict == "not-gpu"


def test_matrix_runner_points_at_matrix_value() -> None:
    wf = workflow("""
        on: push
        jobs:
          t:
            strategy:
              matrix:
                runner: [[self-hosted, gpu], windows-2022]
            runs-on: ${{ matrix.runner }}
            steps: [{run: ls}]
    """)
    runners = [ghmatrix.classify(r) for r in ghmatrix.runners(wf, wf.jobs["t"])]
    bad = [r for r in runners if r.verdict == "not-gpu"]
    assert len(bad) == 1 and bad[0].node.value == "windows-2022"


# ------------------------------------------------------------------------- needs

def test_needs_closure_and_unknown_needs() -> None:
    wf = workflow("""
        on: push
        jobs:
          a: {runs-on: x, steps: [{run: ls}]}
          b: {needs: a, runs-on: x, steps: [{run: ls}]}
          c: {needs: [b, nope], runs-on: x, steps: [{run: ls}]}
    """)
    assert wf.ancestors("c") == {"a", "b", "nope"}
    assert wf.ancestors("b") == {"a"}
    assert wf.unknown_needs("c") == ["nope"]
    assert [j.id for j in wf.topological()] == ["a", "b", "c"]


# ------------------------------------------------------------------------- scenarios

GATED = """
    on: [push, pull_request, workflow_dispatch]
    jobs:
      test: {runs-on: x, steps: [{run: ls}]}
      push:
        needs: test
        if: github.event_name == 'push' && github.ref == 'refs/heads/main'
        runs-on: x
        steps: [{run: ls}]
      always:
        needs: test
        if: ${{ always() }}
        runs-on: x
        steps: [{run: ls}]
      unknown:
        if: github.event.pull_request.head.repo.full_name == github.repository
        runs-on: x
        steps: [{run: ls}]
"""


def test_job_states_per_scenario() -> None:
    wf = workflow(GATED)
    states = {s.key: Evaluator(wf, s).job_states() for s in scenarios(wf)}
    assert states["push-main"]["push"] is True
    assert states["push-branch"]["push"] is False
    assert states["pull_request"]["push"] is False
    assert states["workflow_dispatch"]["push"] is False
    assert states["pull_request"]["unknown"] is E.UNKNOWN


def test_failed_need_skips_unless_status_function() -> None:
    wf = workflow(GATED)
    main = next(s for s in scenarios(wf) if s.main_push)
    failed = Evaluator(wf, main).job_states(frozenset({"test"}))
    assert failed["push"] is False
    assert failed["always"] is True


def test_step_after_failed_step() -> None:
    wf = workflow("""
        on: push
        jobs:
          j:
            runs-on: x
            steps:
              - {id: t, run: ls}
              - {run: ls}
              - {if: always(), run: ls}
              - {if: "always() && steps.t.outcome == 'success'", run: ls}
    """)
    job = wf.jobs["j"]
    ev = Evaluator(wf, scenarios(wf)[0])
    t = job.steps[0]
    assert ev.step_state(job, job.steps[1], failed_step=t) is False
    assert ev.step_state(job, job.steps[2], failed_step=t) is True
    assert ev.step_state(job, job.steps[3], failed_step=t) is False
    assert ev.step_state(job, job.steps[1]) is True


# ------------------------------------------------------------------------- detection

@pytest.mark.parametrize("command, kinds", [
    ("docker build -t x .", [BUILD]),
    ("docker --context ci buildx build --push -t x .", [BUILD, PUSH]),
    ("docker buildx build -o type=registry -t x .", [BUILD, PUSH]),
    ("podman build .", [BUILD]),
    ("buildah bud -t x .", [BUILD]),
    ("docker push x", [PUSH]),
    ("crane copy a b", [PUSH]),
    ("regctl image copy ghcr.io/acme/app:1 docker.io/acme/app:1", [PUSH]),
    ("regctl image inspect ghcr.io/acme/app:1", []),
    ("skopeo copy docker-daemon:x docker://y", [PUSH]),
    ("skopeo copy docker://y dir:/tmp/x", []),
    ("docker run --rm --gpus all img python3 /app/smoke_test.py", [TEST]),
    ("docker run --rm img python3 /app/smoke_test.py", []),
    ("docker run --device nvidia.com/gpu=all img", [TEST]),
    ("python3 tests/smoke_test.py", [TEST]),
    ("pytest -m gpu", [TEST]),
    ("pytest -m 'not gpu'", []),
    ("nvidia-smi", [GPU]),
    ("echo docker push x", []),
])
def test_classify(command: str, kinds: list[str]) -> None:
    import shlex

    assert [k for k, _ in classify(shlex.split(command))] == kinds


def test_live_commands_skip_dead_code_and_keep_masking() -> None:
    script = textwrap.dedent("""\
        unused() { docker push a; }
        used() { docker push b; }
        if false; then docker push c; fi
        used
        docker run --gpus all img || true
        docker run --gpus all img | tee log
    """)
    commands = live_commands(script, errexit=True, pipefail=True)
    argvs = [c.argv() for c, _ in commands]
    assert ["docker", "push", "a"] not in argvs and ["docker", "push", "c"] not in argvs
    assert ["docker", "push", "b"] in argvs
    runs = [c for c, _ in commands if c.argv()[:2] == ["docker", "run"]]
    assert [c.masked for c in runs] == [True, False]  # pipefail: a failing pipe member fails the step


def test_pipeline_push_gating() -> None:
    wf = workflow("""
        on: [push, pull_request]
        jobs:
          build: {runs-on: [self-hosted, gpu], steps: [{run: docker build -t x .}]}
          test:
            needs: build
            runs-on: [self-hosted, gpu]
            steps: [{run: docker run --gpus all x python smoke_test.py}]
          push:
            needs: build
            runs-on: [self-hosted, gpu]
            steps:
              - uses: docker/build-push-action@v6
                with:
                  push: ${{ github.event_name != 'pull_request' }}
    """)
    p = Pipeline(wf)
    pushes = p.existing(PUSH)
    assert len(pushes) == 1
    outside = {u.scenario.key for u in p.outside_main(pushes[0])}
    assert outside == {"push-branch", "push-tag"}  # not pull_request: push is false there
    untested = p.untested(pushes[0])
    assert untested and "does not depend on job 'test'" in untested[0].reason
