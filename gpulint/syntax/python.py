"""Python health checks read with ``ast``: does the code really ask the GPU anything?

Names are resolved through the imports (``import torch as t``, ``from pynvml import *``), so a
string or a print that mentions ``torch.cuda`` is not a GPU check. A call only counts when its
result can change the exit status: calls that raise without a GPU (allocating on ``cuda``,
``nvmlInit``) count wherever they run; queries such as ``torch.cuda.is_available()`` count when
the result is tested, asserted, returned or passed to ``exit``. Code that never runs (a function
nobody calls, ``if False:``) does not count. The scanned code is parsed, never imported or run.
"""

from __future__ import annotations

import ast
import warnings

from gpulint.core.records import Record
from gpulint.core.source import Source, Span

# Qualified-name prefixes of calls that ask the GPU something, and the family they belong to.
_GPU_PREFIXES = {
    "torch.cuda.": "torch.cuda",
    "pynvml.nvml": "NVML",
    "nvidia_smi.nvml": "NVML",
    "pynvml.smi.": "NVML",
    "cupy.": "CuPy",
    "cupyx.": "CuPy",
    "numba.cuda.": "Numba CUDA",
    "pycuda.": "PyCUDA",
    "tensorflow.config.list_physical_devices": "TensorFlow",
    "tensorflow.test.is_gpu_available": "TensorFlow",
    "tensorflow.test.is_built_with_cuda": None,  # says nothing about a device
    "jax.devices": "JAX",
}
# Top-level modules that reach a GPU: those of the calls above, and frameworks that run on one.
_GPU_MODULES = frozenset({prefix.split(".")[0] for prefix in _GPU_PREFIXES} |
                         {"tensorrt", "onnxruntime", "paddle", "mxnet"})
# Queries that return a value instead of raising when no GPU is there.
_QUERIES = ("is_available", "device_count", "nvmlDeviceGetCount", "getDeviceCount", "is_gpu_available",
            "list_physical_devices", "devices", "is_initialized", "is_bf16_supported")
_CUDA_DEVICE_STRINGS = ("cuda", "gpu")


class GpuUse(Record):
    family: str  # torch.cuda | NVML | CuPy | ...
    name: str  # the qualified call, e.g. torch.cuda.is_available
    node: ast.AST
    decisive: bool  # the result can change the exit status


class PythonFile(Record):
    kind = "smoketest"
    source: Source
    tree: ast.Module | None
    problem: tuple[Span, str] | None = None
    _uses: list[GpuUse] | None = None

    def gpu_uses(self, library: bool = False) -> list[GpuUse]:
        if library:
            return find_gpu_uses(self.tree, library=True) if self.tree is not None else []
        if self._uses is None:
            self._uses = find_gpu_uses(self.tree) if self.tree is not None else []
        return self._uses

    def node_span(self, node: ast.AST) -> Span:
        start = self.source.offset(node.lineno, node.col_offset + 1)  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        end = self.source.offset(end_line, (getattr(node, "end_col_offset", None) or 0) + 1)
        return Span(self.source, start, max(start, end))


def walk(node: ast.AST) -> list[ast.AST]:
    """Every node under ``node`` (itself included) in ``ast.walk``'s breadth-first order, as a list.

    The analyses walk the same subtrees many times (each function, test and handler body): each
    subtree is walked once and its list kept on its root node, which lives as long as the tree.
    Callers must not change the list."""
    found = getattr(node, "_gpulint_walk", None)
    if found is None:
        found = _walk(node)
        node._gpulint_walk = found  # type: ignore[attr-defined]
    return found


def _walk(node: ast.AST) -> list[ast.AST]:
    """``ast.walk``'s order, as a list (no parent or child maps: subtrees need only the nodes).
    The children the tree's index found are reused (subtrees of an indexed tree are walked often)."""
    out = [node]
    i = 0
    while i < len(out):
        current = out[i]
        kids = current.__dict__.get("_gpulint_kids")
        out.extend(child_nodes(current) if kids is None else kids)
        i += 1
    return out


def _index(node: ast.AST) -> tuple[list[ast.AST], dict[int, ast.AST], dict[int, list[ast.AST]]]:
    """One breadth-first pass: the nodes in ``ast.walk``'s order, each node's parent and each
    node's children (by id)."""
    out = [node]
    parents: dict[int, ast.AST] = {}
    children: dict[int, list[ast.AST]] = {}
    i = 0
    while i < len(out):
        current = out[i]
        i += 1
        kids = child_nodes(current)
        current._gpulint_kids = kids  # type: ignore[attr-defined]  # for walks of its subtrees
        if kids:
            out.extend(kids)
            children[id(current)] = kids
            for kid in kids:
                parents[id(kid)] = current
    return out, parents, children


