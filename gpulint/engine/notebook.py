"""Linting a notebook's answers: written to a scratch folder, linted by the engine there, and each
finding mapped back to the notebook cell and the line inside that cell. An answer variable gpulint
cannot compute becomes a "cannot tell" finding at its cell, failing the criteria that need it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from gpulint.artifacts.notebook.cells import PLAN_VARIABLES, TEXT_VARIABLES, Answers, Origin, Written, answers_of
from gpulint.core.findings import Finding, Severity
from gpulint.core.records import Record
from gpulint.engine.run import RunResult, run

_VARIABLE_KIND = {"dockerfile": "dockerfile", "workflow_yaml": "workflow", "deployment_yaml": "kubernetes",
                  "smoke_test_py": "smoketest", "rollback_commands": "rollback", "image_promotion_flow": "promotion"}


class NotebookRun(Record):
    answers: Answers
    result: RunResult
    findings: list[Finding]
    cells: dict[int, int]  # id(finding) -> notebook cell number


def lint_notebook(path: Path, answers: Answers | None = None, **run_options: Any) -> NotebookRun:
    """Lint a notebook's answers: the engine runs over them in a scratch folder (``run_options`` as
    for ``engine.run``), and findings come back as notebook cell and line."""
    answers = answers if answers is not None else answers_of(path)
    with tempfile.TemporaryDirectory(prefix="gpulint-nb-") as scratch:
        root = Path(scratch)
        for rel, written in answers.files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(written.text(), encoding="utf-8")
        result = run([root], **run_options)
    cells: dict[int, int] = {}
    replaced = _replaced_criteria(answers)
    findings: list[Finding] = []
    for finding in result.findings:
        written = answers.files.get(finding.path)
        if finding.criterion in replaced.get(finding.path, ()) or \
                finding.rule == "GL004" and finding.criterion in replaced.get("*", ()):
            continue  # said better by the "cannot tell" finding below
        if written is not None:
            _map_back(finding, written, answers, cells)
        elif finding.path == ".":
            finding.source = None
        finding.path = path.name
        finding.autofix = None  # its edits are of the scratch copy, not of the notebook
        findings.append(finding)
    for finding, cell in _cannot_tell(path.name, answers, result):
        cells[id(finding)] = cell
        findings.append(finding)
    for at, message in answers.problems:
        finding = Finding(rule="GL001", name="parse-error", severity=Severity.WARNING, criterion=None,
                          path=path.name, line=at.line, column=1, end_line=at.line, end_column=2,
                          message=f"cell {at.cell} is not Python as IPython reads it ({message}): it defines "
                                  "nothing, and running the whole notebook stops there",
                          fix="fix the cell's syntax, or make it a markdown or raw cell",
                          source=answers.cells.get(at.cell))
        cells[id(finding)] = at.cell
        findings.append(finding)
    for finding in findings:
        finding.cell = cells.get(id(finding))
    findings.sort(key=lambda f: (cells.get(id(f), 0),) + f.sort_key())
    result.findings = findings
    return NotebookRun(answers, result, findings, cells)


def _map_back(finding: Finding, written: Written, answers: Answers, cells: dict[int, int]) -> None:
    start = _origin(written, finding.line)
    end = _origin(written, finding.end_line) or start
    if start is None:
        finding.line, finding.end_line, finding.source = 1, 1, None
        return
    same_cell = end is not None and end.cell == start.cell
    finding.end_line = end.line if same_cell else start.line
    finding.column = max(1, finding.column - start.shift)
    finding.end_column = max(1, finding.end_column - end.shift) if same_cell else finding.column + 1
    finding.line = start.line
    finding.source = answers.cells.get(start.cell)
    cells[id(finding)] = start.cell


def _origin(written: Written, line: int) -> Origin | None:
    if 1 <= line <= len(written.origins):
        return written.origins[line - 1]
    return written.origins[-1] if written.origins else None


def _replaced_criteria(answers: Answers) -> dict[str, set[str]]:
    """Per file written (``*``: the missing-artifact findings), the criteria a "cannot tell" replaces."""
    from gpulint.rules.general.gl004_missing_artifact import CRITERIA

    out: dict[str, set[str]] = {}
    for variable in answers.unknown:
        criteria = set(_criteria(variable, CRITERIA))
        out.setdefault("*", set()).update(criteria)
        for rel in set(answers.variable_files.values()):
            out.setdefault(rel, set()).update(criteria)
    return out


def _criteria(variable: str, table: dict) -> tuple[str, ...]:
    kind = _VARIABLE_KIND[variable]
    if kind == "rollback":
        return ("rollback.commands",)
    if kind == "promotion":
        return ("promotion.flow",)
    return tuple(table.get(kind, ()))


def _cannot_tell(name: str, answers: Answers, result: RunResult) -> list[tuple[Finding, int]]:
    from gpulint.rules.general.gl004_missing_artifact import CRITERIA

    out = []
    for variable, unknown in answers.unknown.items():
        what = TEXT_VARIABLES[variable][2] if variable in TEXT_VARIABLES else PLAN_VARIABLES[variable]
        source = answers.cells.get(unknown.at.cell)
        line = unknown.at.line
        length = len(source.line_text(line)) if source is not None else 1
        for criterion in _criteria(variable, CRITERIA) or (None,):
            because = f", so {criterion} cannot pass" if criterion else ""
            finding = Finding(
                rule="GL004", name="missing-artifact", severity=Severity.ERROR, criterion=criterion, path=name,
                line=line, column=unknown.at.column + 1, end_line=line, end_column=max(unknown.at.column + 2, length + 1),
                message=f"`{variable}` is {unknown.reason}: gpulint reads the notebook's answers without running it "
                        f"(literals, `+` and f-strings of literals), so it cannot tell what {what} is{because}",
                fix=f"give `{variable}` a literal value (a triple-quoted string, a list), or write the file with a "
                    "`%%writefile` cell",
                source=source)
            out.append((finding, unknown.at.cell))
    return out
