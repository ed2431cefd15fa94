"""Every rule's metadata without importing the rules: a generated index (``gpulint/rules/index.json``).

The engine reads it to pick the rules a run needs (enabled by the configuration, of the artifact
kinds the scanned files hold) and imports only those modules; reporters read names, kinds and
documentation from it. ``scripts/gen_rule_index.py`` writes it from the rules themselves, and a
test fails when it is out of date.
"""

from __future__ import annotations

import importlib
import json
from functools import cache
from pathlib import Path

import gpulint.rules
from gpulint.core.findings import Severity
from gpulint.core.records import Record
from gpulint.rules.base import registered

INDEX_PATH = Path(gpulint.rules.__file__).with_name("index.json")


class RuleInfo(Record, frozen=True):
    """What a rule declares (the class attributes ``gpulint rules`` shows), and where it lives."""

    id: str
    name: str
    severity: Severity
    kind: str
    criterion: str | None
    covers: tuple[str, ...]
    aliases: tuple[str, ...]
    summary: str
    fix: str
    module: str
    doc: str

    def documentation(self) -> str:
        return self.doc

    def load(self) -> type:
        """The rule's class (its module imported; it registers itself)."""
        importlib.import_module(self.module)
        rule = registered(self.id)
        if rule is None:
            raise RuntimeError(f"{self.module} does not define rule {self.id}: regenerate {INDEX_PATH.name} "
                               "with scripts/gen_rule_index.py")
        return rule

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "severity": self.severity.value, "kind": self.kind,
                "criterion": self.criterion, "covers": list(self.covers), "aliases": list(self.aliases),
                "summary": self.summary, "fix": self.fix, "module": self.module, "doc": self.doc}

    @classmethod
    def from_dict(cls, data: dict) -> RuleInfo:
        return cls(data["id"], data["name"], Severity(data["severity"]), data["kind"], data["criterion"],
                   tuple(data["covers"]), tuple(data["aliases"]), data["summary"], data["fix"], data["module"],
                   data["doc"])

    @classmethod
    def of(cls, rule: type) -> RuleInfo:
        return cls(rule.id, rule.name, rule.severity, rule.kind, rule.criterion, tuple(rule.covers),
                   tuple(rule.aliases), rule.summary, rule.fix, rule.__module__, rule.documentation())


@cache
def rule_index() -> dict[str, RuleInfo]:
    """Every rule by id, in id order, read from the generated index."""
    data = json.loads(INDEX_PATH.read_text(encoding="utf-8"))
    return {item["id"]: RuleInfo.from_dict(item) for item in data["rules"]}


def render_index(rules: dict[str, type]) -> str:
    """The index file's text for these rule classes (what ``scripts/gen_rule_index.py`` writes)."""
    items = [RuleInfo.of(rule).to_dict() for _, rule in sorted(rules.items())]
    return json.dumps({"rules": items}, indent=1, ensure_ascii=False) + "\n"
