"""Check composed YAML nodes of Kubernetes manifests against the shipped field snapshot.

The snapshot (``k8s-schema.json``) is generated from the ``kubernetes`` Python client by
``scripts/gen_k8s_schema.py``; this module only reads it, so linting never pays for importing
the client. Checks mirror what ``kubectl apply`` (strict decoding of YAML converted to JSON)
rejects: unknown fields and values of the wrong JSON type.

Scalars are classified the way kubectl's YAML reader (go-yaml v2) would see them, which differs
from PyYAML's YAML 1.1 resolver in a few places: ``1e3`` and ``08`` are numbers, ``1:30`` is a
string, and timestamps stay strings.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from gpulint.core.records import Record
from gpulint.core.resources import data_path

__all__ = ["SchemaProblem", "type_for_kind", "check_node", "display_name", "schema_path"]

PathElem = str | int

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _TAG + "str", _TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"
_TIMESTAMP, _MERGE = _TAG + "timestamp", _TAG + "merge"
_MAP_TAG, _SEQ_TAG = _TAG + "map", _TAG + "seq"

# go-yaml v2 reads these plain scalars as floats where PyYAML (YAML 1.1) says str.
_GO_FLOAT_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


class SchemaProblem(Record, frozen=True):
    node: yaml.Node  # KEY node for unknown fields, VALUE node for wrong types
    message: str
    suggestion: str | None
    path: tuple[PathElem, ...]  # key path from the document root


# --------------------------------------------------------------------------- snapshot loading


def schema_path() -> Path:
    return data_path("k8s-schema.json")


# Parsed type specs, shared and never mutated:
#   ("any",)  ("str",) ("int",) ("bool",) ("float",) ("datetime",) ("ios",) ("qty",)
#   ("list", spec)  ("dict", spec)  ("model", name)
Spec = tuple[Any, ...]
_ANY: Spec = ("any",)
_QTY: Spec = ("qty",)
_IOS: Spec = ("ios",)


class _Schema:
    def __init__(self, raw: dict[str, Any]):
        self.kinds: dict[str, str] = raw["kinds"]
        self.raw_types: dict[str, dict[str, str]] = raw["types"]
        self.version: str = raw.get("kubernetes_client_version", "")
        self._ios = {t: frozenset(fs) for t, fs in raw.get("intOrString", {}).items()}
        self._qty = {t: frozenset(fs) for t, fs in raw.get("quantities", {}).items()}
        self._fields: dict[str, dict[str, Spec]] = {}
        self._lower: dict[str, dict[str, str]] = {}

    def fields(self, type_name: str) -> dict[str, Spec] | None:
        """Field name -> parsed spec for a model, parsed on first use."""
        got = self._fields.get(type_name)
        if got is None:
            raw = self.raw_types.get(type_name)
            if raw is None:
                return None
            ios = self._ios.get(type_name, frozenset())
            qty = self._qty.get(type_name, frozenset())
            got = {}
            for name, type_str in raw.items():
                spec = _parse_type(type_str)
                if name in ios:
                    spec = _IOS
                elif name in qty:
                    spec = ("dict", _QTY) if spec[0] == "dict" else _QTY
                got[name] = spec
            self._fields[type_name] = got
        return got

    def lower_names(self, type_name: str) -> dict[str, str]:
        got = self._lower.get(type_name)
        if got is None:
            got = {name.lower(): name for name in self.raw_types.get(type_name, ())}
            self._lower[type_name] = got
        return got


@lru_cache(maxsize=None)
def _parse_type(type_str: str) -> Spec:
    if type_str.startswith("list[") and type_str.endswith("]"):
        return ("list", _parse_type(type_str[5:-1]))
    if type_str.startswith("dict(str, ") and type_str.endswith(")"):
        return ("dict", _parse_type(type_str[10:-1]))
    if type_str in ("str", "int", "bool", "float"):
        return (type_str,)
    if type_str in ("datetime", "date"):
        return ("datetime",)
    if type_str in ("object", "bytes"):
        return _ANY
    return ("model", type_str)


@lru_cache(maxsize=1)
def _schema() -> _Schema:
    with schema_path().open(encoding="utf-8") as fh:
        return _Schema(json.load(fh))


# --------------------------------------------------------------------------- public API


def type_for_kind(api_version: str, kind: str) -> str | None:
    """Model name for a manifest's apiVersion and kind: ('apps/v1', 'Deployment') -> 'V1Deployment'."""
    return _schema().kinds.get(f"{api_version}/{kind}")


