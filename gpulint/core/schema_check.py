"""A quick yes to "does this value obviously satisfy this JSON Schema?", for the configuration.

Every run reads a configuration, and importing ``jsonschema`` (with ``referencing`` and
``attrs``) costs about as much as the rest of a small run. This check understands only the
keywords the configuration schema uses and answers True only when every one of them holds,
decided at least as strictly as JSON Schema does (an integral float is not taken as an integer, a
keyword it does not know means "not sure"). When it answers False, ``jsonschema`` validates and
explains, so the error messages stay the validator's own. A property test holds it to
``jsonschema`` on generated configurations.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_KNOWN = frozenset({"$schema", "$id", "$defs", "$ref", "title", "description", "type", "properties",
                    "additionalProperties", "propertyNames", "items", "uniqueItems", "enum", "pattern",
                    "minLength", "minimum", "maximum", "exclusiveMinimum"})
_TYPES = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
          "string": lambda v: isinstance(v, str),
          "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
          "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
          "boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None}


def surely_valid(value: Any, schema: dict, root: dict | None = None, depth: int = 0) -> bool:
    """True only when ``value`` satisfies ``schema`` (False: invalid, or not sure)."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 32 or not _KNOWN.issuperset(schema):
        return False
    if "$ref" in schema:
        target = _resolve(root, schema["$ref"])
        if target is None or not surely_valid(value, target, root, depth + 1):
            return False
    kind = schema.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in _TYPES or not _TYPES[kind](value)):
        return False
    if "enum" in schema and not any(type(value) is type(option) and value == option for option in schema["enum"]):
        return False
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return False
        if "pattern" in schema and _pattern(schema["pattern"]).search(value) is None:
            return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value:  # NaN
            return False
        if "minimum" in schema and not value >= schema["minimum"]:
            return False
        if "maximum" in schema and not value <= schema["maximum"]:
            return False
        if "exclusiveMinimum" in schema and not value > schema["exclusiveMinimum"]:
            return False
    if isinstance(value, list):
        if schema.get("uniqueItems") and not _unique(value):
            return False
        if "items" in schema and not all(surely_valid(item, schema["items"], root, depth + 1) for item in value):
            return False
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if not isinstance(key, str):
                return False
            if "propertyNames" in schema and not surely_valid(key, schema["propertyNames"], root, depth + 1):
                return False
            if key in properties:
                if not surely_valid(item, properties[key], root, depth + 1):
                    return False
            elif extra is False:
                return False
            elif extra is not True and not surely_valid(item, extra, root, depth + 1):
                return False
    return True


def _resolve(root: dict, ref: str) -> dict | None:
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def _unique(items: list) -> bool:
    """No two equal items, with JSON's equality (1 and true differ); unhashable items: not sure."""
    seen = set()
    for item in items:
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            return False
        key = (type(item) is str, item)
        if key in seen:
            return False
        seen.add(key)
    return True


@lru_cache(maxsize=64)
def _pattern(text: str) -> re.Pattern:
    return re.compile(text)
