"""Tekton model: the CEL subset, `when` expressions, ordering, task resolution, grading."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO
from gpulint.engine.run import run
from gpulint.grading import grade_path, load_rubric
from gpulint.syntax import cel
from gpulint.ci.tekton import pipeline as T
from gpulint.syntax.github_expressions import UNKNOWN

BASE = REPO / "fixtures" / "GL206" / "pass" / "tekton-cel-main-filter"


# ----------------------------------------------------------------------------- CEL

def env(ref="refs/heads/main", event="push"):
    s = T.TScenario("x", "x", event, ref if event == "push" else None, ref == "refs/heads/main")
    return T._event_env(s)


@pytest.mark.parametrize("text, ref, expected", [
    ("body.ref == 'refs/heads/main'", "refs/heads/main", True),
    ("body.ref == 'refs/heads/main'", "refs/heads/dev", False),
    ("body.ref != 'refs/heads/main'", "refs/heads/main", False),
    ("body.ref.startsWith('refs/tags/')", "refs/tags/v1", True),
    ("body.ref.endsWith('/main')", "refs/heads/main", True),
    ("body.ref.matches('^refs/heads/(main|master)$')", "refs/heads/master", True),
    ("body.ref in ['refs/heads/main', 'refs/heads/release']", "refs/heads/release", True),
    ("!(body.ref == 'refs/heads/main')", "refs/heads/main", False),
    ("body.ref.split('/')[2] == 'main'", "refs/heads/main", True),
    ("body.ref.split('/')[2] == 'main' && body.ref.startsWith('refs/heads/')", "refs/tags/main", False),
    ("header.match('X-GitHub-Event', 'push') && body.ref == 'refs/heads/main'", "refs/heads/main", True),
    ("header.match('X-GitHub-Event', 'pull_request') || body.ref == 'refs/heads/x'", "refs/heads/main", False),
    ("size(body.ref) > 5 && 1 + 2 == 3", "refs/heads/main", True),
    ('"refs/heads/" + "main" == body.ref', "refs/heads/main", True),
    ("body.ref == 'refs/heads/main' ? true : false", "refs/heads/main", True),
])
def test_cel_filters(text, ref, expected):
    assert cel.filter_passes(text, env(ref)) is expected


def test_cel_unknown_fields_and_missing_keys():
    # A field the scenario does not model is unknown; a key the event lacks is an error (dropped).
    assert cel.filter_passes("body.repository.full_name == 'org/repo'", env()) is UNKNOWN
    assert cel.filter_passes("body.ref == 'refs/heads/main'", env(event="pull_request")) is False
    assert cel.filter_passes("body.pull_request.base.ref == 'main'", env(event="pull_request")) is True
    # false && error is false, true || unknown is true (CEL's commutative logic)
    assert cel.filter_passes("header.match('X-GitHub-Event', 'push') && body.ref == 'x'",
                             env(event="pull_request")) is False
    assert cel.filter_passes("body.ref == 'refs/heads/main' || body.repository.private", env()) is True
    assert cel.filter_passes("'a' == 1", env()) is False  # no such overload: an error


@pytest.mark.parametrize("text", ["body.ref = 'main'", "body.ref == 'main", "body.ref and x", "(a", "", "a.", "x ==",
                                  "'\\q'"])
def test_cel_syntax_errors(text):
    with pytest.raises(cel.CelSyntaxError):
        cel.parse(text)


def test_cel_syntax_error_offset():
    with pytest.raises(cel.CelSyntaxError) as info:
        cel.parse("body.ref = 'main'")
    assert info.value.offset == 9


def test_cel_literals():
    e = {}
    assert cel.evaluate(cel.parse("[1, 2, 3][1]"), e) == 2
    assert cel.evaluate(cel.parse("{'a': 'b'}['a']"), e) == "b"
    assert cel.evaluate(cel.parse("r'\\d' + \"x\\n\""), e) == "\\dx\n"
    assert cel.evaluate(cel.parse("0x10 + 7 / 2"), e) == 19
    assert cel.evaluate(cel.parse("'abc'.truncate(2).upperAscii()"), e) == "AB"


# ----------------------------------------------------------------------------- model

class _Project:
    """What the Tekton index reads of a project: its artifacts and a memo."""

    def __init__(self, artifacts):
        self.artifacts = artifacts
        self._memo = {}

    def of_kind(self, kind):
        return [a for a in self.artifacts if a.kind == kind]

    def memo(self, key, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def index_of(folder: Path) -> T.Index:
    return T.index(_Project(run([folder]).artifacts))


def copy_base(tmp_path: Path, edits=(), drop=()) -> Path:
    for f in BASE.iterdir():
        if f.name not in drop:
            text = f.read_text()
            for name, old, new in edits:
                if name == f.name:
                    assert old in text
                    text = text.replace(old, new)
            (tmp_path / f.name).write_text(text)
    return tmp_path


def findings(folder: Path) -> list[tuple[str, int]]:
    result = run([folder])
    return sorted((f.rule, f.line) for f in result.findings)


def test_base_pipeline_is_clean(tmp_path):
    assert findings(copy_base(tmp_path)) == []


def test_task_resolution_across_files(tmp_path):
    p = index_of(copy_base(tmp_path)).pipelines[0]
    assert p.tasks["gpu-test"].task is not None and p.tasks["gpu-test"].task.name == "gpu-smoke-test"
    assert [h.kind for h in p.tasks["build"].hits] == [T.BUILD]  # buildah push to oci-archive: is no push
    assert [h.kind for h in p.tasks["push"].hits] == [T.PUSH]
    assert [h.kind for h in p.tasks["gpu-test"].hits] == [T.TEST]


def test_run_after_orders_tasks(tmp_path):
    folder = copy_base(tmp_path, [("pipeline.yaml", "      runAfter:\n        - gpu-test\n", "")])
    assert ("GL207", 30) in findings(folder)
    ix = index_of(folder)
    assert ix.pipelines[0].ancestors("push") == set()


def test_result_reference_is_after(tmp_path):
    text = """
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks:
    - {name: a, taskRef: {name: x}}
    - name: b
      params: [{name: d, value: "$(tasks.a.results.digest)"}]
      taskRef: {name: y}
    - {name: c, runAfter: [b], taskRef: {name: z}}
  finally:
    - {name: f, taskRef: {name: z}}
