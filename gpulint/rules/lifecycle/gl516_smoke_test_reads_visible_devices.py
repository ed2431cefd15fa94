from __future__ import annotations

import ast
from collections.abc import Iterator

from gpulint.findings import Severity
from gpulint.models.python import _dotted
from gpulint.models.smoketest import _exit_value, _NOT_EXIT, smoke_tests
from gpulint.rule import Report, Rule

_VARIABLES = ("CUDA_VISIBLE_DEVICES",)


class SmokeTestReadsVisibleDevices(Rule):
    """
    ## What it does
    Reports a smoke test that reads `CUDA_VISIBLE_DEVICES` itself to decide its exit code: the
    variable (`os.environ[...]`, `os.environ.get(...)`, `os.getenv(...)`, `"..." in os.environ`,
    or a name assigned from one of those) appears in the test of an `if`/`while` whose branch
    exits, returns or raises, in an `assert`, or in a conditional expression that becomes the
    exit code. Printing the variable, or setting it, is fine. Applies to the smoke test of a
    lifecycle project (the HEALTHCHECK's script, or `smoke_test.py` next to a workflow or a
    manifest). Its criterion is the live `smoketest.negative`, which it fails even without a
    live run.

    ## Why is this bad?
    The negative test runs the smoke test with `CUDA_VISIBLE_DEVICES=''` to prove that the
    *checks* fail without a usable GPU. A script that looks at the variable and exits 3 passes
    that test without ever asking CUDA, whether or not its real checks work: the test is gamed,
    and a broken check ships.

    ## Example
    ```python
    if os.environ.get("CUDA_VISIBLE_DEVICES") == "":
        sys.exit(3)
    ```

    ## Use instead
    ```python
    if not torch.cuda.is_available():
        sys.exit(3)
    ```

    ## Fix
    Let `torch.cuda.is_available()` (or `torch.cuda.device_count()`) decide; mention the variable
    only in the failure message.
    """

    id = "GL516"
    name = "smoke-test-reads-visible-devices"
    severity = Severity.ERROR
    kind = "project"
    criterion = "smoketest.negative"
    summary = "the smoke test reads CUDA_VISIBLE_DEVICES to decide its exit code, which games the negative test"
    fix = "let torch.cuda.is_available() decide the exit code; only print CUDA_VISIBLE_DEVICES"

    def check(self, project, _project=None) -> Iterator[Report]:
        for script in smoke_tests(project):
            for node in _deciding_reads(script.tree):
                yield self.report(script.node_span(node),
                                  "the smoke test reads CUDA_VISIBLE_DEVICES to decide its exit code: with "
                                  "CUDA_VISIBLE_DEVICES='' it fails without asking CUDA, so the negative test "
                                  "passes whether or not its GPU checks work")


def _read(node: ast.AST) -> bool:
    """``os.environ.get("CUDA_VISIBLE_DEVICES")``, ``os.getenv(...)``, ``os.environ[...]``, ``"..." in os.environ``."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
            and node.args[0].value in _VARIABLES:
        name = _dotted(node.func) or ""
        return name.endswith(("environ.get", "getenv", "environ.pop"))
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in _VARIABLES:
        return (_dotted(node.value) or "").endswith("environ")
    if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) and node.left.value in _VARIABLES:
        return any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops) and \
            any((_dotted(c) or "").endswith("environ") for c in node.comparators)
    return False


def _deciding_reads(tree: ast.Module | None) -> list[ast.AST]:
    if tree is None:
        return []
    reads = [n for n in ast.walk(tree) if _read(n)]
    if not reads:
        return []
    tainted: set[str] = set()
    assigns = [n for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.NamedExpr))]
    for _ in range(3):  # names assigned from a read, or from such a name
        for node in assigns:
            value = node.value
            if value is None or not any(_read(n) or isinstance(n, ast.Name) and n.id in tainted
                                        for n in ast.walk(value)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            tainted.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))

    def mentions(expr: ast.AST) -> ast.AST | None:
        for n in ast.walk(expr):
            if _read(n) or isinstance(n, ast.Name) and n.id in tainted and isinstance(n.ctx, ast.Load):
                return n
        return None

    found: list[ast.AST] = []
    for node in ast.walk(tree):
        test = None
        if isinstance(node, ast.Assert):
            test = node.test
        elif isinstance(node, (ast.If, ast.While)) and _ends(node.body + node.orelse):
            test = node.test
        elif isinstance(node, (ast.Return,)) or _exit_value(node) is not _NOT_EXIT:
            value = node.value if isinstance(node, ast.Return) else _exit_value(node)
            for sub in ast.walk(value) if value is not None else ():
                if isinstance(sub, (ast.IfExp, ast.BoolOp, ast.Compare, ast.UnaryOp)):
                    hit = mentions(sub.test if isinstance(sub, ast.IfExp) else sub)
                    if hit is not None:
                        found.append(hit)
                        break
            continue
        if test is not None:
            hit = mentions(test)
            if hit is not None:
                found.append(hit)
    unique = {id(n): n for n in found}
    return sorted(unique.values(), key=lambda n: (n.lineno, n.col_offset))


def _ends(statements: list[ast.stmt]) -> bool:
    """The statements exit, return or raise somewhere (a branch that decides the outcome)."""
    return any(isinstance(n, (ast.Return, ast.Raise)) or _exit_value(n) is not _NOT_EXIT
               for stmt in statements for n in ast.walk(stmt))
