"""The generated rule index matches the rules, and a run imports only the rules and models of the
artifact kinds it finds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

from gpulint.engine.rule_index import INDEX_PATH, RuleInfo, render_index, rule_index
from gpulint.rules.base import load_rules


def test_the_index_is_current() -> None:
    assert INDEX_PATH.read_text(encoding="utf-8") == render_index(load_rules()), \
        "gpulint/rules/index.json is out of date: run scripts/gen_rule_index.py"


def test_every_entry_loads_the_rule_it_describes() -> None:
    index = rule_index()
    assert list(index) == list(load_rules())
    for rule_id, info in index.items():
        rule = info.load()
        assert rule.id == rule_id and RuleInfo.of(rule) == info


def _loaded_after_check(path: Path) -> set[str]:
    code = ("import sys\nfrom pathlib import Path\nfrom gpulint.engine.run import run\n"
            f"run([Path({str(path)!r})], keep_artifacts=False)\n"
            "print('\\n'.join(m for m in sys.modules if m.startswith('gpulint') or m == 'yaml'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return set(out.stdout.split())


def _rule_modules(kind: str) -> set[str]:
    return {info.module for info in rule_index().values() if info.kind == kind}


def test_a_dockerfile_alone_loads_no_yaml_ci_or_kubernetes_code(tmp_path: Path) -> None:
    shutil.copyfile(REPO / "reference" / "Dockerfile", tmp_path / "Dockerfile")
    loaded = _loaded_after_check(tmp_path)
    assert _rule_modules("dockerfile") <= loaded
    assert not loaded & (_rule_modules("kubernetes") | _rule_modules("workflow") | _rule_modules("ci"))
    assert not {m for m in loaded if m.startswith(("gpulint.ci.", "gpulint.artifacts.kubernetes"))}
    assert "yaml" not in loaded  # PyYAML itself is not imported for a tree without YAML
    assert "gpulint.syntax.yamlfile" not in loaded


def test_the_reference_loads_no_other_ci_system() -> None:
    loaded = _loaded_after_check(REPO / "reference")
    assert {"gpulint.ci.github.adapter", "gpulint.artifacts.kubernetes.model"} <= loaded
    others = ("gpulint.ci.gitlab", "gpulint.ci.tekton", "gpulint.ci.cloudbuild", "gpulint.syntax.cel",
              "gpulint.syntax.gitlab_expressions", "gpulint.live", "gpulint.grading")
    assert not {m for m in loaded if m.startswith(others)}


def test_each_ci_system_is_loaded_when_its_files_are_found() -> None:
    loaded = _loaded_after_check(REPO / "fixtures" / "GL647")
    assert {"gpulint.ci.tekton.adapter", "gpulint.syntax.cel"} <= loaded
    assert not {m for m in loaded if m.startswith(("gpulint.ci.gitlab", "gpulint.ci.cloudbuild"))}


def test_the_index_is_plain_data() -> None:
    data = json.loads(INDEX_PATH.read_text(encoding="utf-8"))
    assert {item["id"] for item in data["rules"]} == set(load_rules())
