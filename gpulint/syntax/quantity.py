"""Kubernetes resource quantities ("500m", "16Gi", "1e3"), parsed without the kubernetes client.

``parse_quantity`` deliberately reproduces ``kubernetes.utils.parse_quantity`` bit for bit,
quirks included (it trusts ``decimal.Decimal`` for the number part, so " 1", "1_000" and "nan"
parse), because gpulint reports what the Python client would compute. It is not a validator of
the apiserver's stricter quantity grammar.
"""

from __future__ import annotations

from decimal import Decimal, DecimalException, InvalidOperation

__all__ = ["parse_quantity", "is_whole_number"]

# Power of the base each suffix letter stands for.
_EXPONENTS = {"n": -3, "u": -2, "m": -1, "K": 1, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
_BINARY_PREFIXES = frozenset("KMGTPE")  # only Ki, Mi, Gi, Ti, Pi, Ei exist in base 1024


def parse_quantity(value: str | int | float | Decimal) -> Decimal:
    """Value of a Kubernetes quantity; ValueError on input the client rejects."""
    if isinstance(value, (int, float, Decimal)):
        return Decimal(value)

    text = str(value)
    number, suffix = text, ""
    if len(text) >= 2 and text[-1] == "i":
        # A trailing "i" only forms a suffix after an exponent letter; "ki" is caught below.
        if text[-2] in _EXPONENTS:
            number, suffix = text[:-2], text[-2:]
    elif text and text[-1] in _EXPONENTS:
        number, suffix = text[:-1], text[-1]

    try:
        parsed = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"Invalid number format: {number}") from None

    if not suffix:
        return parsed
    if len(suffix) == 2:
        if suffix[0] not in _BINARY_PREFIXES:  # ki, mi, ni, ui
            raise ValueError(f"{text} has unknown suffix")
        base = 1024
    else:
        base = 1000

    # Same arithmetic as the client (int ** Decimal, then a context multiply) so rounding,
    # NaN and overflow behave identically.
    try:
        return parsed * (base ** Decimal(_EXPONENTS[suffix[0]]))
    except DecimalException as exc:
        raise ValueError(f"Invalid quantity: {text}") from exc


def is_whole_number(value: str | int | float | Decimal) -> bool:
    """True when the quantity parses to a finite integer ("2", "1k", "1Gi", 4.0); False otherwise."""
    try:
        parsed = parse_quantity(value)
    except ValueError:
        return False
    # is_finite first: comparing a signalling NaN would raise.
    return parsed.is_finite() and parsed == parsed.to_integral_value()
