"""Typed records: gpulint's models, findings and facts.

A record is a ``msgspec.Struct``: its ``__init__``, ``__repr__``, ``__eq__`` and ``__hash__`` are
built in C when the class is created. ``dataclasses`` generates and compiles the source of those
methods for every class at import, about 1 ms a class, which was a third of a cold
``gpulint check`` (see README, "Speed").

Semantics are those of the dataclasses they replace: fields in order (a base's first), positional
or keyword arguments, ``frozen=True`` for immutable and hashable records, equality over the fields
for records of the same class, an instance ``__dict__`` (so ``functools.cached_property`` works)
and weak references.
"""

from __future__ import annotations

import sys
from operator import attrgetter
from typing import Any, Callable


def _import_msgspec() -> None:
    """Import msgspec without ``typing_extensions``, which it only tries for type-hint helpers
    that ``typing`` has on every Python gpulint supports (3.11+) and that records never use
    (nothing is decoded into them); importing it is a tenth of a cold ``gpulint check``. The
    block lasts for this one import: whoever imports ``typing_extensions`` later gets it."""
    if "typing_extensions" in sys.modules or "msgspec" in sys.modules:
        import msgspec  # noqa: F401
        return
    sys.modules["typing_extensions"] = None  # type: ignore[assignment]  # makes its import fail
    try:
        import msgspec  # noqa: F401
    finally:
        del sys.modules["typing_extensions"]


_import_msgspec()

from msgspec import Struct, field  # noqa: E402
from msgspec.structs import replace  # noqa: E402

__all__ = ["Record", "field", "replace", "compared_without"]


class Record(Struct, dict=True, weakref=True):
    """Base of every record (``class Span(Record, frozen=True): ...``); weak references work, as
    they do to a dataclass (the tests watch parsed models being released)."""


_KEYS: dict[type, Callable[[Any], tuple]] = {}


def _key_of(cls: type) -> Callable[[Any], tuple]:
    names = [n for n in cls.__struct_fields__ if n not in cls.__uncompared__]
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


def _key(obj: Any) -> tuple:
    cls = obj.__class__
    get = _KEYS.get(cls)
    if get is None:
        get = _KEYS[cls] = _key_of(cls)
    return get(obj)


def compared_without(*names: str) -> Callable[[type], type]:
    """Class decorator: equality (and, for a frozen record, the hash) over every field but
    ``names`` (a position or a back-reference to the parsed file that two equal values may differ
    in), for this class and its subclasses."""

    def decorate(cls: type) -> type:
        unknown = set(names) - set(cls.__struct_fields__)
        if unknown:
            raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
        cls.__uncompared__ = frozenset(names)

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is not self.__class__:
                return NotImplemented
            return _key(self) == _key(other)

        cls.__eq__ = __eq__
        cls.__hash__ = (lambda self: hash(_key(self))) if cls.__struct_config__.frozen else None
        return cls

    return decorate
