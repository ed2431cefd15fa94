#!/usr/bin/env python3
"""Generate rules/k8s-schema.json from the installed `kubernetes` Python client.

gpulint must not import `kubernetes` at lint time (it costs about half a second), so the
field names and types of the workload kinds are snapshotted here and shipped as data.

    python scripts/gen_k8s_schema.py           # write rules/k8s-schema.json
    python scripts/gen_k8s_schema.py --check   # exit 1 if the shipped fields or types are stale

Snapshot layout (all keys sorted, one type per line so diffs stay readable):

    generator                  this script
    kubernetes_client_version  kubernetes.__version__ the snapshot was taken from
    kinds                      "apiVersion/Kind" -> model class name
    types                      model name -> {json field name: type string}
    intOrString                model name -> fields typed "object" that are really IntOrString
    quantities                 model name -> fields typed "str"/"dict(str, str)" holding Quantities

Only the fields and types (``kinds``, ``types``, ``intOrString``, ``quantities``) are compared by
``--check``; ``generator`` and ``kubernetes_client_version`` record provenance, so a client release
that changes nothing but its version string leaves the snapshot current.

Type strings use the classic client spelling: "str", "int", "bool", "float", "object",
"datetime", "date", "list[T]", "dict(str, T)", or a model name. Clients built with the newer
pydantic generator spell containers "List[T]" / "Dict[str, T]"; those are normalised so the
snapshot does not churn with the generator flavour.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

GENERATOR = "scripts/gen_k8s_schema.py"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "rules" / "k8s-schema.json"

# apiVersion/Kind -> client model; the walk starts here.
KINDS: dict[str, str] = {
    "v1/Pod": "V1Pod",
    "apps/v1/Deployment": "V1Deployment",
    "apps/v1/StatefulSet": "V1StatefulSet",
    "apps/v1/DaemonSet": "V1DaemonSet",
    "apps/v1/ReplicaSet": "V1ReplicaSet",
    "batch/v1/Job": "V1Job",
    "batch/v1/CronJob": "V1CronJob",
}
# Extra roots with no kind of their own (templates embedded in other tools' manifests).
EXTRA_ROOTS = ("V1PodTemplateSpec",)

# resource.Quantity fields. The client types them plain "str" (or map values "str") and keeps
# no trace of Quantity, so they are listed by hand from the Kubernetes OpenAPI spec; the
# generator fails if one disappears so the list cannot rot silently. Quantities also accept
# bare YAML numbers, which a plain string field does not.
QUANTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "V1ResourceRequirements": ("limits", "requests"),
    "V1VolumeResourceRequirements": ("limits", "requests"),
    "V1PodSpec": ("overhead",),
    "V1EmptyDirVolumeSource": ("sizeLimit",),
    "V1ResourceFieldSelector": ("divisor",),
    "V1ContainerStatus": ("allocatedResources",),
    "V1PodStatus": ("allocatedResources",),
    "V1PersistentVolumeClaimStatus": ("allocatedResources", "capacity"),
    "V1NodeAllocatableMappedResources": ("quantity",),
    "V1NodeAllocatableOverheadResources": ("perContainer", "perPod"),
}

# What the snapshot says about Kubernetes; the other keys only record where it came from.
SEMANTIC_KEYS = ("kinds", "types", "intOrString", "quantities")

_PRIMITIVES = frozenset({"str", "int", "bool", "float", "object", "datetime", "date", "bytes"})
_LIST_RE = re.compile(r"^[Ll]ist\[(.*)\]$")
_DICT_RE = re.compile(r"^(?:dict\(str, (.*)\)|Dict\[str, (.*)\])$")


def normalize_type(type_str: str) -> str:
    """Spell a client type string the classic way: list[T] / dict(str, T)."""
    type_str = type_str.strip()
    m = _LIST_RE.match(type_str)
    if m:
        return f"list[{normalize_type(m.group(1))}]"
    m = _DICT_RE.match(type_str)
    if m:
        return f"dict(str, {normalize_type(m.group(1) or m.group(2))})"
    return type_str


def referenced_models(type_str: str) -> list[str]:
    """Model names inside a normalised type string."""
    m = _LIST_RE.match(type_str)
    if m:
        return referenced_models(m.group(1))
    m = _DICT_RE.match(type_str)
    if m:
        return referenced_models(m.group(1) or m.group(2))
    return [] if type_str in _PRIMITIVES else [type_str]


def _strip_annotated(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _is_int_or_string(cls: type, attr: str) -> bool:
    """True when the pydantic annotation is Union[int, str] (how the client spells IntOrString)."""
    fields = getattr(cls, "model_fields", None)
    if not fields or attr not in fields:
        return False
    tp = fields[attr].annotation
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    args = {_strip_annotated(a) for a in typing.get_args(tp)} - {type(None)}
    return args == {int, str}


def build_snapshot() -> dict[str, Any]:
    import kubernetes
    import kubernetes.client as client

    def model(name: str) -> type:
        cls = getattr(client, name, None)
        if cls is None or not hasattr(cls, "openapi_types") or not hasattr(cls, "attribute_map"):
            raise SystemExit(f"gen_k8s_schema: kubernetes.client has no model {name!r}")
        return cls

    types_out: dict[str, dict[str, str]] = {}
    int_or_string: dict[str, list[str]] = {}
    todo = list(KINDS.values()) + list(EXTRA_ROOTS)
    while todo:
        name = todo.pop()
        if name in types_out:
            continue
        cls = model(name)
        fields: dict[str, str] = {}
        for attr, raw in cls.openapi_types.items():
            json_name = cls.attribute_map[attr]
            type_str = normalize_type(raw)
            fields[json_name] = type_str
            if type_str == "object" and _is_int_or_string(cls, attr):
                int_or_string.setdefault(name, []).append(json_name)
            todo.extend(m for m in referenced_models(type_str) if m not in types_out)
        types_out[name] = dict(sorted(fields.items()))

    quantities: dict[str, list[str]] = {}
    for name, qfields in QUANTITY_FIELDS.items():
        if name not in types_out:
            continue  # not reachable from the roots in this client version
        for f in qfields:
            if types_out[name].get(f) not in ("str", "dict(str, str)"):
                raise SystemExit(f"gen_k8s_schema: quantity field {name}.{f} is missing or not a string")
        quantities[name] = sorted(qfields)

    return {
        "generator": GENERATOR,
        "kubernetes_client_version": kubernetes.__version__,
        "kinds": dict(sorted(KINDS.items())),
        "types": dict(sorted(types_out.items())),
        "intOrString": {k: sorted(v) for k, v in sorted(int_or_string.items())},
        "quantities": dict(sorted(quantities.items())),
    }


def render(snapshot: dict[str, Any]) -> str:
    """Deterministic JSON: sorted keys, compact, one entry per line in the big sections."""

    def dumps(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    parts: list[str] = []
    for key in sorted(snapshot):
        value = snapshot[key]
        if isinstance(value, dict) and value:
            inner = ",\n".join(f"{dumps(k)}:{dumps(v)}" for k, v in sorted(value.items()))
            parts.append(f"{dumps(key)}:{{\n{inner}\n}}")
        else:
            parts.append(f"{dumps(key)}:{dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def semantic(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The fields and types of a snapshot, without its provenance."""
    return {key: snapshot.get(key) for key in SEMANTIC_KEYS}


