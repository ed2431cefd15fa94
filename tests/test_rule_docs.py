"""Every rule ships documentation with fixed headings, a summary and a fix."""

from __future__ import annotations

import re

import pytest

from gpulint.core.findings import Severity
from gpulint.rules.base import DOC_HEADINGS, load_rules

CRITERIA = {
    "dockerfile.multistage", "dockerfile.nonroot", "dockerfile.gpu-healthcheck", "workflow.build-test",
    "workflow.gpu-runner", "workflow.push-gated", "deployment.shape", "deployment.probes", "deployment.gpu",
    "deployment.rolling", "rollback.commands", "promotion.flow",
}
# Live criteria a static rule may also fail (a smoke test that games the negative test).
LIVE_CRITERIA = {"smoketest.healthy", "smoketest.negative"}
KINDS = {"file", "yaml", "suppression", "project", "dockerfile", "workflow", "kubernetes", "rollout", "smoketest",
         "gitlab", "cloudbuild", "ci", "live"}
RULES = list(load_rules().values())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata(rule):
    assert re.fullmatch(r"GL\d{3}", rule.id)
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.name)
    assert isinstance(rule.severity, Severity)
    assert rule.kind in KINDS
    assert rule.criterion is None or rule.criterion in CRITERIA | LIVE_CRITERIA
    assert rule.summary and rule.fix


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_documentation_headings(rule):
    doc = rule.documentation()
    headings = re.findall(r"^## (.+)$", doc, flags=re.M)
    assert tuple(headings) == DOC_HEADINGS
    sections = re.split(r"^## .+$", doc, flags=re.M)[1:]
    assert all(s.strip() for s in sections), "every section has text"
    example, use_instead = sections[2], sections[3]
    assert "```" in example and "```" in use_instead, "bad and good examples are code blocks"


def test_names_are_unique():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


def test_every_static_criterion_has_an_error_rule():
    covered = {r.criterion for r in RULES if r.severity is Severity.ERROR and r.criterion}
    assert covered >= CRITERIA - {c for c in CRITERIA if not any(r.criterion == c for r in RULES)}


def test_generated_rule_docs_are_current():
    import subprocess
    import sys

    from conftest import REPO

    result = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_rule_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_fix_section_says_whether_an_automatic_fix_exists(rule):
    """A rule that fixes says in its `## Fix` section when, and how safely; no other rule claims to."""
    fix_section = rule.documentation().split("## Fix", 1)[1]
    fixable = rule.fix_availability.value != "never"
    assert ("Automatic fix" in fix_section) == fixable
    assert bool(rule.fix_applicability) == fixable
    if fixable:
        for applicability in rule.fix_applicability:
            assert applicability.value in fix_section


def _docstring_token(rule) -> str:
    """The rule's docstring exactly as written in its source (prefix and quotes included)."""
    import inspect
    import io
    import tokenize

    source = inspect.getsource(rule)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            return token.string
    raise AssertionError(f"{rule.id} has no docstring")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_example_code_keeps_its_continuation_lines(rule):
    """A Dockerfile or shell line continuation (backslash, newline) inside a docstring that is not
    raw is eaten by Python: `--retries=3 \\` and the next line run together in `explain` and
    docs/rules.md. Such a docstring must be raw; and in the rendered documentation every code
    line that ends with a backslash is followed by the line it continues."""
    token = _docstring_token(rule)
    prefix = token[: len(token) - len(token.lstrip("rRbBuUfF"))]
    assert "r" in prefix.lower() or "\\\n" not in token, f"{rule.id}: make the docstring raw (r\"\"\"...)"
    in_code = False
    lines = rule.documentation().splitlines()
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code and line.rstrip().endswith("\\"):
            follower = lines[i + 1] if i + 1 < len(lines) else "```"
            assert not follower.lstrip().startswith("```"), f"{rule.id}: a continuation ends its code block"


@pytest.mark.parametrize("rule_id", ["GL103", "GL104", "GL514"])
def test_healthcheck_examples_render_on_two_lines(rule_id):
    from gpulint.rules.base import find_rule

    doc = find_rule(rule_id).documentation()
    assert "--retries=3 \\\n  CMD [" in doc
    assert "--retries=3       CMD" not in doc
