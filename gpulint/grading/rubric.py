"""Rubrics: YAML files validated by ``rules/rubric.schema.json``.

A rubric lists criteria, each with points, the rules it depends on and feedback. A criterion
fails when an error finding (or worse than its ``fail_on``) carries its id as criterion, or comes
from one of its ``rules``. A rubric that could never fail a criterion (a static criterion whose
id no rule reports and that selects no rule) is rejected: it would hand out points for nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gpulint.core.findings import Severity
from gpulint.core.records import Record, compared_without, field, replace

BUILTIN = ("lab", "production")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEFAULT_REQUIRE = ("dockerfile", "workflow", "kubernetes", "rollout")


class RubricError(Exception):
    """A rubric that cannot be used (exit status 2)."""


class Criterion(Record, frozen=True):
    id: str
    title: str
    points: float
    rules: tuple[str, ...] = ()
    pass_feedback: str = ""
    fail_feedback: str = ""
    description: str = ""
    visibility: str = "visible"
    live: bool = False
    fail_on: Severity = Severity.ERROR

    def selects(self, rule_id: str, rule_name: str) -> bool:
        """Whether one of this criterion's rule references picks the rule (id, id prefix or name)."""
        rid = rule_id.lower()
        return any(ref.lower() == rule_name or rid.startswith(ref.lower()) for ref in self.rules)


@compared_without("extra")
class Rubric(Record, frozen=True):
    name: str
    title: str
    criteria: tuple[Criterion, ...]
    description: str = ""
    require: tuple[str, ...] = DEFAULT_REQUIRE
    honor_suppressions: bool = False
    gpu_runner_labels: tuple[str, ...] = ()
    visibility: str = "visible"  # the default of criteria that set none (Gradescope's top-level visibility)
    hide_findings: bool = False  # student-facing reports leave out what gpulint found, line by line
    extra: dict[str, Any] = field(default_factory=dict)
    # The rules' profile when grading (`grade --profile`); None: the rubric's own name if it names one.
    profile: str | None = None

    @property
    def max_score(self) -> float:
        return _round(sum(c.points for c in self.criteria))

    def with_profile(self, profile: str | None) -> Rubric:
        return replace(self, profile=profile)

    def only(self, ids: list[str]) -> Rubric:
        """The rubric restricted to some criteria (ids must exist)."""
        known = {c.id for c in self.criteria}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise RubricError(f"rubric '{self.name}' has no criterion {', '.join(unknown)}; "
                              f"it has: {', '.join(c.id for c in self.criteria)}")
        return replace(self, criteria=tuple(c for c in self.criteria if c.id in ids))


def _round(value: float) -> float:
    return float(round(value, 4))


def load_rubric(spec: str | Path) -> Rubric:
    """A built-in rubric by name (``lab``, ``production``) or a rubric file."""
    from gpulint.core.resources import data_path

    text_spec = str(spec)
    if text_spec in BUILTIN:
        path = data_path(f"{text_spec}.yaml")
        default_name = text_spec
    else:
        path = Path(text_spec)
        if not path.is_file():
            raise RubricError(f"no such rubric: {text_spec} (use lab, production or a rubric YAML file)")
        default_name = path.stem
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RubricError(f"cannot read rubric {text_spec}: {error}") from None
    return parse_rubric(text, default_name, label=text_spec)


def parse_rubric(text: str, default_name: str = "rubric", label: str = "rubric") -> Rubric:
    import yaml

    from gpulint.syntax import yamlnode as Y

    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise RubricError(f"{label}: invalid YAML: {error}") from None
    data = Y.to_python(node) if node is not None else None
    _validate(data, node, label)
    return _build(data, node, default_name, label)


def _line_of(node, path: tuple) -> int | None:
    from gpulint.syntax import yamlnode as Y

    current = node
    for key in path:
        nxt = Y.get_path(current, key) if isinstance(key, int) else Y.get(current, key)
        if nxt is None:
            break
        current = nxt
    return current.start_mark.line + 1 if current is not None else None  # composed here: PyYAML marks


def _where(path: tuple) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "rubric"


def _validate(data: Any, node, label: str) -> None:
    import jsonschema

    from gpulint.core.resources import data_path

    schema = json.loads(data_path("rubric.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return
    problems = []
    for error in errors[:10]:
        path = tuple(error.absolute_path)
        line = _line_of(node, path) if node is not None else None
        at = f"{label}:{line}: " if line else f"{label}: "
        problems.append(f"{at}{_where(path)}: {error.message}")
    raise RubricError("invalid rubric:\n  " + "\n  ".join(problems))


def _known_criteria() -> set[str]:
    from gpulint.rules.base import load_rules
    from gpulint.rules.general.gl004_missing_artifact import CRITERIA

    known = {r.criterion for r in load_rules().values() if r.criterion}
    for ids in CRITERIA.values():
        known.update(ids)
    return known


def _build(data: dict, node, default_name: str, label: str) -> Rubric:
    from gpulint.rules.base import load_rules

    rules = load_rules().values()
    known = _known_criteria()
    default_fail_on = Severity(data.get("fail_on", "error"))
    default_visibility = data.get("visibility", "visible")
    criteria: list[Criterion] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(data["criteria"]):
        line = _line_of(node, ("criteria", index))
        at = f"{label}:{line}: " if line else f"{label}: "
        cid = item["id"]
        if cid in seen:
            problems.append(f"{at}criterion '{cid}' appears twice")
        seen.add(cid)
        refs = tuple(item.get("rules", ()))
        criterion = Criterion(
            id=cid, title=item["title"], points=_round(float(item["points"])), rules=refs,
            pass_feedback=item["feedback"]["pass"].strip(), fail_feedback=item["feedback"]["fail"].strip(),
            description=item.get("description", "").strip(), visibility=item.get("visibility", default_visibility),
            live=bool(item.get("live", False)), fail_on=Severity(item.get("fail_on", default_fail_on.value)))
        for ref in refs:
            probe = Criterion("probe", "probe", 0.0, (ref,))
            if not any(probe.selects(r.id, r.name) for r in rules):
                problems.append(f"{at}criterion '{cid}': rule '{ref}' matches no gpulint rule "
                                "(`gpulint rules` lists them)")
        if not criterion.live and not refs and cid not in known:
            problems.append(f"{at}criterion '{cid}' can never fail: no rule reports it as its criterion and "
                            "it lists no `rules`; add `rules:` (ids, prefixes or names) or mark it `live: true`")
        criteria.append(criterion)
    if problems:
        raise RubricError("invalid rubric:\n  " + "\n  ".join(problems))
    return Rubric(
        name=data.get("name", default_name), title=data["title"], criteria=tuple(criteria),
        description=data.get("description", "").strip(),
        require=tuple(data.get("require", DEFAULT_REQUIRE)),
        honor_suppressions=bool(data.get("honor_suppressions", False)),
        gpu_runner_labels=tuple(data.get("gpu_runner_labels", ())),
        visibility=default_visibility, hide_findings=bool(data.get("hide_findings", False)),
    )
