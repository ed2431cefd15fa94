"""Makefiles as targets and recipes: enough to follow `make push-image` from a CI step to the
`docker build` and `docker push` its recipe runs.

Written by hand: no maintained Python library reads GNU make's rules and variables without running
make. The subset read is the one CI Makefiles use: `NAME = value` (also `:=`, `::=`, `?=`, `+=`,
with `export`/`override`), rules `target other: prerequisites` followed by tab-indented recipe
lines, `$(NAME)`/`${NAME}` expanded where the Makefile gives a value, `$(MAKE)`, `$@` and `$$`.
Conditional directives keep both branches; pattern rules, functions and `include` are not
followed. Nothing is executed.
"""

from __future__ import annotations

import re

from gpulint.core.records import Record, field

_ASSIGN = re.compile(r"^(?:(?:export|override)\s+)*([A-Za-z_][\w.-]*)\s*(\?=|:::=|::=|:=|\+=|=)\s*(.*)$")
_RULE = re.compile(r"^([^:=#\t][^:=#]*?)\s*::?(?!=)\s*(.*)$")
_REFERENCE = re.compile(r"\$[({]([A-Za-z_][\w.-]*)[)}]")
_DIRECTIVES = ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "-include", "sinclude", "define",
               "endef", "vpath", "unexport")
_MAX_DEPTH = 8


class MakeTarget(Record):
    name: str
    prerequisites: list[str] = field(default_factory=list)
    recipe: list[str] = field(default_factory=list)  # as written, `@`/`-`/`+` prefixes dropped


class Makefile(Record):
    variables: dict[str, str] = field(default_factory=dict)
    targets: dict[str, MakeTarget] = field(default_factory=dict)
    default: str | None = None  # the first target that is not special (`.PHONY`) or a pattern

    def expand(self, text: str, target: str = "", depth: int = 0) -> str:
        """``text`` with the variables the Makefile defines substituted (unknown ones kept)."""
        text = text.replace("$$", "\0").replace("$@", target)

        def value(match: re.Match) -> str:
            name = match.group(1)
            if name == "MAKE":
                return "make"
            known = self.variables.get(name)
            if known is None or depth >= _MAX_DEPTH:
                return match.group(0)
            return self.expand(known, target, depth + 1)

        return _REFERENCE.sub(value, text).replace("\0", "$")

    def commands(self, goals: list[str]) -> list[tuple[str, str]]:
        """(target, recipe line expanded) of every recipe a `make GOALS` runs, prerequisites first;
        a recipe line that runs make again on this Makefile is followed in its place."""
        out: list[tuple[str, str]] = []
        done: set[str] = set()

        def run(name: str, depth: int) -> None:
            target = self.targets.get(name)
            if target is None or name in done or depth > _MAX_DEPTH:
                return
            done.add(name)
            for prerequisite in target.prerequisites:
                run(prerequisite, depth + 1)
            for line in target.recipe:
                expanded = self.expand(line, name)
                words = expanded.split()
                if words[:1] == ["make"] and not any(w in ("-f", "-C", "--file", "--directory") for w in words):
                    for goal in [w for w in words[1:] if not w.startswith("-") and "=" not in w]:
                        run(goal, depth + 1)
                    continue
                out.append((name, expanded))

        for goal in goals or ([self.default] if self.default else []):
            run(goal, 0)
        return out


def parse_makefile(text: str) -> Makefile:
    found = Makefile()
    current: list[MakeTarget] = []
    for line in _logical_lines(text):
        if line.startswith("\t"):
            recipe = line[1:].strip().lstrip("@-+").strip()
            if recipe and not recipe.startswith("#"):
                for target in current:
                    target.recipe.append(recipe)
            continue
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip():
            continue
        if stripped.split(None, 1)[0] in _DIRECTIVES:
            continue
        assignment = _ASSIGN.match(stripped)
        if assignment is not None:
            name, operator, value = assignment.groups()
            if operator == "?=" and name in found.variables:
                continue
            found.variables[name] = (found.variables.get(name, "") + " " + value).strip() if operator == "+=" \
                else value.strip()
            current = []
            continue
        rule = _RULE.match(stripped)
        if rule is None:
            current = []
            continue
        names, rest = rule.groups()
        current = []
        for name in found.expand(names).split():
            if "%" in name:
                continue
            target = found.targets.setdefault(name, MakeTarget(name))
            prerequisites = rest.split(";", 1)
            target.prerequisites += [p for p in found.expand(prerequisites[0].split("|", 1)[0]).split() if "%" not in p]
            if len(prerequisites) > 1 and prerequisites[1].strip():
                target.recipe.append(prerequisites[1].strip().lstrip("@-+").strip())
            current.append(target)
            if found.default is None and not name.startswith("."):
                found.default = name
    return found


def _logical_lines(text: str) -> list[str]:
    """Lines with backslash continuations joined."""
    out: list[str] = []
    pending = ""
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        out.append(pending + raw)
        pending = ""
    if pending:
        out.append(pending)
    return out
