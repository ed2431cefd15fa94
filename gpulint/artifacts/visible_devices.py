"""Where a smoke test reads ``CUDA_VISIBLE_DEVICES`` to decide its outcome, read with ``ast``.

A read is ``os.environ[...]``, ``os.environ.get(...)``, ``os.getenv(...)``, ``os.environ.pop(...)``
or ``"CUDA_VISIBLE_DEVICES" in os.environ``, or a name assigned from one. It decides the outcome
when it appears in an ``assert``, in the test of an ``if``/``while`` whose branches exit, return or
raise, or in a condition inside an exit code or a returned value. Printing or setting the variable
decides nothing.
"""

from __future__ import annotations

import ast

from gpulint.syntax.python import _dotted, walk
from gpulint.artifacts.smoketest import _NOT_EXIT, _exit_value

_VARIABLES = ("CUDA_VISIBLE_DEVICES",)


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


def deciding_reads(tree: ast.Module | None) -> list[ast.AST]:
    if tree is None:
        return []
    reads = [n for n in walk(tree) if _read(n)]
    if not reads:
        return []
    tainted: set[str] = set()
    assigns = [n for n in walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.NamedExpr))]
    for _ in range(3):  # names assigned from a read, or from such a name
        for node in assigns:
            value = node.value
            if value is None or not any(_read(n) or isinstance(n, ast.Name) and n.id in tainted
                                        for n in walk(value)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            tainted.update(n.id for t in targets for n in walk(t) if isinstance(n, ast.Name))

    def mentions(expr: ast.AST) -> ast.AST | None:
        for n in walk(expr):
            if _read(n) or isinstance(n, ast.Name) and n.id in tainted and isinstance(n.ctx, ast.Load):
                return n
        return None

    found: list[ast.AST] = []
    for node in walk(tree):
        test = None
        if isinstance(node, ast.Assert):
            test = node.test
        elif isinstance(node, (ast.If, ast.While)) and _ends(node.body + node.orelse):
            test = node.test
        elif isinstance(node, (ast.Return,)) or _exit_value(node) is not _NOT_EXIT:
            value = node.value if isinstance(node, ast.Return) else _exit_value(node)
            for sub in walk(value) if value is not None else ():
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
               for stmt in statements for n in walk(stmt))
