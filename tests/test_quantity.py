"""gpulint's parse_quantity must agree with kubernetes.utils.parse_quantity exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gpulint.syntax.quantity import is_whole_number, parse_quantity

try:
    from kubernetes import utils as k8s_utils
except ImportError:  # the explicit cases below still run
    k8s_utils = None

needs_client = pytest.mark.skipif(k8s_utils is None, reason="kubernetes client not installed: nothing to compare against")

SUFFIXES = ["", "n", "u", "m", "k", "K", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
            "ki", "mi", "ni", "ui", "Xi", "i", "e", "B", "GB", "Gb", "KiB", "iB", "EE", "mm"]


def _outcome(fn, value):
    try:
        return ("ok", repr(fn(value)))  # repr keeps exponent, sign of zero and NaN kind
    except ValueError:
        return ("ValueError", None)


def assert_same(value) -> None:
    if k8s_utils is None:
        return
    assert _outcome(parse_quantity, value) == _outcome(k8s_utils.parse_quantity, value), value


digits = st.text(alphabet="0123456789", min_size=0, max_size=25)
number_parts = st.builds(
    lambda ws1, sign, whole, dot, frac, exp, ws2: f"{ws1}{sign}{whole}{dot}{frac}{exp}{ws2}",
    st.sampled_from(["", "", " "]),
    st.sampled_from(["", "", "+", "-", "--"]),
    digits,
    st.sampled_from(["", "", ".", "_"]),
    digits,
    st.one_of(st.just(""), st.builds(lambda e, s, d: f"{e}{s}{d}", st.sampled_from("eE"),
                                     st.sampled_from(["", "+", "-"]), digits)),
    st.sampled_from(["", "", " "]),
)
specials = st.sampled_from(["nan", "NaN", "-nan", "snan", "sNaN", "inf", "-Infinity", "+inf", "1e999999999",
                            "9" * 40, "1e-999999999", "0", "-0", ".5", "5.", "1_000", "١٢"])


@needs_client
@settings(max_examples=1500, deadline=None, database=None)
@given(st.one_of(number_parts, specials), st.sampled_from(SUFFIXES))
def test_matches_client_on_structured_strings(number: str, suffix: str) -> None:
    assert_same(number + suffix)


@needs_client
@settings(max_examples=1500, deadline=None, database=None)
@given(st.text(max_size=12))
def test_matches_client_on_arbitrary_text(text: str) -> None:
    assert_same(text)


@needs_client
@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans()))
def test_matches_client_on_numbers(value) -> None:
    assert_same(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100m", Decimal("0.1")),
        ("1", Decimal(1)),
        ("1k", Decimal(1000)),
        ("1Ki", Decimal(1024)),
        ("16Gi", Decimal(16 * 1024**3)),
        ("1Ei", Decimal(2**60)),
        ("1E", Decimal(10**18)),
        ("1e3", Decimal(1000)),
        ("2.5G", Decimal(2_500_000_000)),
        ("-1M", Decimal(-1_000_000)),
        ("5n", Decimal("5E-9")),
        ("3u", Decimal("3E-6")),
        (8, Decimal(8)),
        (0.5, Decimal("0.5")),
    ],
)
def test_explicit_values(text, expected: Decimal) -> None:
    assert parse_quantity(text) == expected
    assert_same(text)


@pytest.mark.parametrize("text", ["", "Ki", "1ki", "1mi", "1ni", "1ui", "1GB", "1e", "abc", "1.2.3", "i", "m", "1 Gi "])
def test_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text)
    assert_same(text)


@pytest.mark.parametrize(
    ("value", "whole"),
    [("1", True), ("2k", True), ("1Gi", True), (4, True), (4.0, True), ("1e3", True), ("0", True),
     ("0.5", False), ("500m", False), (1.5, False), ("nan", False), ("inf", False), ("sNaN", False),
     ("1GB", False), ("", False), ("1500m", False), ("2000m", True)],
)
def test_is_whole_number(value, whole: bool) -> None:
    assert is_whole_number(value) is whole