"""
    (tmp_path / "p.yaml").write_text(text)
    p = index_of(tmp_path).pipelines[0]
    assert p.ancestors("c") == {"a", "b"}
    assert p.ancestors("f") == {"a", "b", "c"}  # finally runs after every DAG task
    assert p.tasks["a"].ref_note and "not defined" in p.tasks["a"].ref_note
    assert T.task_refs("$(tasks.a.results.digest) and $(tasks.q.results.r)") == {"a", "q"}


def test_substitution_and_when():
    a = T.Activation(True, {"ref": "refs/heads/main", "empty": ""})
    s = T.SCENARIOS[2]
    w = T.When(None, "$(params.ref)", "in", ["refs/heads/main"])
    assert T.when_holds(w, a, s) is True
    assert T.when_holds(T.When(None, "$(params.ref)", "notin", ["refs/heads/main"]), a, s) is False
    assert T.when_holds(T.When(None, "$(params['ref'])", "in", ["main"]), a, s) is False
    assert T.when_holds(T.When(None, "$(params.other)", "in", ["x"]), a, s) is UNKNOWN
    assert T.when_holds(T.When(None, "$(tasks.t.results.r)", "in", ["x"]), a, s) is UNKNOWN
    assert T.when_holds(T.When(None, None, None, None, "'$(params.ref)' == 'refs/heads/main'"), a, s) is True
    assert T.when_holds(T.When(None, "$(tasks.test.status)", "in", ["Succeeded"]), a, s, failed="test") is False
    # Without an EventListener, a param compared with main is read as the revision.
    assumed = T.Activation(True, {}, assumed=True)
    w = T.When(None, "$(params.git-ref)", "in", ["refs/heads/main"])
    assert [T.when_holds(w, assumed, sc) for sc in T.SCENARIOS] == [False, False, True, False]


def test_mask_tekton_vars_keeps_offsets():
    text = 'buildah push "$(params.IMAGE)" && echo $(results.x.path)'
    masked = T.mask_tekton_vars(text)
    assert len(masked) == len(text) and "$(" not in masked


def test_catalog_kaniko_counts_as_build_and_push(tmp_path):
    folder = copy_base(tmp_path, [("pipeline.yaml", "        name: build-image\n", "        name: kaniko\n")])
    rules = {r for r, _ in findings(folder)}
    assert "GL201" not in rules and "GL647" not in rules
    assert "GL207" in rules  # the catalog kaniko task pushes before the GPU test


def test_github_interceptor_event_types(tmp_path):
    folder = copy_base(tmp_path, [("eventlistener.yaml", 'value: ["push"]', 'value: ["pull_request"]')])
    # only pull requests pass the interceptor, and pull requests have no body.ref: the CEL filter drops
    # them, so the pipeline never runs and nothing is built, tested or pushed
    assert {r for r, _ in findings(folder)} == {"GL201", "GL202", "GL205"}


def test_no_traceback_on_odd_tekton(tmp_path):
    (tmp_path / "odd.yaml").write_text("""
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: [odd]}
spec:
  tasks:
    - 5
    - {name: t, taskRef: "x", when: [{input: 1, operator: in, values: 3}], runAfter: 7}
    - {name: u, taskSpec: {steps: [{script: 12}, {command: "x"}, null]}}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: e}
spec:
  triggers:
    - interceptors: [{ref: {name: cel}, params: [{name: filter, value: [1]}]}, {cel: {filter: 3}}]
      bindings: 5
      template: {ref: nope}
    - 3
""")
    run([tmp_path])


def test_grade_accepts_tekton_ci(tmp_path):
    repo = tmp_path / "submission"
    shutil.copytree(REPO / "reference", repo)
    shutil.rmtree(repo / ".github", ignore_errors=True)
    tekton = repo / "tekton"
    tekton.mkdir()
    for f in BASE.iterdir():
        (tekton / f.name).write_text(f.read_text())
    graded = grade_path(repo, load_rubric("lab"))
    status = {c.criterion.id: c.status for c in graded.criteria}
    failing = {c.criterion.id: [f.rule for f in c.failing] for c in graded.criteria if not c.passed}
    workflow = {k: v for k, v in status.items() if k.startswith("workflow.")}
    assert workflow and all(v == "passed" for v in workflow.values()), failing


def test_unresolved_tasks_are_said_once_per_pipeline(tmp_path):
    from gpulint.engine.run import run

    tasks = "".join(f"    - name: step-{i}\n      taskRef:\n        resolver: bundles\n        params:\n"
                    f"          - {{name: name, value: task-{i}}}\n          - {{name: bundle, value: quay.io/acme/task-{i}:1}}\n"
                    for i in range(3))
    (tmp_path / "pipeline.yaml").write_text("apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: build\n"
                                            "spec:\n  tasks:\n" + tasks)
    found = [f for f in run([tmp_path / "pipeline.yaml"]).findings if f.rule == "GL647"]
    assert len(found) == 1 and "2 more" in found[0].message and len(found[0].related) == 2
