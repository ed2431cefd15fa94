"""Rule selectors (`--select`, `--ignore`, `select:`, `ignore:`, `severity:`) that name no rule
are errors, with the nearest rule id or name as a suggestion."""

from __future__ import annotations

import difflib

from gpulint.project.config import selector_matches
from gpulint.rules.base import load_rules


def selector_problem(ref: str, exact: bool = False) -> str | None:
    """What is wrong with ``ref`` as a selector, or None when it names rules: a rule's id or name,
    an id or name a merged rule had (its alias), or (unless ``exact``) a prefix of ids (GL1, GL10)."""
    rules = list(load_rules().values())
    key = ref.strip().lower()
    for rule in rules:
        names = {rule.id.lower(), rule.name, *(a.lower() for a in rule.aliases)}
        if key in names or (not exact and selector_matches(ref.strip(), rule.id, rule.name, rule.aliases)):
            return None
    return f"no rule {ref!r}{did_you_mean(ref)}"


def did_you_mean(ref: str) -> str:
    """"; did you mean 'GL102'?" for the nearest rule id or name, else where the rules are listed."""
    vocabulary: dict[str, str] = {}
    for rule in load_rules().values():
        for name in (rule.id, rule.name, *rule.aliases):
            vocabulary.setdefault(name.lower(), name)
    guess = difflib.get_close_matches(ref.strip().lower(), list(vocabulary), n=1, cutoff=0.6)
    return f"; did you mean {vocabulary[guess[0]]!r}?" if guess else "; `gpulint rules` lists them"
