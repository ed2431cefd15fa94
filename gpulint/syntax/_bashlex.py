"""Import bashlex without rebuilding its parser tables on every start.

bashlex ships a copy of PLY that regenerates the LALR tables of the bash grammar at import
(about 70-150 ms, most of a cold ``gpulint check``). The tables depend only on bashlex's own
sources, so they are computed once, stored as plain data (``marshal``: no code, no pickle) in
the user's cache folder under a key made of the sources' paths, sizes and times and the Python version, and
reused by later runs. Anything unexpected (no cache folder, a stale or damaged file, another
bashlex) falls back to bashlex's own import, so behaviour never depends on the cache.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from importlib.machinery import PathFinder
from pathlib import Path
from types import ModuleType

_FORMAT = 1


def cache_dir() -> Path | None:
    explicit = os.environ.get("GPULINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or (os.path.join(os.path.expanduser("~"), ".cache"))
    return Path(base) / "gpulint" if base and not base.startswith("~") else None


def _cache_file() -> Path | None:
    spec = PathFinder.find_spec("bashlex")
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    parts = []
    for name in ("parser.py", "yacc.py"):  # the grammar and the table builder: size and mtime say if they changed
        try:
            info = (package / name).stat()
        except OSError:
            return None
        parts.append(f"{package / name}:{info.st_size}:{info.st_mtime_ns}")
    digest = zlib.crc32("|".join(parts).encode())
    folder = cache_dir()
    if folder is None:
        return None
    version = f"{sys.implementation.cache_tag}-m{marshal.version}-f{_FORMAT}"
    return folder / f"bashlex-tables-{digest:08x}-{version}.marshal"


class _Production:
    __slots__ = ("name", "len", "func", "str", "callable")

    def __init__(self, name: str, length: int, func: str | None, text: str) -> None:
        self.name, self.len, self.func, self.str, self.callable = name, length, func, text, None


class _Tables:
    def __init__(self, data: dict, pdict: dict) -> None:
        self.lr_productions = [_Production(*p) for p in data["productions"]]
        for production in self.lr_productions:
            if production.func:
                production.callable = pdict[production.func]
        self.lr_action = data["action"]
        self.lr_goto = data["goto"]


def _snapshot(parser) -> bytes:
    return marshal.dumps({
        "format": _FORMAT,
        "productions": [(p.name, p.len, p.func, p.str) for p in parser.productions],
        "action": {state: dict(actions) for state, actions in parser.action.items()},
        "goto": {state: dict(gotos) for state, gotos in parser.goto.items()},
    })


def _write(path: Path, payload: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(payload)
        os.replace(temporary, path)
    except OSError:
        pass


class _PatchingLoader:
    """Runs bashlex.yacc as usual, then swaps its ``yacc()`` for one that reads the cache."""

    def __init__(self, real, path: Path) -> None:
        self.real, self.path = real, path

    def create_module(self, spec):
        return self.real.create_module(spec)

    def exec_module(self, module) -> None:
        self.real.exec_module(module)
        module.yacc = _cached_yacc(module, module.yacc, self.path)


class _Finder:
    def __init__(self, path: Path) -> None:
        self.path = path

    def find_spec(self, name, path=None, target=None):
        if name != "bashlex.yacc":
            return None

        spec = PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _PatchingLoader(spec.loader, self.path)
        return spec


def _cached_yacc(yacc_module, original, path: Path):
    def cached_yacc(*args, **kwargs):
        pdict = sys._getframe(1).f_globals
        try:
            data = marshal.loads(path.read_bytes())
            if isinstance(data, dict) and data.get("format") == _FORMAT:
                parser = yacc_module.LRParser(_Tables(data, pdict), pdict["p_error"])
                yacc_module.parse = parser.parse
                return parser
        except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError):
            pass  # missing, stale or damaged: rebuild below
        kwargs.setdefault("module", sys.modules[pdict["__name__"]])
        parser = original(*args, **kwargs)
        _write(path, _snapshot(parser))  # before bashlex patches its states in place
        return parser

    return cached_yacc


def load() -> ModuleType:
    """The bashlex module, its parser built from cached tables when they are available."""
    if "bashlex" not in sys.modules:
        try:
            path = _cache_file()
        except (OSError, ValueError, RuntimeError):  # no usable cache folder: bashlex's own import
            path = None
        if path is not None:
            finder = _Finder(path)
            sys.meta_path.insert(0, finder)
            try:
                import bashlex  # noqa: F401
            finally:
                sys.meta_path.remove(finder)
    import bashlex

    return bashlex