def display_name(type_name: str) -> str:
    """'V1Container' -> 'Container', 'CoreV1ResourceClaim' -> 'ResourceClaim'."""
    return re.sub(r"^(?:Core)?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])", "", type_name)


def check_node(node: yaml.Node | None, type_name: str, path: tuple[PathElem, ...] = ()) -> list[SchemaProblem]:
    """Problems of a composed node checked as ``type_name`` (a model name from the snapshot).

    Duplicate keys are not reported here. A node reached twice through YAML aliases is
    reported once. An empty document (None) has no problems; unknown type names raise KeyError.
    """
    schema = _schema()
    if type_name not in schema.raw_types:
        raise KeyError(f"unknown Kubernetes model {type_name!r}")
    if node is None:
        return []
    checker = _Checker(schema)
    checker.check(node, ("model", type_name), tuple(path))
    return checker.problems


# --------------------------------------------------------------------------- checking


def _scalar_kind(node: yaml.ScalarNode) -> str:
    """What kubectl would see: 'str', 'int', 'float', 'bool', 'null' or 'other' (custom tag)."""
    tag = node.tag
    if tag == _STR:
        if not node.style and _GO_FLOAT_RE.match(node.value):  # plain: None (Python) or '' (libyaml)
            return "float"
        return "str"
    if tag == _INT:
        # PyYAML's sexagesimal ints (1:30) are plain strings to go-yaml.
        return "str" if ":" in node.value else "int"
    if tag == _FLOAT:
        return "str" if ":" in node.value else "float"
    if tag == _BOOL:
        return "bool"
    if tag == _NULL:
        return "null"
    if tag == _TIMESTAMP:
        return "str"  # go-yaml v2 keeps timestamps as strings when decoding into JSON
    if tag == _TAG + "binary":
        return "str"
    return "other"


def _is_integral_float(text: str) -> bool:
    try:
        f = float(text.replace("_", ""))
    except ValueError:
        return False
    return f.is_integer()


def _describe(node: yaml.Node, kind: str | None = None) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    kind = kind or _scalar_kind(node)  # type: ignore[arg-type]
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    if kind == "str":
        return f"string {value!r}"
    if kind == "int":
        return f"integer {value}"
    if kind == "float":
        return f"number {value}"
    if kind == "bool":
        return f"boolean {value}"
    return f"{node.tag} {value!r}"


_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "datetime": "a timestamp string",
    "ios": "an integer or string",
    "qty": "a quantity (string or number)",
    "list": "a list",
    "dict": "a mapping",
}

# Scalar kinds each scalar spec accepts ("null" and custom tags are accepted everywhere).
_ACCEPTS = {
    "str": frozenset({"str"}),
    "datetime": frozenset({"str"}),
    "int": frozenset({"int"}),
    "float": frozenset({"int", "float"}),
    "bool": frozenset({"bool"}),
    "ios": frozenset({"int", "str"}),
    "qty": frozenset({"int", "float", "str"}),
}


def _label(path: tuple[PathElem, ...]) -> str:
    """'containers[0]' style name of the last field in a path."""
    idx = ""
    for elem in reversed(path):
        if isinstance(elem, int):
            idx = f"[{elem}]" + idx
        else:
            return f"{elem}{idx}"
    return idx


