"""`--fix --unsafe-fixes` on a copy of the real-world corpus (../shared/realworld) and of the hostile
inputs: every changed file still parses, no finding appears that was not there, and a second run changes nothing.

The corpus is read from ``../shared/realworld`` (or ``$GPULINT_REALWORLD``); the test skips when
it is absent. The fixes applied per rule are printed (``pytest -s``) and must not drop to zero.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from gpulint.engine.fixing import fix_paths, write_changes
from gpulint.engine.run import run
from test_fixes import parses

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("GPULINT_REALWORLD", REPO.parent / "shared" / "realworld"))


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("../shared/realworld is absent (set GPULINT_REALWORLD to its folder)")
    copy = tmp_path_factory.mktemp("realworld") / "corpus"
    shutil.copytree(CORPUS, copy)
    for path in copy.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    before = run([copy]).findings
    outcome = fix_paths([copy], unsafe=True)
    write_changes(outcome.changed)
    print("\nfixed per rule:", dict(sorted(outcome.fixed.items())), f"in {len(outcome.changed)} files")
    return copy, before, outcome


def test_every_fixed_file_still_parses(fixed):
    copy, _, outcome = fixed
    assert outcome.changed
    for change in outcome.changed:
        parses(change.path, change.after, change.before)


def test_fixes_remove_findings_and_add_none(fixed):
    _, before, outcome = fixed
    was = Counter((f.rule, f.path) for f in before if not f.suppressed)
    now = Counter((f.rule, f.path) for f in outcome.result.findings if not f.suppressed)
    assert not {k: v for k, v in now.items() if v > was[k]}, "a fix introduced a finding"
    assert sum(was.values()) - sum(now.values()) >= outcome.count
    assert not [f for f in outcome.result.findings if f.autofix is not None], "fixes left unapplied"
    assert outcome.fixed["GL102"] >= 10 and outcome.fixed["GL206"] >= 1


def test_a_second_fix_changes_nothing(fixed):
    copy, _, _ = fixed
    assert not fix_paths([copy], unsafe=True).changed


def test_fixes_on_hostile_inputs(tmp_path):
    """The hostile corpus (encodings, CRLF, BOMs, huge and deep files, tricky YAML): fixing it
    neither crashes nor breaks a file, adds no finding, and a second run changes nothing."""
    copy = tmp_path / "hostile"
    shutil.copytree(REPO / "tests" / "hostile" / "files", copy)
    before = Counter((f.rule, f.path) for f in run([copy]).findings if not f.suppressed)
    outcome = fix_paths([copy], unsafe=True)
    assert outcome.count >= 1
    for change in outcome.changed:
        parses(change.path, change.after, change.before)
    after = Counter((f.rule, f.path) for f in outcome.result.findings if not f.suppressed)
    assert not {k: v for k, v in after.items() if v > before[k]}
    write_changes(outcome.changed)
    assert not fix_paths([copy], unsafe=True).changed
