"""Every rule's fixtures: failing cases yield exactly the expected findings, passing cases none.

Layout: ``fixtures/<RULE ID>/{fail,pass}/<case>``, a case being one file or one folder. A failing
case marks what it expects in comments: ``# expect: GL203@12`` (rule at line 12 of that file;
several allowed, comma-separated). Files without comments (JSON) list expectations in an
``EXPECT`` file in the case folder, one ``path:line RULE`` per line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.rules.base import load_rules

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
_EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def _cases(outcome: str) -> list[Path]:
    return sorted(p for p in FIXTURES.glob(f"GL*/{outcome}/*") if p.name != "EXPECT")


def _files(case: Path) -> list[Path]:
    return [case] if case.is_file() else sorted(p for p in case.rglob("*") if p.is_file())


def _root(case: Path) -> Path:
    return case if case.is_dir() else case.parent


def expected(case: Path) -> set[tuple[str, str, int]]:
    root = _root(case)
    found: set[tuple[str, str, int]] = set()
    for path in _files(case):
        rel = path.relative_to(root).as_posix()
        if path.name == "EXPECT":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    location, rule = line.split()
                    file_part, line_part = location.rsplit(":", 1)
                    found.add((rule, file_part, int(line_part)))
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for line in text.splitlines():
            match = _EXPECT.search(line)
            if match:
                for item in match.group(1).split(","):
                    rule, _, number = item.strip().partition("@")
                    found.add((rule.strip(), rel, int(number)))
    return found


def actual(case: Path) -> set[tuple[str, str, int]]:
    result = run([case])
    return {(f.rule, f.path, f.line) for f in result.findings if not f.suppressed}


@pytest.mark.parametrize("case", _cases("fail"), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_failing_fixture(case: Path) -> None:
    want = expected(case)
    assert want, f"{case} declares no expected finding (# expect: GLxxx@line)"
    rule_id = case.parent.parent.name
    assert any(r == rule_id for r, _, _ in want), f"{case} does not expect its own rule {rule_id}"
    assert actual(case) == want


@pytest.mark.parametrize("case", _cases("pass"), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_passing_fixture(case: Path) -> None:
    assert actual(case) == set()


def test_every_rule_has_failing_and_passing_fixtures() -> None:
    """Live mode's verdicts (kind ``live``) come from running the image: tests/test_live_*.py prove them."""
    missing = []
    for rule_id, rule in load_rules().items():
        if rule.kind == "live":
            continue
        for outcome in ("fail", "pass"):
            if not any((FIXTURES / rule_id / outcome).glob("*")):
                missing.append(f"{rule_id}/{outcome}")
    assert not missing, f"rules without fixtures: {missing}"


def test_fixture_folders_name_real_rules() -> None:
    rules = load_rules()
    unknown = [p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in rules]
    assert not unknown