def _tree_index(tree: ast.Module) -> tuple[list[ast.AST], dict[int, ast.AST], dict[int, list[ast.AST]]]:
    found = getattr(tree, "_gpulint_index", None)
    if found is None:
        found = _index(tree)
        tree._gpulint_index = found  # type: ignore[attr-defined]
        if getattr(tree, "_gpulint_walk", None) is None:
            tree._gpulint_walk = found[0]  # type: ignore[attr-defined]
    return found


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` as a list, less the nodes no analysis reads as nodes: the
    context (``Load``/``Store``) and operator singletons, read through ``.ctx``/``.op``/``.ops``
    (a third of a typical tree)."""
    fields = _NODE_FIELDS.get(node.__class__)
    if fields is None:
        fields = _NODE_FIELDS[node.__class__] = tuple(f for f in node._fields if f not in _NOT_NODES)
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            out.extend(item for item in value if isinstance(item, _AST))
        elif isinstance(value, _AST):
            out.append(value)
    return out


_AST = ast.AST
# Fields that never hold a node worth walking: identifiers, flags and numbers, and the
# context/operator singletons (shared by the whole tree, so they have no one parent either).
_NOT_NODES = frozenset({"ctx", "op", "ops", "id", "attr", "name", "arg", "kind", "type_comment", "level",
                        "module", "is_async", "conversion", "simple", "tag"})
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def parse_python(source: Source) -> PythonFile:
    """Parse once per source: several rules and health checks may read the same script."""
    cached = source.__dict__.get("_python")
    if cached is None:
        cached = source.__dict__["_python"] = _parse(source)
    return cached


def _parse(source: Source) -> PythonFile:
    try:
        with warnings.catch_warnings():  # `"\ "` in a scanned script is its author's business, not a warning of ours
            warnings.simplefilter("ignore")
            tree = ast.parse(source.text, filename=source.rel_path)
    except SyntaxError as error:
        line = error.lineno or 1
        offset = source.offset(line, error.offset or 1)
        return PythonFile(source, None, (Span(source, offset, offset + 1),
                                         f"invalid Python: {error.msg} (line {line})"))
    except (ValueError, RecursionError, MemoryError) as error:
        return PythonFile(source, None, (Span(source, 0, 1), f"cannot parse Python: {error}"))
    return PythonFile(source, tree)


class _Imports(ast.NodeVisitor):
    """Local names bound by imports, mapped to qualified module paths."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.star_modules: list[str] = []

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.names[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.names[root] = root

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                self.star_modules.append(module)
            else:
                self.names[alias.asname or alias.name] = f"{module}.{alias.name}" if module else alias.name


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _qualify(name: str, imports: _Imports) -> str | None:
    head, _, rest = name.partition(".")
    if head in imports.names:
        base = imports.names[head]
        return f"{base}.{rest}" if rest else base
    for module in imports.star_modules:  # from pynvml import *  ->  nvmlInit()
        if module in ("pynvml", "nvidia_smi") and head.startswith("nvml"):
            return f"{module}.{name}"
    return None


def _family(qualified: str) -> str | None:
    for prefix, family in _GPU_PREFIXES.items():
        if qualified.startswith(prefix) or qualified == prefix.rstrip("."):
            return family
    return None


def _is_cuda_device(node: ast.AST, imports: _Imports) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower().split(":")[0] in _CUDA_DEVICE_STRINGS
    if isinstance(node, ast.Call):
        name = _dotted(node.func)
        if name and (_qualify(name, imports) or "").endswith("torch.device") and node.args:
            return _is_cuda_device(node.args[0], imports)
    return False


def _reachable(tree: ast.Module, library: bool = False) -> list[ast.AST]:
    """Statements that run: module level, plus bodies of module functions that get called.

    For a ``library`` module (imported by the script) every function may be called. Computed
    once per tree: several analyses ask.
    """
    key = "_gpulint_library" if library else "_gpulint_reached"
    cached = getattr(tree, key, None)
    if cached is None:
        cached = _walk_reachable(tree, library)
        setattr(tree, key, cached)
    return cached


def _walk_reachable(tree: ast.Module, library: bool) -> list[ast.AST]:
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    roots: list[ast.AST] = [n for n in tree.body if library or not isinstance(
        n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    reached: list[ast.AST] = []
    done: set[str] = set()
    queue = list(roots)
    children = _tree_index(tree)[2]
    while queue:
        node = queue.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Constant) and not node.test.value:
            queue.extend(node.orelse)  # ``if False:`` never runs its body
            continue
        reached.append(node)
        for sub in children.get(id(node), ()):
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) and not library:
                continue
            queue.append(sub)
        if isinstance(node, ast.Name) and node.id not in done:
            target = functions.get(node.id) or classes.get(node.id)
            if target is not None:
                done.add(node.id)
                queue.extend(target.body if isinstance(target, (ast.FunctionDef, ast.AsyncFunctionDef))
                             else [m for m in target.body])
        if isinstance(node, ast.Attribute) and node.attr in functions and node.attr not in done:
            done.add(node.attr)
            queue.extend(functions[node.attr].body)
    return reached


def parent_map(tree: ast.Module) -> dict[int, ast.AST]:
    """Each node's parent (by id), built once per tree. Analyses that walk up from a reachable
    node stop at its statement, so a map of the whole tree answers them as one of the reachable
    part would."""
    return _tree_index(tree)[1]


def decisive_names(tree: ast.Module, library: bool = False) -> set[str]:
    """``_decisive_names`` of the tree's reachable code, computed once per tree."""
    key = "_gpulint_decisive_library" if library else "_gpulint_decisive"
    found = getattr(tree, key, None)
    if found is None:
        found = _decisive_names(_reachable(tree, library))
        setattr(tree, key, found)
    return found


def _decisive_names(reached: list[ast.AST]) -> set[str]:
    """Variables whose value reaches a test, an assert, a return or an exit call."""
    names: set[str] = set()
    for node in reached:
        tests: list[ast.AST] = []
        if isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)):
            tests.append(node.test)
        elif isinstance(node, ast.Return) and node.value is not None:
            tests.append(node.value)
        elif isinstance(node, ast.Call) and (_dotted(node.func) or "").split(".")[-1] in ("exit", "_exit"):
            tests.extend(node.args)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            tests.append(node.exc)
        for test in tests:
            names.update(n.id for n in walk(test) if isinstance(n, ast.Name))
    return names


def local_imports(tree: ast.Module) -> list[str]:
    """Top-level module names a script imports (candidates for sibling files to follow)."""
    return [name for node in _reachable(tree) for name in _imported(node)]


def unguarded_imports(tree: ast.Module) -> list[str]:
    """``local_imports`` less those inside a ``try`` body: an import the script expects may fail."""
    parents = parent_map(tree)
    found: list[str] = []
    for node in _reachable(tree):
        names = _imported(node)
        child, current = node, parents.get(id(node))
        while names and current is not None:
            if isinstance(current, ast.Try) and any(child is stmt for stmt in current.body):
                names = []
            child, current = current, parents.get(id(current))
        found.extend(names)
    return found


def _imported(node: ast.AST) -> list[str]:
    """The module names an import statement names (none for any other node)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [node.module]
    if isinstance(node, ast.ImportFrom) and node.level:
        return [f"{node.module}.{a.name}" if node.module else a.name for a in node.names]
    return []


def module_files(module: str) -> tuple[str, str]:
    """The files, relative to the importing script's folder, that a module name may be."""
    stem = module.replace(".", "/")
    return stem + ".py", stem + "/__init__.py"


def touches_gpu(script: PythonFile) -> bool:
    """The script's running code imports a GPU library or calls one; True when it does not parse
    (cannot tell)."""
    if script.tree is None:
        return True
    return bool(script.gpu_uses()) or any(name.split(".")[0] in _GPU_MODULES for name in local_imports(script.tree))


def find_gpu_uses(tree: ast.Module, library: bool = False) -> list[GpuUse]:
    reached = _reachable(tree, library)
    imports = _Imports()
    for node in reached:  # an import only binds names if it runs
        if isinstance(node, ast.Import):
            imports.visit_Import(node)
        elif isinstance(node, ast.ImportFrom):
            imports.visit_ImportFrom(node)
    decisive = decisive_names(tree, library)
    parents = parent_map(tree)
    uses: list[GpuUse] = []
    for node in reached:
        if not isinstance(node, ast.Call):
            continue
        use = _classify_call(node, imports)
        if use is None:
            continue
        family, name, is_query = use
        uses.append(GpuUse(family, name, node, not is_query or _used_decisively(node, parents, decisive)))
    return uses


def _classify_call(node: ast.Call, imports: _Imports) -> tuple[str, str, bool] | None:
    func = node.func
    # tensor.cuda(), tensor.to("cuda"), model.to(device=torch.device("cuda:0"))
    if isinstance(func, ast.Attribute) and func.attr in ("cuda", "to"):
        args = list(node.args) + [k.value for k in node.keywords if k.arg == "device"]
        if func.attr == "cuda" or any(_is_cuda_device(a, imports) for a in args):
            dotted = _dotted(func)
            qualified = _qualify(dotted, imports) if dotted else None
            if not (qualified or "").startswith("torch.cuda"):
                return ("torch.cuda", f".{func.attr}()", False)
    name = _dotted(func)
    qualified = _qualify(name, imports) if name else None
    if qualified is None:
        return None
    family = _family(qualified)
    if family is None:
        # torch.ones(..., device="cuda") allocates on the GPU
        if qualified.startswith("torch.") and any(k.arg == "device" and _is_cuda_device(k.value, imports)
                                                  for k in node.keywords):
            return ("torch.cuda", qualified, False)
        return None
    leaf = qualified.rsplit(".", 1)[-1]
    return (family, qualified, leaf in _QUERIES)


def _used_decisively(call: ast.AST, parents: dict[int, ast.AST], decisive: set[str]) -> bool:
    node = call
    while id(node) in parents:
        parent = parents[id(node)]
        if isinstance(parent, (ast.If, ast.While, ast.Assert, ast.IfExp, ast.Return, ast.Raise)):
            return True
        if isinstance(parent, ast.Call) and (_dotted(parent.func) or "").split(".")[-1] in ("exit", "_exit"):
            return True
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return any(isinstance(n, ast.Name) and n.id in decisive for t in targets for n in walk(t))
        if isinstance(parent, ast.stmt):
            return False
        node = parent
    return False
