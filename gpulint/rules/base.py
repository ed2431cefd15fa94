"""The rule base class and the registry rules add themselves to.

A rule is one small class in one module under ``gpulint/rules``: it declares its id, name,
severity, the artifact kind it reads, the lab criterion it decides, and its documentation (the
class docstring, with fixed headings), and its ``check`` yields ``Report``s that point at model
nodes. The engine knows no rule by name.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from gpulint.core.findings import Severity
from gpulint.core.fix import Applicability, Fix, FixAvailability
from gpulint.core.records import Record, field
from gpulint.core.source import Span

if TYPE_CHECKING:
    from gpulint.project.project import Project

DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix")

_REGISTRY: dict[str, type[Rule]] = {}
_ALL_LOADED = False
_ID_PATTERN = re.compile(r"^GL\d{3}$")


class Report(Record):
    """What a rule says about one place; the engine turns it into a ``Finding``."""

    span: Span
    message: str
    fix: str | None = None  # defaults to the rule's own fix line
    # Overrides the rule's criterion for this report; None keeps the rule's, "" means none (null).
    criterion: str | None = None
    severity: Severity | None = None  # overrides the rule's severity for this report
    confidence: str = "high"  # high | medium | low (see gpulint.core.findings.CONFIDENCES)
    related: list[tuple[Span, str]] = field(default_factory=list)  # other places, each with what it is
    autofix: Fix | None = None  # the edits that fix it, when the rule can compute them


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    kind: ClassVar[str]  # dockerfile | workflow | kubernetes | rollout | smoketest | project | any
    criterion: ClassVar[str | None] = None
    # The CI systems or workload families a rule covers, shown by `gpulint rules` (empty: n/a).
    covers: ClassVar[tuple[str, ...]] = ()
    # Ids and names this rule took over from rules merged into it: `select`, `ignore`, `severity`
    # and inline suppressions that name them keep working (a redirect, as ruff has).
    aliases: ClassVar[tuple[str, ...]] = ()
    summary: ClassVar[str]
    fix: ClassVar[str]
    # Whether the rule's findings come with edits that fix them, and how safe those are
    # (see gpulint.core.fix): shown by `gpulint rules`, applied by `check --fix`.
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NEVER
    fix_applicability: ClassVar[tuple[Applicability, ...]] = ()
    # What the rule judges, decided before it judges (production profile; see rules/applicability.py):
    # "gpu-workload" (reports about CPU-only workloads and GPU daemons are dropped) or
    # "gpu-serving-image" (reports about other images become info). None: every artifact of its kind.
    applies_to: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "id" not in cls.__dict__:
            return  # an abstract helper base
        if not _ID_PATTERN.match(cls.id):
            raise ValueError(f"rule id {cls.id!r} must look like GL123")
        if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
            raise ValueError(f"rule id {cls.id} is registered twice")
        _REGISTRY[cls.id] = cls

    def check(self, artifact: Any, project: Project) -> Iterator[Report]:
        raise NotImplementedError

    def report(self, span: Span, message: str, **kwargs: Any) -> Report:
        return Report(span, message, **kwargs)

    @classmethod
    def documentation(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")


def load_rules() -> dict[str, type[Rule]]:
    """Import every module under ``gpulint.rules`` once; each rule registers itself."""
    global _ALL_LOADED
    if not _ALL_LOADED:  # a run may have imported only some rules (gpulint.engine.rule_index)
        import pkgutil

        import gpulint.rules as package

        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
        _ALL_LOADED = True
    return dict(sorted(_REGISTRY.items()))


def registered(rule_id: str) -> type[Rule] | None:
    """The rule registered under this id, if its module has been imported."""
    return _REGISTRY.get(rule_id)


def find_rule(key: str) -> type[Rule] | None:
    """The rule with this id or name, or the rule it was merged into."""
    rules = load_rules()
    key_lower = key.lower()
    for rule in rules.values():
        if rule.id.lower() == key_lower or rule.name == key_lower:
            return rule
    for rule in rules.values():
        if any(alias.lower() == key_lower for alias in rule.aliases):
            return rule
    return None