class _Checker:
    __slots__ = ("schema", "problems", "_seen", "_active")

    def __init__(self, schema: _Schema):
        self.schema = schema
        self.problems: list[SchemaProblem] = []
        self._seen: set[tuple[int, str]] = set()  # (id(node), message): aliases report once
        self._active: set[int] = set()  # collections on the current walk: recursive aliases

    def report(self, node: yaml.Node, message: str, path: tuple[PathElem, ...], suggestion: str | None = None) -> None:
        key = (id(node), message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(SchemaProblem(node, message, suggestion, path))

    def wrong_type(self, node: yaml.Node, spec: Spec, path: tuple[PathElem, ...], kind: str | None = None) -> None:
        if spec[0] == "model":
            expected = f"a mapping ({display_name(spec[1])})"
        else:
            expected = _EXPECTED[spec[0]]
        subject = f"field '{_label(path)}'" if path else "document"
        self.report(node, f"{subject} must be {expected}, got {_describe(node, kind)}", path)

    def check(self, node: yaml.Node, spec: Spec, path: tuple[PathElem, ...]) -> None:
        what = spec[0]
        if what == "any":
            return
        if isinstance(node, yaml.ScalarNode):
            kind = _scalar_kind(node)
            if kind in ("null", "other"):
                return
            accepts = _ACCEPTS.get(what)
            if accepts is None:  # list, dict or model given a scalar
                self.wrong_type(node, spec, path, kind)
            elif kind not in accepts:
                # kubectl round-trips YAML through JSON, so 3.0 arrives as the integer 3.
                if kind == "float" and what in ("int", "ios") and _is_integral_float(node.value):
                    return
                self.wrong_type(node, spec, path, kind)
            return

        if node.tag not in (_MAP_TAG, _SEQ_TAG):
            return  # custom-tagged collection: some templating tool's business
        nid = id(node)
        if nid in self._active:
            return
        self._active.add(nid)
        try:
            if isinstance(node, yaml.SequenceNode):
                if what != "list":
                    self.wrong_type(node, spec, path)
                    return
                item = spec[1]
                for i, child in enumerate(node.value):
                    self.check(child, item, path + (i,))
            elif isinstance(node, yaml.MappingNode):
                if what == "model":
                    self.check_model(node, spec[1], path)
                elif what == "dict":
                    item = spec[1]
                    if item is _ANY:
                        return
                    for key, value in _pairs(node):
                        self.check(value, item, path + (_key_text(key),))
                else:
                    self.wrong_type(node, spec, path)
        finally:
            self._active.discard(nid)

    def check_model(self, node: yaml.MappingNode, type_name: str, path: tuple[PathElem, ...]) -> None:
        fields = self.schema.fields(type_name)
        if fields is None:
            return
        for key, value in _pairs(node):
            name = _key_text(key)
            spec = fields.get(name) if isinstance(name, str) else None
            if spec is None:
                suggestion = self.suggest(str(name), type_name)
                message = f"unknown field '{name}' in {display_name(type_name)}"
                if suggestion:
                    message += f"; did you mean '{suggestion}'?"
                self.report(key, message, path + (name,), suggestion)
                continue
            self.check(value, spec, path + (name,))

    def suggest(self, name: str, type_name: str) -> str | None:
        lower = self.schema.lower_names(type_name)
        exact = lower.get(name.lower())
        if exact is not None:
            return exact
        close = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.7)
        return lower[close[0]] if close else None


def _key_text(key: yaml.Node) -> PathElem:
    if isinstance(key, yaml.ScalarNode):
        return key.value
    return "<complex key>"


def _pairs(node: yaml.MappingNode, _depth: int = 0) -> list[tuple[yaml.Node, yaml.Node]]:
    """Key/value pairs with ``<<`` merge keys expanded; explicit keys win over merged ones."""
    pairs = node.value
    if not any(k.tag == _MERGE for k, _ in pairs):
        return pairs  # the common case: no copy
    out = [(k, v) for k, v in pairs if k.tag != _MERGE]
    if _depth > 32:  # merge sources may merge again; recursive aliases must end somewhere
        return out
    taken = {k.value for k, _ in out if isinstance(k, yaml.ScalarNode)}
    for k, v in pairs:
        if k.tag != _MERGE:
            continue
        # `<<: [*a, *b]`: earlier mappings win, as in the YAML merge spec.
        for src in v.value if isinstance(v, yaml.SequenceNode) else [v]:
            if not isinstance(src, yaml.MappingNode):
                continue
            for mk, mv in _pairs(src, _depth + 1):
                if isinstance(mk, yaml.ScalarNode):
                    if mk.value in taken:
                        continue
                    taken.add(mk.value)
                out.append((mk, mv))
    return out
