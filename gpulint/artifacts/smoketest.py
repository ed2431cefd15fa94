"""The GPU smoke test read with ``ast``: NVML init, a CUDA availability check, a tensor round-trip,
distinct exit codes, and no handler that turns every failure into exit 0.

Which script is a project's smoke test is decided across files (``project.lifecycle.smoke_tests``);
this module only reads one script. Nothing is imported or run.
"""

from __future__ import annotations

import ast
from typing import Any

from gpulint.core.records import Record, field
from gpulint.syntax.python import (PythonFile, _dotted, _Imports, _qualify, _reachable, _used_decisively,
                                   decisive_names, parent_map, walk)

SMOKE_NAMES = ("smoke_test.py", "smoketest.py", "gpu_smoke_test.py")


# ----------------------------------------------------------------------------- analysis

_BACK = ("cpu", "item", "tolist", "numpy", "get")
_COMPARE = ("allclose", "equal", "isclose", "array_equal", "assert_close", "assert_allclose",
            "assert_array_equal", "all", "any", "eq")
_EXIT_CALLS = ("sys.exit", "exit", "quit", "os._exit", "_exit")


class Analysis(Record):
    script: PythonFile
    nvml_init: bool = False
    availability: bool = False
    round_trip: bool = False
    gpu_allocation: bool = False
    exit_codes: set = field(default_factory=set)  # constant codes reaching an exit
    exits: list = field(default_factory=list)  # exit call / raise SystemExit nodes
    swallowing: list = field(default_factory=list)  # (handler node, why)


def analyse(script: PythonFile) -> Analysis:
    cached = script.__dict__.get("_smoke_analysis")
    if cached is None:
        cached = script.__dict__["_smoke_analysis"] = _analyse(script)
    return cached


def _checks(script: PythonFile, result: Analysis, library: bool = False) -> tuple[list, _Imports, list]:
    """Fill the three checks of ``result`` (NVML init, availability, round trip) from the code
    that runs; for a ``library`` module the script imports, from every function of it. Returns
    (the nodes that run, the imports, the GPU uses)."""
    tree = script.tree
    reached = _reachable(tree, library)
    imports = _Imports()
    for node in reached:
        if isinstance(node, ast.Import):
            imports.visit_Import(node)
        elif isinstance(node, ast.ImportFrom):
            imports.visit_ImportFrom(node)
    uses = script.gpu_uses(library)
    for use in uses:
        leaf = use.name.rsplit(".", 1)[-1]
        if use.family == "NVML" and leaf.startswith("nvmlInit") or use.name.endswith("nvidia_smi.getInstance"):
            result.nvml_init = True
        if use.decisive and leaf in ("is_available", "device_count", "getDeviceCount", "is_gpu_available",
                                     "list_physical_devices", "devices"):
            result.availability = True
        if leaf in ("is_available", "device_count", "getDeviceCount") and use.family == "CuPy" and use.decisive:
            result.availability = True
    result.round_trip = _round_trip(tree, reached, imports, uses, library)
    return reached, imports, uses


def library_checks(module: PythonFile) -> Analysis:
    """The three checks found in a module a smoke test imports (`from gpu_checks import main`),
    every function of it read as if called (only the checks are filled, not the exits)."""
    cached = module.__dict__.get("_smoke_library_checks")
    if cached is None:
        cached = module.__dict__["_smoke_library_checks"] = Analysis(module)
        if module.tree is not None:
            _checks(module, cached, library=True)
    return cached


def _analyse(script: PythonFile) -> Analysis:
    result = Analysis(script)
    tree = script.tree
    if tree is None:
        return result
    reached, imports, uses = _checks(script, result)
    evaluator = module_values(tree)
    functions = evaluator.functions
    exit_funcs: set[str] = set()
    for node in reached:
        value = _exit_value(node)
        if value is _NOT_EXIT:
            continue
        result.exits.append(node)
        result.exit_codes |= evaluator.values(value, None, 0)
        if isinstance(value, ast.Call):
            name = _dotted(value.func)
            if name in functions:
                exit_funcs.add(name)
    # A module that just ends exits 0; a function whose value goes to exit() returns codes.
    result.swallowing = _swallowing(reached, evaluator, exit_funcs, uses)
    return result


_NOT_EXIT = object()


def _exit_value(node: ast.AST):
    cls = node.__class__  # asked of every node of a script, several times: most are neither
    if cls is not ast.Call and cls is not ast.Raise:
        return _NOT_EXIT
    if cls is ast.Call:
        name = _dotted(node.func) or ""
        if name in _EXIT_CALLS or name.endswith(".exit") and name.split(".")[0] == "sys":
            return node.args[0] if node.args else None
    if cls is ast.Raise and node.exc is not None:
        exc = node.exc
        if isinstance(exc, ast.Call) and (_dotted(exc.func) or "") == "SystemExit":
            return exc.args[0] if exc.args else None
        if isinstance(exc, ast.Name) and exc.id == "SystemExit":
            return None
    return _NOT_EXIT


