"""The rules a run needs, imported when a file of their kind is found, and running them.

The configuration's `select`/`ignore` and each rule's kind are read from the generated rule index
(``gpulint.engine.rule_index``), so a tree without GitLab, Tekton or Cloud Build files never imports
those rules (nor the models they read).
"""

from __future__ import annotations

from typing import Any

from gpulint.core.findings import Finding
from gpulint.core.fix import resolve as resolve_fix
from gpulint.rules.applicability import applicable
from gpulint.engine.suppress import SuppressionIndex
from gpulint.project.config import Config
from gpulint.rules.base import Report, Rule
from gpulint.engine.rule_index import RuleInfo, rule_index


class RuleSet:
    """The enabled rules of a run, each imported and instantiated the first time a project has
    an artifact of its kind."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.enabled: list[RuleInfo] = [info for info in rule_index().values()
                                        if config.enabled(info.id, info.name, info.aliases)]
        self._rules: dict[str, Rule] = {}

    def for_kinds(self, kinds: set[str]) -> list[Rule]:
        """The enabled rules reading any of these artifact kinds, in id order."""
        out = []
        for info in self.enabled:
            if info.kind in kinds:
                rule = self._rules.get(info.id)
                if rule is None:
                    rule = self._rules[info.id] = info.load()()
                out.append(rule)
        return out


def apply_rules(project: Any, rules: list[Rule], suppressions: SuppressionIndex, artifacts: list[Any],
                with_project: bool, progress: Any = None) -> list[Finding]:
    """Every rule on these artifacts (and the project-wide rules if ``with_project``), each on
    what it applies to (``rules.applicability``). ``progress`` (optional) hears ``advance(1)`` per rule."""
    by_kind: dict[str, list[Any]] = {}
    for artifact in artifacts:
        by_kind.setdefault(artifact.kind, []).append(artifact)
    findings: list[Finding] = []
    for rule in rules:
        if rule.kind == "suppression":
            continue
        targets = ([project] if with_project else []) if rule.kind == "project" else by_kind.get(rule.kind, [])
        for artifact in targets:
            for report in applicable(rule, artifact, project):
                findings.append(finding(rule, report, project.config, suppressions))
        if progress is not None:
            progress.advance(1)
    return findings


def finding(rule: Rule, report: Report, config: Config, suppressions: SuppressionIndex | None) -> Finding:
    severity = config.severity_for(rule.id, rule.name, report.severity or rule.severity, rule.aliases)
    found = Finding.at(report.span, rule=rule.id, name=rule.name, severity=severity,
                       criterion=rule.criterion if report.criterion is None else (report.criterion or None),
                       message=report.message, fix=report.fix or rule.fix, confidence=report.confidence,
                       related=report.related, autofix=resolve_fix(report.autofix))
    if suppressions is not None:
        own_line = report.span.source.position(report.span.start).line
        found.suppressed = suppressions.suppresses(report.span.source, rule.id, rule.name, own_line, rule.aliases)
    return found


# The syntax of comments in each artifact kind's source, for inline suppressions.
COMMENT_SYNTAX = {"dockerfile": "dockerfile", "smoketest": "python", "yaml": "yaml", "workflow": "yaml",
                  "kubernetes": "yaml", "rollout": "yaml", "gitlab": "yaml", "cloudbuild": "yaml"}


def collect_suppressions(artifacts: list[Any]) -> SuppressionIndex:
    suppressions = SuppressionIndex()
    for artifact in artifacts:
        syntax = COMMENT_SYNTAX.get(artifact.kind)
        if syntax is not None and getattr(artifact, "source", None) is not None:
            suppressions.collect(artifact.source, syntax)
    return suppressions


def apply_suppression_rules(project: Any, rules: list[Rule], suppressions: SuppressionIndex) -> list[Finding]:
    """The rules that judge the suppressions themselves (unused ones), once every other rule ran."""
    return [finding(rule, report, project.config, None)
            for rule in rules if rule.kind == "suppression"
            for report in rule.check(suppressions, project)]