def diff_summary(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Differences in fields and types between two snapshots (provenance is ignored)."""
    old, new = semantic(old), semantic(new)
    lines: list[str] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            for name in sorted(set(a) | set(b)):
                if name not in a:
                    lines.append(f"{key}: + {name}")
                elif name not in b:
                    lines.append(f"{key}: - {name}")
                elif a[name] != b[name]:
                    if isinstance(a[name], dict) and isinstance(b[name], dict):
                        for f in sorted(set(a[name]) | set(b[name])):
                            if a[name].get(f) != b[name].get(f):
                                lines.append(f"{key}: {name}.{f}: {a[name].get(f)!r} -> {b[name].get(f)!r}")
                    else:
                        lines.append(f"{key}: {name}: {a[name]!r} -> {b[name]!r}")
        else:
            lines.append(f"{key}: {a!r} -> {b!r}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the snapshot on disk is stale")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="snapshot path")
    args = parser.parse_args(argv)

    fresh = build_snapshot()
    text = render(fresh)
    if args.check:
        try:
            current = args.output.read_text(encoding="utf-8")
        except FileNotFoundError:
            print(f"{args.output}: missing; run {GENERATOR}", file=sys.stderr)
            return 1
        try:
            summary = diff_summary(json.loads(current), fresh)
        except json.JSONDecodeError as exc:
            summary = [f"existing file is not valid JSON: {exc}"]
        if not summary:
            print(f"{args.output}: fields and types up to date")
            return 0
        print(f"{args.output}: stale ({len(summary)} difference(s)); run {GENERATOR}", file=sys.stderr)
        for line in summary[:50]:
            print(f"  {line}", file=sys.stderr)
        if len(summary) > 50:
            print(f"  ... and {len(summary) - 50} more", file=sys.stderr)
        return 1

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