def _constants(tree: ast.Module) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant):
            found[node.targets[0].id] = node.value.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and isinstance(node.value, ast.Constant):
            found[node.target.id] = node.value.value
    return found


def _code(value: Any) -> set:
    if value is None or value is False:
        return {0}
    if value is True:
        return {1}
    if isinstance(value, int):
        return {value % 256}
    if isinstance(value, str):
        return {1}  # sys.exit("message") prints it and exits 1
    return set()


def module_values(tree: ast.Module) -> _Values:
    """The exit-code evaluator of a module (its constants and functions), built once per tree."""
    found = getattr(tree, "_gpulint_values", None)
    if found is None:
        functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        found = _Values(_constants(tree), functions, tree.body)
        tree._gpulint_values = found  # type: ignore[attr-defined]
    return found


class _Values:
    """Constant exit codes an expression can evaluate to (module constants, helper returns)."""

    def __init__(self, constants: dict[str, Any], functions: dict[str, ast.AST], module: list | None = None):
        self.module = module or []
        self.constants = constants
        self.functions = functions
        # Each scope is walked once: its assignments by target name and its calls by callee.
        self._assigns: dict[int, dict[str, list[ast.AST]]] = {}
        self._calls: dict[str, list[tuple[ast.Call, ast.AST]]] = {}
        for caller in functions.values():
            for call in walk(caller):
                if isinstance(call, ast.Call):
                    callee = _dotted(call.func)
                    if callee:
                        self._calls.setdefault(callee, []).append((call, caller))

    def _assignments(self, function: ast.AST | None) -> dict[str, list[ast.AST]]:
        key = id(function)
        if key not in self._assigns:
            found: dict[str, list[ast.AST]] = {}
            scope = function.body if function is not None else self.module  # type: ignore[attr-defined]
            for stmt in scope:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    continue
                for n in walk(stmt):
                    if isinstance(n, ast.Assign):
                        for t in n.targets:
                            if isinstance(t, ast.Name):
                                found.setdefault(t.id, []).append(n.value)
            self._assigns[key] = found
        return self._assigns[key]

    def values(self, node: ast.AST | None, function: ast.AST | None, depth: int) -> set:
        if node is None:
            return {0}
        if depth > 4:
            return set()
        if isinstance(node, ast.Constant):
            return _code(node.value)
        if isinstance(node, ast.Name):
            if function is not None:
                params = [a.arg for a in function.args.args]  # type: ignore[attr-defined]
                if node.id in params:
                    return self._argument(function, params.index(node.id), node.id, depth)
            if node.id in self.constants:
                return _code(self.constants[node.id])
            out: set = set()
            for value in self._assignments(function).get(node.id, []):
                out |= self.values(value, function, depth + 1)
            return out
        if isinstance(node, ast.IfExp):
            return self.values(node.body, function, depth) | self.values(node.orelse, function, depth)
        if isinstance(node, ast.BoolOp):
            out: set = set()
            for value in node.values:
                out |= self.values(value, function, depth)
            return out
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            target = self.functions.get(name or "")
            if target is not None:
                out = set()
                returns = [n for n in walk(target) if isinstance(n, ast.Return)]
                for ret in returns:
                    out |= self.values(ret.value, target, depth + 1)
                if not returns or not isinstance(target.body[-1], (ast.Return, ast.Raise)):  # type: ignore
                    out.add(0)
                return out
        return set()

    def _argument(self, function: ast.AST, index: int, name: str, depth: int) -> set:
        out: set = set()
        for call, caller in self._calls.get(function.name, []):  # type: ignore[attr-defined]
            arg = call.args[index] if index < len(call.args) else next(
                (k.value for k in call.keywords if k.arg == name), None)
            if arg is not None:
                out |= self.values(arg, caller, depth + 1)
        return out


