"""A Python check that cannot fail: every way its GPU checks fail is turned into exit 0.

A GPU check fails the script in one of two ways: an exception (a CUDA/NVML call that raises, an
``assert``, a ``raise``), or an explicit exit with a non-zero code (``sys.exit(3)``,
``raise SystemExit(3)``, ``sys.exit(main())`` where ``main`` returns 3). Each such failure point
is followed outwards, through the functions that call it, to the handlers around it:

* a ``try`` whose ``finally:`` exits 0 overrides every failure inside it;
* a broad handler (bare ``except:``, ``except BaseException``) that swallows (falls through,
  ``pass``es, prints or exits 0) neutralizes both kinds; ``except Exception`` only exceptions,
  as ``sys.exit`` raises ``SystemExit``, which it does not catch. Specific handlers
  (``except pynvml.NVMLError``) are taken as deliberate and neutralize nothing.

A third channel is the value a function returns (``return fail("cuda", ..., 3)``, or a specific
handler that turns an exception into such a return): it fails the script only when it reaches an
exit (``sys.exit(main())``). A call whose value is thrown away (``main()`` as a statement, then
``sys.exit(0)``) neutralizes it. Queries that return instead of raising (``is_available()``) are
no failure points themselves: what they decide (a return, an exit, an ``assert``) is.

The check cannot fail when every failure point is neutralized and at least one construct did it.
Read with ``ast``; nothing is run.
"""

from __future__ import annotations

import ast

from gpulint.artifacts.smoketest import _NOT_EXIT, _broad, _exit_value, _handler_outcome, _Values, module_values
from gpulint.core.records import Record
from gpulint.syntax.python import _QUERIES, PythonFile, _dotted, _reachable, parent_map, walk

EXCEPTION, EXIT, RETURN = "exception", "exit", "return"


class Swallow(Record):
    node: ast.AST  # the handler or the `finally` exit that turns failures into success
    why: str


def cannot_fail(script: PythonFile) -> Swallow | None:
    """The construct that makes every GPU failure of the script exit 0, or None."""
    cached = script.__dict__.get("_swallow")
    if cached is None:
        cached = script.__dict__["_swallow"] = (_analyse(script),)
    return cached[0]


def _analyse(script: PythonFile) -> Swallow | None:
    tree = script.tree
    if tree is None:
        return None
    uses = script.gpu_uses()
    if not uses:
        return None
    reached = _reachable(tree)
    evaluator = module_values(tree)
    functions = evaluator.functions
    exit_funcs = {(_dotted(v.func) or "") for v in (_exit_value(n) for n in reached)
                  if isinstance(v, ast.Call)} & set(functions)
    context = _Context(tree, functions, evaluator, exit_funcs)
    points: list[tuple[ast.AST, str]] = [(u.node, EXCEPTION) for u in uses
                                         if u.name.rsplit(".", 1)[-1] not in _QUERIES]
    for function in functions.values():  # failure codes a function returns to its caller
        for node in walk(function):
            if isinstance(node, ast.Return) and node.value is not None and context.owner.get(id(node)) is function \
                    and evaluator.values(node.value, function, 0) - {0}:
                points.append((node, RETURN))
    for node in reached:
        if isinstance(node, ast.Assert):
            points.append((node, EXCEPTION))
        value = _exit_value(node)
        if value is not _NOT_EXIT:
            owner = context.owner.get(id(node))
            if evaluator.values(value, owner, 0) - {0} or not evaluator.values(value, owner, 0):
                points.append((node, EXIT))
        elif isinstance(node, ast.Raise):
            points.append((node, EXCEPTION))
    used: list[Swallow] = []
    for node, kind in points:
        found = context.neutralized(node, kind, 0)
        if found is None:
            return None
        if found is not True:
            used.append(found)
    if not used:
        return None
    return min(used, key=lambda s: (s.node.lineno, s.node.col_offset))


