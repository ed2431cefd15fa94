from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import github_expressions as E
from gpulint.syntax import yamlnode as Y
from gpulint.ci.commands import scalar_span
from gpulint.rules.base import Rule


def _is_if(path: tuple) -> bool:
    return path[-1:] == ("if",) and path[:1] == ("jobs",) and len(path) in (3, 5)


class ExpressionSyntax(Rule):
    """
    ## What it does
    Parses every GitHub Actions expression in the workflow (job and step `if:` values, and each
    `${{ … }}` in `runs-on`, `with:`, `env:`, `run:` …) with a real expression parser and
    reports syntax errors at the exact column: `=` instead of `==`, double-quoted strings,
    unbalanced parentheses, an unterminated `${{`, a wrong number of function arguments.

    ## Why is this bad?
    GitHub rejects the whole workflow file, or fails the job at run time, on an invalid
    expression; until then, no rule can tell what the `if:` guarding a push or a GPU job
    means, so gpulint treats it as "may run".

    ## Example
    ```yaml
    if: github.ref = 'refs/heads/main'
    ```

    ## Use instead
    ```yaml
    if: github.ref == 'refs/heads/main'
    ```

    ## Fix
    Correct the expression: compare with `==`, quote strings with single quotes, close every
    `(` and `${{`.
    """

    id = "GL208"
    name = "workflow-expression-syntax"
    severity = Severity.ERROR
    kind = "workflow"
    criterion = None
    summary = "a GitHub Actions expression has a syntax error"
    fix = "correct the expression (`==` to compare, single-quoted strings, balanced parentheses and `${{ }}`)"

    def check(self, workflow, project):
        for path, node in Y.walk(workflow.node):
            if not Y.is_scalar(node) or node.tag != Y.STR_TAG and not _is_if(path):
                continue
            text = Y.text(node)
            if text is None or (not _is_if(path) and "${{" not in text):
                continue
            try:
                if _is_if(path):
                    E.parse_if(text)
                else:
                    for _, start, end in E.template_parts(text):
                        E.parse(text[start:end])
            except E.ExpressionError as error:
                offset = error.offset
                if not _is_if(path):
                    offset += _part_start(text, error)
                yield self.report(scalar_span(workflow, node, offset, offset + 1),
                                  f"invalid expression in `{path[-1]}:`: {error.message}")


def _part_start(text: str, error: E.ExpressionError) -> int:
    """Offset of the failing `${{ }}` body (parse() offsets are relative to it)."""
    try:
        parts = E.template_parts(text)
    except E.ExpressionError:
        return 0  # template_parts' own offsets are already absolute
    for _, start, end in parts:
        try:
            E.parse(text[start:end])
        except E.ExpressionError:
            return start
    return 0
