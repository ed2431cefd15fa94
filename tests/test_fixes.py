"""Every automatic fix on every failing fixture of its rule, checked the way a user would check it.

For each fixable rule and each of its ``fixtures/<RULE>/fail`` cases whose finding comes with a
fix, the case is copied, the rule's fixes are applied (``--unsafe-fixes`` included) and:

* the fixed findings are gone and no finding appears that was not there before (re-lint);
* every changed file still parses (YAML and JSON with PyYAML/json, Dockerfiles with
  ``dockerfile-parse``, an independent parser);
* a second run changes nothing;
* the change is exactly the reviewed golden diff in ``tests/data/fixes/<RULE>/<case>.diff``
  (so the bytes outside each edit are unchanged).

Regenerate the golden diffs after reviewing them: ``GPULINT_UPDATE_GOLDEN=1 pytest tests/test_fixes.py``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from gpulint.artifacts.dockerfile.model import KEYWORDS
from gpulint.engine.fixing import fix_paths, unified_diff
from gpulint.engine.run import run
from gpulint.rules.base import load_rules

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
GOLDEN = REPO / "tests" / "data" / "fixes"
UPDATE = os.environ.get("GPULINT_UPDATE_GOLDEN") == "1"
FIXABLE = sorted(rule_id for rule_id, rule in load_rules().items() if rule.fix_availability.value != "never")


def _cases() -> list[Path]:
    return sorted(p for rule in FIXABLE for p in (FIXTURES / rule / "fail").glob("*") if p.name != "EXPECT")


def _copy(case: Path, tmp_path: Path) -> Path:
    target = tmp_path / case.name
    if case.is_dir():
        shutil.copytree(case, target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(case, target)
    return target


def _key(finding) -> tuple[str, str]:
    return finding.rule, finding.path


def _instructions(text: str) -> list[dict]:
    import tempfile

    from dockerfile_parse import DockerfileParser

    with tempfile.TemporaryDirectory() as folder:
        parser = DockerfileParser(path=folder)
        parser.content = text
        return parser.structure


def parses(path: Path, data: bytes, before: bytes | None = None) -> None:
    """The file is still what it was: YAML, JSON, or a Dockerfile whose instructions an independent
    parser (dockerfile-parse) reads as before, plus well-formed new ones."""
    text = data.decode("utf-8-sig") if not data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-16")
    name = path.name
    if name.endswith(".json"):
        json.loads(text)
    elif name.endswith((".yaml", ".yml")):
        list(yaml.safe_load_all(text))
    elif "Dockerfile" in name or name.endswith(".Dockerfile"):
        after = _instructions(text)
        old = _instructions(before.decode("utf-8-sig", errors="replace")) if before is not None else []
        assert [i["instruction"] for i in after].count("FROM") == [i["instruction"] for i in old].count("FROM") \
            or before is None
        assert len(after) >= len(old), f"{name} lost instructions"
        contents = Counter(i["content"] for i in old)
        for instruction in after:
            if contents[instruction["content"]]:
                contents[instruction["content"]] -= 1
            else:  # written by a fix
                assert instruction["instruction"] in KEYWORDS, instruction


@pytest.mark.parametrize("case", _cases(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_fix_on_failing_fixture(case: Path, tmp_path: Path) -> None:
    rule = case.parent.parent.name
    copy = _copy(case, tmp_path / "case")
    before = run([copy]).findings
    offered = [f for f in before if f.rule == rule and f.autofix is not None and not f.suppressed]
    if not offered:
        pytest.skip(f"{rule} offers no automatic fix on this case")
    outcome = fix_paths([copy], unsafe=True, rules={rule})
    assert outcome.changed, "a fix was offered but nothing changed"
    assert outcome.fixed[rule] >= 1

    # The finding is gone and nothing new appears (counted per rule and file: lines move).
    after = Counter(_key(f) for f in outcome.result.findings if not f.suppressed)
    was = Counter(_key(f) for f in before if not f.suppressed)
    for key, count in Counter(_key(f) for f in offered).items():
        assert after[key] <= was[key] - count, f"{key}: still reported after its fix"
    new = {key: count for key, count in after.items() if count > was[key]}
    assert not new, f"new findings after the fix: {new}"

    # Every changed file still parses.
    for change in outcome.changed:
        parses(change.path, change.after, change.before)

    # A second fix changes nothing.
    for change in outcome.changed:
        change.path.write_bytes(change.after)
    again = fix_paths([copy], unsafe=True, rules={rule})
    assert not again.changed, f"a second --fix changed {[c.rel for c in again.changed]}"

    # Exactly the reviewed change.
    diff = "".join(unified_diff(change) for change in outcome.changed)
    golden = GOLDEN / rule / f"{case.name}.diff"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(diff.encode("utf-8"))  # bytes: a CRLF file's diff keeps its line ends
    assert golden.is_file(), f"no golden diff {golden.relative_to(REPO)} (GPULINT_UPDATE_GOLDEN=1 writes it)"
    assert diff == golden.read_bytes().decode("utf-8")


def test_every_fixable_rule_fixes_some_failing_fixture() -> None:
    """A rule that says it can fix has golden diffs of real fixes (not only skipped cases)."""
    missing = [rule for rule in FIXABLE if not list((GOLDEN / rule).glob("*.diff"))]
    assert not missing, f"fixable rules without a fixed fixture: {missing}"


def test_golden_diffs_belong_to_existing_fixtures() -> None:
    stale = [p.relative_to(REPO).as_posix() for p in GOLDEN.rglob("*.diff")
             if not (FIXTURES / p.parent.name / "fail" / p.name[:-len(".diff")]).exists()]
    assert not stale, f"golden diffs of fixtures that no longer exist: {stale}"


def test_a_fix_that_leaves_its_finding_is_undone(tmp_path: Path, monkeypatch) -> None:
    """The engine's guard: a fix whose finding survives (a bug in a fix) is put back, reported in
    ``reverted`` and not tried again, while the other fixes of the run are applied."""
    from gpulint.core.fix import Edit, Fix
    from gpulint.rules.kubernetes import gl307_rolling_update

    def useless(manifests, obj, gpu):
        return Fix.safe("a comment, not a strategy", Edit.insert(manifests.source, 0, "# strategy?\n"))

    monkeypatch.setattr(gl307_rolling_update, "make_rolling", useless)
    root = tmp_path / "case"
    root.mkdir()
    shutil.copy(FIXTURES / "GL307" / "fail" / "no-strategy.yaml", root / "deployment.yaml")
    shutil.copy(FIXTURES / "GL306" / "fail" / "requests-only.yaml", root / "other.yaml")
    outcome = fix_paths([root], unsafe=True)
    assert outcome.reverted == ["deployment.yaml"]
    assert dict(outcome.fixed) == {"GL306": 1}
    assert [c.rel for c in outcome.changed] == ["other.yaml"]
    assert outcome.passes == 1
