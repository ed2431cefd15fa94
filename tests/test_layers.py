"""The package's layers import one way, and no modules import each other in a cycle.

Imports are read with ``ast``, function-local ones included (only those under ``TYPE_CHECKING``
are left out: they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "gpulint"
# Lowest first: a module may import its own layer and the layers before it, never a later one.
LAYERS = ["core", "syntax", "artifacts", "ci", "project", "fixes", "rules", "engine", "reporters", "grading", "live",
          "scaffold", "cli"]
# Front ends on the top layer may use each other, one way.
# (`grade --live` runs live mode; live mode knows nothing of grading.)
FRONT_ENDS = {"reporters": set(), "live": {"reporters"}, "grading": {"reporters", "live"}, "scaffold": set(),
              "cli": {"reporters", "grading", "live", "scaffold"}}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _under_type_checking(node: ast.AST, parents: list[ast.AST]) -> bool:
    return any(isinstance(p, ast.If) and "TYPE_CHECKING" in ast.unparse(p.test) for p in parents + [node])


def _imports(module: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported gpulint module, line) for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, int]] = []
    stack: list[tuple[ast.AST, list[ast.AST]]] = [(tree, [])]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    while stack:
        node, parents = stack.pop()
        for child in ast.iter_child_nodes(node):
            stack.append((child, parents + [node]))
        if _under_type_checking(node, parents):
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and name.startswith("gpulint."):
                out.append((name, node.lineno))
    return sorted(set(out))


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # gpulint/__init__.py, the version
    name = parts[1]
    return name if name in LAYERS else None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: {name for name, _ in _imports(m, p, modules)} for m, p in modules.items()}


def test_every_module_belongs_to_a_layer() -> None:
    stray = sorted(m for m in _modules() if m not in ("gpulint", "gpulint.__main__") and _layer(m) is None)
    assert not stray, f"modules outside the layers {LAYERS}: {stray}"


def test_imports_go_one_way() -> None:
    modules = _modules()
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = []
    for module, path in sorted(modules.items()):
        mine = _layer(module)
        if mine is None:
            continue
        for name, line in _imports(module, path, modules):
            theirs = _layer(name)
            if theirs is None or theirs == mine:
                continue
            if mine in FRONT_ENDS and theirs in FRONT_ENDS:
                allowed = theirs in FRONT_ENDS[mine]
            else:
                allowed = rank[theirs] < rank[mine]
            if not allowed:
                upward.append(f"{path.relative_to(REPO)}:{line}: {mine} imports {name} ({theirs})")
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_no_import_cycles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, "import cycles:\n" + "\n".join(", ".join(c) for c in cycles)


def test_the_layer_test_sees_function_local_imports(tmp_path: Path) -> None:
    """The import reader counts an import inside a function body (where cycles used to hide)."""
    source = tmp_path / "gpulint" / "core" / "x.py"
    source.parent.mkdir(parents=True)
    source.write_text("def f():\n    from gpulint.engine.run import run\n")
    found = _imports("gpulint.core.x", source, {"gpulint.core.x": source, "gpulint.engine.run": source})
    assert found == [("gpulint.engine.run", 2)]


# File-system calls a rule (or a CI adapter) must not make: every read after discovery goes
# through the project's one reader (gpulint.project.files), which honours .gitignore and exclude.
_DISK_CALLS = {"open", "read_text", "read_bytes", "is_file", "is_dir", "exists", "iterdir", "glob", "rglob",
               "walk", "scandir", "listdir", "isfile", "isdir", "stat", "lstat", "resolve"}


def _disk_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):  # a bare call: only the builtin open() touches the disk
            name, owner = ("open", "") if func.id == "open" else ("", "")
        else:
            name = func.attr if isinstance(func, ast.Attribute) else ""
            owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        if name in _DISK_CALLS and owner != "Y" and not owner.endswith(("files", "context", "project")):
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(func)}()")
    return found


def test_rules_and_ci_adapters_never_touch_the_disk() -> None:
    offenders = [hit for folder in ("rules", "ci") for path in sorted((PACKAGE / folder).rglob("*.py"))
                 for hit in _disk_calls(path)]
    assert not offenders, "file-system calls outside the project's reader:\n" + "\n".join(offenders)


def test_rules_do_not_import_other_rules() -> None:
    """A helper two rules share lives in a model or project module, not in one of the rules."""
    modules = _modules()
    offenders = []
    for module, path in sorted(modules.items()):
        if ".rules." not in module or not module.rpartition(".")[2].startswith("gl"):
            continue
        for name, line in _imports(module, path, modules):
            if ".rules." in name and name.rpartition(".")[2].startswith("gl"):
                offenders.append(f"{path.relative_to(REPO)}:{line}: imports {name}")
    assert not offenders, "\n".join(offenders)