class _Context:
    def __init__(self, tree: ast.Module, functions: dict, evaluator: _Values, exit_funcs: set[str]):
        self.functions = functions
        self.evaluator = evaluator
        self.exit_funcs = exit_funcs
        self.parent = parent_map(tree)
        self.owner: dict[int, ast.AST] = {}
        for function in functions.values():
            for node in walk(function):
                self.owner.setdefault(id(node), function)
        # Names whose value decides the outcome: a handler that sets one records the failure.
        self.decisive: set[str] = set()
        for node in walk(tree):
            tests = [node.test] if isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)) else []
            if isinstance(node, ast.Return) and node.value is not None:
                tests.append(node.value)
            value = _exit_value(node)
            if value is not _NOT_EXIT and value is not None:
                tests.append(value)
            for test in tests:
                self.decisive.update(n.id for n in walk(test) if isinstance(n, ast.Name))
        self.calls: dict[str, list[ast.Call]] = {}
        for node in walk(tree):
            if isinstance(node, ast.Call):
                name = _dotted(node.func)
                if name in functions:
                    self.calls.setdefault(name, []).append(node)

    def neutralized(self, node: ast.AST, kind: str, depth: int) -> Swallow | bool | None:
        """How the failure at ``node`` is turned into success: the construct, True when it can
        never happen (an uncalled function), None when it reaches the exit status."""
        child, current = node, self.parent.get(id(node))
        while current is not None:
            if isinstance(current, ast.Try):
                found = self._try(current, child, kind)
                if found is not None:
                    return found
                if kind == EXCEPTION and self._returns_code(current, child):
                    kind = RETURN  # a deliberate handler turns the exception into a returned code
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    self.functions.get(current.name) is current:
                return self._callers(current, kind, depth)
            child, current = current, self.parent.get(id(current))
        return None

    def _returns_code(self, node: ast.Try, child: ast.AST) -> bool:
        """The failure is in the try's body and every handler returns a non-zero code (`except
        NVMLError as e: return fail("nvml", e, 2)`): the function reports it by its value."""
        if not node.handlers or not any(child is stmt for stmt in node.body):
            return False
        function = self.owner.get(id(node))
        for handler in node.handlers:
            last = handler.body[-1] if handler.body else None
            if not isinstance(last, ast.Return) or last.value is None \
                    or not self.evaluator.values(last.value, function, 0) - {0}:
                return False
        return True

    def _callers(self, function: ast.AST, kind: str, depth: int) -> Swallow | bool | None:
        name = getattr(function, "name", "")
        sites = self.calls.get(name, []) if self.functions.get(name) is function else []
        if not sites:
            return True  # never called: this failure never happens
        if depth > 6:
            return None
        found: Swallow | bool = True
        for site in sites:
            if kind == RETURN and isinstance(self.parent.get(id(site)), ast.Expr):
                found = Swallow(site, f"discards the value of `{name}()`, so the failure codes it returns "
                                      "never reach the exit status")
                continue
            outcome = self._returned(site, depth + 1) if kind == RETURN else self.neutralized(site, kind, depth + 1)
            if outcome is None:
                return None
            if outcome is not True:
                found = outcome
        return found

    def _returned(self, site: ast.Call, depth: int) -> Swallow | bool | None:
        """Where the value of a call that returns a failure code goes: returned again by its
        caller, or passed to an exit (followed as that exit); stored in a variable, it is judged
        where the variable is read (the exits and tests that read it are failure points of their
        own); anything else reaches the exit status."""
        parent = self.parent.get(id(site))
        if isinstance(parent, ast.Return):
            return self.neutralized(parent, RETURN, depth)
        if isinstance(parent, ast.Call) and _exit_value(parent) is site:
            return self.neutralized(parent, EXIT, depth)
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is site:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if all(isinstance(t, ast.Name) and t.id in self.decisive for t in targets):
                return True
        return None

    def _try(self, node: ast.Try, child: ast.AST, kind: str) -> Swallow | None:
        in_body = any(child is stmt for stmt in node.body)
        in_handler = any(child is h for h in node.handlers) or any(child is stmt for stmt in node.orelse)
        if in_body or in_handler:
            for stmt in node.finalbody:
                for sub in walk(stmt):
                    value = _exit_value(sub)
                    if value is not _NOT_EXIT and self.evaluator.values(value, self.owner.get(id(sub)), 0) == {0}:
                        return Swallow(sub, "`finally:` exits 0, which overrides every failure of the checks")
        if not in_body or kind == RETURN:
            return None  # a returned code is a value, not an exception: no handler sees it
        function = self.owner.get(id(node))
        for handler in node.handlers:
            broad = _broad(handler)
            if broad is None or (kind == EXIT and "Exception`" in broad and "BaseException" not in broad):
                continue  # `except Exception` lets sys.exit(3) through
            outcome = _handler_outcome(handler, self.evaluator, function, self.exit_funcs, self.decisive)
            if outcome:
                return Swallow(handler, f"{broad} {outcome}")
        return None