def _round_trip(tree: ast.Module, reached: list[ast.AST], imports: _Imports, uses: list,
                library: bool = False) -> bool:
    """A value created on / moved to the GPU, brought back to the host and compared."""
    gpu_calls = {id(u.node) for u in uses if u.name.rsplit(".", 1)[-1] not in (
        "is_available", "device_count", "getDeviceCount", "synchronize", "get_device_name",
        "empty_cache", "set_device", "current_device", "get_device_properties")}
    tainted: set[str] = set()
    walked: dict[int, tuple[set[int], set[str]]] = {}  # node ids and names inside each expression

    def parts(expr: ast.AST) -> tuple[set[int], set[str]]:
        if id(expr) not in walked:
            nodes = list(walk(expr))
            walked[id(expr)] = ({id(n) for n in nodes}, {n.id for n in nodes if isinstance(n, ast.Name)})
        return walked[id(expr)]

    def on_gpu(expr: ast.AST) -> bool:
        ids, names = parts(expr)
        return not gpu_calls.isdisjoint(ids) or not tainted.isdisjoint(names)

    assigns = [n for n in reached if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign))]
    for _ in range(4):
        for node in assigns:
            if node.value is not None and on_gpu(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    tainted.update(n.id for n in walk(target) if isinstance(n, ast.Name))
    host: set[str] = set()
    back_nodes: set[int] = set()

    def brought_back(expr: ast.AST) -> bool:
        for n in walk(expr):
            if id(n) in back_nodes or isinstance(n, ast.Name) and n.id in host:
                return True
        return False

    for node in reached:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            leaf = node.func.attr
            if leaf in _BACK and on_gpu(node.func.value):
                back_nodes.add(id(node))
            elif leaf in ("to",) and any(isinstance(a, ast.Constant) and a.value == "cpu" for a in node.args) \
                    and on_gpu(node.func.value):
                back_nodes.add(id(node))
            elif (_qualify(_dotted(node.func) or "", imports) or "").endswith("asnumpy") and node.args \
                    and on_gpu(node.args[0]):
                back_nodes.add(id(node))
    if not back_nodes:
        return False
    for _ in range(3):
        for node in assigns:
            if node.value is not None and brought_back(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    host.update(n.id for n in walk(target) if isinstance(n, ast.Name))
    parents = parent_map(tree)
    decisive = decisive_names(tree, library)
    for node in reached:
        if isinstance(node, ast.Assert) and brought_back(node.test):
            return True
        compared = isinstance(node, ast.Compare) and brought_back(node)
        if isinstance(node, ast.Call) and brought_back(node):
            leaf = (_dotted(node.func) or getattr(node.func, "attr", "") or "").rsplit(".", 1)[-1]
            compared = compared or leaf in _COMPARE
        if compared and _used_decisively(node, parents, decisive):  # the comparison decides the result
            return True
    return False


def _broad(handler: ast.ExceptHandler) -> str | None:
    if handler.type is None:
        return "a bare `except:`"
    names = [handler.type] if not isinstance(handler.type, ast.Tuple) else list(handler.type.elts)
    for name in names:
        dotted = _dotted(name) or ""
        if dotted in ("Exception", "BaseException", "builtins.Exception", "builtins.BaseException"):
            return f"`except {dotted}`"
    return None


def _swallowing(reached: list[ast.AST], evaluator: _Values, exit_funcs: set[str], uses: list) -> list:
    checks = {id(u.node) for u in uses}
    decisive: set[str] = set()
    for node in reached:
        tests = []
        if isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)):
            tests.append(node.test)
        elif isinstance(node, ast.Return) and node.value is not None:
            tests.append(node.value)
        for test in tests:
            decisive.update(n.id for n in walk(test) if isinstance(n, ast.Name))
    owner: dict[int, ast.AST] = {}
    for function in evaluator.functions.values():
        for n in walk(function):
            owner.setdefault(id(n), function)
    found = []
    for node in reached:
        if not isinstance(node, ast.Try):
            continue
        body_nodes = [n for stmt in node.body for n in walk(stmt)]
        guards = any(id(n) in checks or isinstance(n, ast.Assert) or _exit_value(n) is not _NOT_EXIT
                     or isinstance(n, ast.Call) and (_dotted(n.func) or "") in evaluator.functions
                     for n in body_nodes)
        if not guards:
            continue
        for handler in node.handlers:
            broad = _broad(handler)
            if broad is None:
                continue
            verdict = _handler_outcome(handler, evaluator, owner.get(id(node)), exit_funcs, decisive)
            if verdict:
                found.append((handler, f"{broad} {verdict}"))
    return found


def _handler_outcome(handler: ast.ExceptHandler, evaluator: _Values, function: ast.AST | None,
                     exit_funcs: set[str], decisive: set[str]) -> str | None:
    """Why the handler turns a failed check into success (None when it keeps the failure)."""
    for n in (x for stmt in handler.body for x in walk(stmt)):
        if isinstance(n, ast.Raise):
            value = _exit_value(n)
            if value is _NOT_EXIT or 0 not in evaluator.values(value, function, 0) or \
                    evaluator.values(value, function, 0) - {0}:
                return None
            return "exits 0"
        value = _exit_value(n)
        if value is not _NOT_EXIT:
            codes = evaluator.values(value, function, 0)
            if codes == {0}:
                return "calls exit(0)"
            return None
        if isinstance(n, ast.Return):
            codes = evaluator.values(n.value, function, 0)
            if function is not None and getattr(function, "name", None) in exit_funcs and codes == {0}:
                return "returns 0 as the exit code"
            return None
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            if any(isinstance(t, ast.Name) and t.id in decisive for t in targets):
                return None  # records the failure in a flag that is checked later
    return "swallows the failure and falls through, so the script exits 0"
