"""Three-valued logic for static evaluation: True, False, or UNKNOWN ("may be either").

A condition gpulint cannot decide from the files (an expression over a secret, a variable set
outside the repository) is UNKNOWN, and "may run" follows from it; the connectives below keep
that honest (``False and UNKNOWN`` is False, ``True and UNKNOWN`` is UNKNOWN).
"""

from __future__ import annotations


class _Singleton:
    """Marker value compared by identity; copy and pickle keep the one instance."""

    _name = ""

    def __new__(cls) -> _Singleton:
        if "_instance" not in cls.__dict__:
            cls._instance = super().__new__(cls)
        return cls.__dict__["_instance"]

    def __repr__(self) -> str:
        return self._name

    def __reduce__(self) -> str:
        return self._name  # the module global holding the instance


class Unknown(_Singleton):
    """Value that cannot be known statically.  Compare with `is UNKNOWN`."""

    _name = "UNKNOWN"

    def __bool__(self) -> bool:
        # A silent `if value:` on an unknown is always a three-valued-logic bug.
        raise TypeError("UNKNOWN has no boolean value; use truthy()")


UNKNOWN = Unknown()

Tri = bool | Unknown


def and3(a: Tri, b: Tri) -> Tri:
    if a is False or b is False:
        return False
    return True if a is True and b is True else UNKNOWN


def or3(a: Tri, b: Tri) -> Tri:
    if a is True or b is True:
        return True
    return False if a is False and b is False else UNKNOWN


def not3(a: Tri) -> Tri:
    return UNKNOWN if a is UNKNOWN else not a


def all3(values) -> Tri:
    out: Tri = True
    for v in values:
        out = and3(out, v)
    return out


def any3(values) -> Tri:
    out: Tri = False
    for v in values:
        out = or3(out, v)
    return out
