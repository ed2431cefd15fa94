"""Which commands of a shell text can run: `&&`, `||`, `;`, `if`, functions and `exit` evaluated."""

from __future__ import annotations

import pytest

from gpulint.syntax.shellflow import flow


def runs(text: str) -> dict[str, bool]:
    return {" ".join(c.words): c.runs for c in flow(text)}


@pytest.mark.parametrize("text, never", [
    ("true || kubectl rollout undo deploy/x", "`true` always succeeds"),
    (": || kubectl rollout undo deploy/x", "`:` always succeeds"),
    ("echo rolling back || kubectl rollout undo deploy/x", "`echo rolling back` always succeeds"),
    ("X=1 || kubectl rollout undo deploy/x", "`X=1` always succeeds"),
    ("false && kubectl rollout undo deploy/x", "`false` never succeeds"),
    ("! true && kubectl rollout undo deploy/x", "never succeeds"),
    ("exit 0; kubectl rollout undo deploy/x", "`exit 0` ends the shell"),
    ("exit 0\nkubectl rollout undo deploy/x", "an earlier `exit`"),
    ("if false; then kubectl rollout undo deploy/x; fi", "the condition `false` never succeeds"),
    ("if true; then :; else kubectl rollout undo deploy/x; fi", "the condition `true` always succeeds"),
    ("undo() { kubectl rollout undo deploy/x; }", "the function `undo` is never called"),
    ("true || { kubectl rollout undo deploy/x; }", "always succeeds"),
])
def test_commands_that_never_run(text, never):
    (undo,) = [c for c in flow(text) if c.words[:1] == ["kubectl"]]
    assert not undo.runs and never in undo.why


@pytest.mark.parametrize("text", [
    "kubectl rollout status deploy/x || kubectl rollout undo deploy/x",
    "kubectl rollout undo deploy/x && kubectl rollout status deploy/x",
    "kubectl get pods; kubectl rollout undo deploy/x",
    "( exit 1 ) || kubectl rollout undo deploy/x",  # exit ends only the subshell
    "undo() { kubectl rollout undo deploy/x; }; undo",
    "if kubectl rollout status deploy/x; then :; else kubectl rollout undo deploy/x; fi",
    "false || kubectl rollout undo deploy/x",
    "kubectl rollout undo deploy/x  # previous revision",
    "case $1 in a) kubectl rollout undo deploy/x;; esac",  # bashlex lacks `case`: split on operators
])
def test_commands_that_may_run(text):
    (undo,) = [c for c in flow(text) if c.words[:3] == ["kubectl", "rollout", "undo"]]
    assert undo.runs, undo.why


def test_positions_point_at_each_command():
    text = "true || kubectl rollout undo deploy/x"
    first, second = flow(text)
    assert text[first.start:first.end] == "true"
    assert text[second.start:second.end] == "kubectl rollout undo deploy/x"


def test_comments_only_and_fallback_exit():
    assert flow("# kubectl rollout undo deploy/x") == []
    commands = flow("case x in a) exit 0;; esac\nkubectl rollout undo deploy/x")
    assert commands[-1].words[0] == "kubectl"
