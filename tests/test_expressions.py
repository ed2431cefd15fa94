"""Tests for gpulint.syntax.github_expressions (GitHub Actions expression language)."""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gpulint.syntax.github_expressions import (
    UNKNOWN, WILDCARD, BinaryOp, Call, ContextRef, EvaluationError, ExpressionError, Index,
    Literal, Not, OpenDict, PartialString, Template, evaluate, interpolate, parse, parse_if,
    referenced_contexts, strip_template, template_parts, truthy, uses_status_function,
)

CTX = {
    "github": {"ref": "refs/heads/main", "event_name": "push", "event": {"inputs": {"Mode": "fast"}}},
    "matrix": {"cuda": "12.4", "os": "ubuntu", "n": 3},
    "needs": {
        "build": {"result": "success", "outputs": {"image": "a"}},
        "test": {"result": "failure", "outputs": {}},
    },
    "list": [1, "two", {"k": "v"}],
    "env": OpenDict({"KNOWN": "yes"}),
}


def ev(text: str, ctx: dict | None = None) -> object:
    return evaluate(parse(text), CTX if ctx is None else ctx)


# ---------------------------------------------------------------- literals


@pytest.mark.parametrize("text, expected", [
    ("null", None), ("true", True), ("false", False), ("42", 42), ("-9.5", -9.5),
    ("0xff", 255), ("1e3", 1000.0), ("2.5E-1", 0.25), (".5", 0.5), ("+7", 7),
    ("'it''s'", "it's"), ("''", ""), ("'a}}b'", "a}}b"), ("Infinity", math.inf),
])
def test_literals(text: str, expected: object) -> None:
    node = parse(text)
    assert isinstance(node, Literal)
    assert node.value == expected and type(node.value) is type(expected)


def test_nan_literal() -> None:
    assert math.isnan(ev("NaN"))  # type: ignore[arg-type]


# ------------------------------------------------------------- precedence


@pytest.mark.parametrize("text, tree", [
    ("a || b && c", BinaryOp("||", ContextRef(("a",)), BinaryOp("&&", ContextRef(("b",)), ContextRef(("c",))))),
    ("a && b || c", BinaryOp("||", BinaryOp("&&", ContextRef(("a",)), ContextRef(("b",))), ContextRef(("c",)))),
    ("!a == b", BinaryOp("==", Not(ContextRef(("a",))), ContextRef(("b",)))),
    ("a == b < c", BinaryOp("==", ContextRef(("a",)), BinaryOp("<", ContextRef(("b",)), ContextRef(("c",))))),
    ("a == b == c", BinaryOp("==", BinaryOp("==", ContextRef(("a",)), ContextRef(("b",))), ContextRef(("c",)))),
    ("!(a || b)", Not(BinaryOp("||", ContextRef(("a",)), ContextRef(("b",))))),
    ("!!a", Not(Not(ContextRef(("a",))))),
])
def test_precedence_trees(text: str, tree: object) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize("text, expected", [
    ("true || false && false", True),
    ("(true || false) && false", False),
    ("!false && false", False),
    ("!(false && false)", True),
    ("1 < 2 == true", True),  # relational binds tighter than equality
    ("false == 1 > 2", True),
])
def test_precedence_values(text: str, expected: object) -> None:
    assert ev(text) is expected


# -------------------------------------------------- logical operator values


@pytest.mark.parametrize("text, expected", [
    ("'a' && 'b'", "b"), ("'' && 'b'", ""), ("0 || 'x'", "x"), ("'x' || 0", "x"),
    ("null || null", None), ("matrix.n && matrix.os", "ubuntu"), ("false || 0", 0),
])
def test_logical_returns_operand(text: str, expected: object) -> None:
    assert ev(text) == expected


def test_short_circuit_skips_runtime_error() -> None:
    assert ev("false && fromJSON('{')") is False
    with pytest.raises(EvaluationError):
        ev("true && fromJSON('{')")


# ------------------------------------------------ equality and coercion


@pytest.mark.parametrize("text, expected", [
    ("null == 0", True), ("null == false", True), ("true == 1", True), ("'1' == 1", True),
    ("'' == 0", True), ("'0x10' == 16", True), ("' 3 ' == 3", True), ("'abc' == 0", False),
    ("'abc' != 0", True), ("NaN == NaN", False), ("NaN != NaN", True), ("'true' == true", False),
    ("'abc' == 'ABC'", True), ("'a' < 'B'", True), ("'b' > 'A'", True), ("2 >= '2'", True),
    ("null <= null", True), ("true > false", True), ("1 < NaN", False), ("'x' == null", False),
    ("github.event == github.event", True), ("fromJSON('[]') == fromJSON('[]')", False),
    ("github.event == 'Object'", False), ("0.1 == 0.10", True), ("-0 == 0", True),
])
def test_comparisons(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize("value, expected", [
    (False, False), (0, False), (-0.0, False), ("", False), (None, False), (math.nan, False),
    (True, True), (1, True), ("false", True), ("0", True), ([], True), ({}, True),
    (UNKNOWN, UNKNOWN), (PartialString("x"), True),
])
def test_truthy(value: object, expected: object) -> None:
    assert truthy(value) is expected


# ------------------------------------------------------- case-insensitivity


@pytest.mark.parametrize("text", [
    "github.REF == 'REFS/HEADS/MAIN'", "GITHUB.ref == 'refs/heads/main'",
    "github['REF'] == 'refs/heads/main'", "github.event.inputs.mode == 'FAST'",
    "STARTSWITH(github.ref, 'REFS/heads')", "Contains(Github.Ref, 'MAIN')",
])
def test_case_insensitive(text: str) -> None:
    assert ev(text) is True


def test_keywords_are_case_sensitive() -> None:
    # `TRUE` is an identifier (an unknown context), not the boolean.
    assert parse("TRUE") == ContextRef(("true",))
    assert ev("TRUE") is UNKNOWN


# -------------------------------------------------------------- functions


@pytest.mark.parametrize("text, expected", [
    ("contains('Hello World', 'WORLD')", True),
    ("contains('abc', 'd')", False),
    ("contains(fromJSON('[\"push\", \"pull_request\"]'), github.event_name)", True),
    ("contains(fromJSON('[1, 2]'), '2')", True),
    ("contains(fromJSON('[1, 2]'), 3)", False),
    ("contains(github, 'ref')", False),  # objects are not searched
    ("contains(123, 2)", True),
    ("startsWith(github.ref, 'refs/heads/')", True),
    ("endsWith(github.ref, '/MAIN')", True),
    ("endsWith(github.ref, 'dev')", False),
    ("format('{0}-{1}', 'a', 1.50)", "a-1.5"),
    ("format('{{0}} is {0}', true)", "{0} is true"),
    ("format('}}{0}{{', null)", "}{"),
    ("join(fromJSON('[1, \"b\", true]'))", "1,b,true"),
    ("join(fromJSON('[1, 2]'), ' + ')", "1 + 2"),
    ("join('abc', '-')", "abc"),
    ("toJSON(matrix.os)", '"ubuntu"'),
    ("toJSON(fromJSON('{\"a\": [1]}'))", '{\n  "a": [\n    1\n  ]\n}'),
    ("fromJSON('{\"a\": 2}').a", 2),
    ("fromJSON('true')", True),
    ("hashFiles('**/Dockerfile')", UNKNOWN),
    ("someFutureFunction(1)", UNKNOWN),
])
def test_functions(text: str, expected: object) -> None:
    result = ev(text)
    assert result is expected if expected in (True, False, UNKNOWN) else result == expected


@pytest.mark.parametrize("text", ["format('{0', 1)", "format('{1}', 1)", "format('a}b')", "fromJSON('{')"])
def test_function_runtime_errors(text: str) -> None:
    node = parse(text)
    with pytest.raises(EvaluationError) as info:
        evaluate(node, CTX)
    assert info.value.offset == 0 and str(info.value).startswith(text.split("(")[0])


@pytest.mark.parametrize("text, status, expected", [
    ("success()", None, True), ("failure()", None, False), ("always()", None, True),
    ("cancelled()", None, False), ("failure()", {"failure": True}, True),
    ("success() || failure()", {"success": False, "failure": UNKNOWN}, UNKNOWN),
    ("always() && failure()", {"failure": UNKNOWN}, UNKNOWN),
    ("Success()", {"success": False}, False),
])
def test_status_functions(text: str, status: dict | None, expected: object) -> None:
    ctx = dict(CTX) if status is None else {**CTX, "__status__": status}
    assert ev(text, ctx) is expected


def test_uses_status_function() -> None:
    assert uses_status_function(parse("github.ref == 'x' && failure()"))
    assert not uses_status_function(parse("github.ref == 'x'"))


@pytest.mark.parametrize("text, message", [
    ("contains('a')", "function 'contains' expects 2 argument(s), got 1 at column 1"),
    ("success(1)", "function 'success' expects 0 argument(s), got 1 at column 1"),
    ("x && join()", "function 'join' expects 1 to 2 argument(s), got 0 at column 6"),
    ("format()", "function 'format' expects at least 1 argument(s), got 0 at column 1"),
])
def test_arity_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


# ------------------------------------------------- property access / filters


@pytest.mark.parametrize("text, expected", [
    ("needs.*.result", ["success", "failure"]),
    ("needs.*.outputs.image", ["a"]),  # items lacking the key are skipped
    ("list[0]", 1), ("list['1']", "two"), ("list[2].k", "v"), ("list[9]", None),
    ("list.*", [1, "two", {"k": "v"}]), ("list[*].k", ["v"]), ("github.nope", None),
    ("github.ref.x", None), ("matrix.os.*", []), ("github[matrix.os]", None),
    ("fromJSON('{\"a\": {\"b\": 1}}')['a'].b", 1),
])
def test_property_access(text: str, expected: object) -> None:
    assert ev(text) == expected


def test_filter_with_contains() -> None:
    assert ev("contains(needs.*.result, 'failure')") is True
    assert ev("contains(needs.*.result, 'cancelled')") is False


@pytest.mark.parametrize("text, path", [
    ("github.ref", ("github", "ref")),
    ("github.event.pull_request.labels.*.name", ("github", "event", "pull_request", "labels", WILDCARD, "name")),
    ("matrix['CUDA']", ("matrix", "cuda")),
    ("steps.build-1.outputs.tag", ("steps", "build-1", "outputs", "tag")),
    ("a[0][*]", ("a", 0, WILDCARD)),
    ("github.event.true", ("github", "event", "true")),
])
def test_context_paths(text: str, path: tuple) -> None:
    node = parse(text)
    assert isinstance(node, ContextRef) and node.path == path


def test_dynamic_index_and_referenced_contexts() -> None:
    node = parse("inputs[matrix.key] == format('{0}', env.X) || fromJSON(vars.J).a")
    assert referenced_contexts(node) == {("inputs",), ("matrix", "key"), ("env", "x"), ("vars", "j")}
    assert isinstance(node.left.left, Index)  # type: ignore[attr-defined]


# --------------------------------------------------------- UNKNOWN handling


FEATURE = {"github": {"ref": "refs/heads/feature", "event_name": "push"}}


@pytest.mark.parametrize("text, ctx, expected", [
    ("github.ref == 'refs/heads/main' && inputs.x", FEATURE, False),
    ("github.ref == 'refs/heads/feature' && inputs.x", FEATURE, UNKNOWN),
    ("inputs.x && false", FEATURE, False),
    ("inputs.x && github.ref", FEATURE, UNKNOWN),
    ("inputs.x || true", FEATURE, True),
    ("inputs.x || 'yes'", FEATURE, "yes"),
    ("inputs.x || false", FEATURE, UNKNOWN),
    ("true || inputs.x", FEATURE, True),
    ("false || inputs.x", FEATURE, UNKNOWN),
    ("!inputs.x", FEATURE, UNKNOWN),
    ("inputs.x == 'a'", FEATURE, UNKNOWN),
    ("contains(inputs.x, 'a')", FEATURE, UNKNOWN),
    ("format('{0}', inputs.x)", FEATURE, UNKNOWN),
    ("toJSON(env)", CTX, UNKNOWN),  # OpenDict: contents only partially known
    ("env.KNOWN == 'yes'", CTX, True),
    ("env.OTHER", CTX, UNKNOWN),
    ("github.other", FEATURE, None),  # closed dict: missing key is null
    ("INPUTS.x", FEATURE, UNKNOWN),
    ("env.*", CTX, UNKNOWN),
])
def test_unknown_propagation(text: str, ctx: dict, expected: object) -> None:
    result = ev(text, ctx)
    assert result is expected if expected in (True, False, None, UNKNOWN) else result == expected


def test_unknown_singleton_and_bool_guard() -> None:
    assert repr(UNKNOWN) == "UNKNOWN"
    assert copy.deepcopy(UNKNOWN) is UNKNOWN
    with pytest.raises(TypeError):
        bool(UNKNOWN)


def test_unknown_nested_value() -> None:
    ctx = {"matrix": {"cuda": UNKNOWN}}
    assert ev("matrix.cuda.x", ctx) is UNKNOWN
    assert ev("contains(fromJSON('[1]'), matrix.cuda)", ctx) is UNKNOWN


# --------------------------------------------------------------- templates


@pytest.mark.parametrize("text, expected", [
    ("${{ a }}", (" a ", 3)), ("  ${{ github.ref }}  ", (" github.ref ", 5)),
    ("${{a}}", ("a", 3)), ("${{ '}}' }}", (" '}}' ", 3)),
    ("${{ a }} ${{ b }}", None), ("x ${{ a }}", None), ("a", None), ("${{ a", None),
])
def test_strip_template(text: str, expected: object) -> None:
    assert strip_template(text) == expected


def test_template_parts() -> None:
    text = "v${{ matrix.cuda }}-${{ format('{0}}}', 1) }}!"
    parts = template_parts(text)
    assert [p[0] for p in parts] == [" matrix.cuda ", " format('{0}}}', 1) "]
    for inner, start, end in parts:
        assert text[start:end] == inner and text[start - 3:start] == "${{" and text[end:end + 2] == "}}"


def test_template_parts_unterminated() -> None:
    with pytest.raises(ExpressionError) as info:
        template_parts("ok ${{ a ")
    assert info.value.offset == 3 and "column 4" in str(info.value)


@pytest.mark.parametrize("text, ctx, expected", [
    ("${{ github.ref == 'refs/heads/main' }}", FEATURE, False),
    ("github.ref == 'refs/heads/feature'", FEATURE, True),
    ("${{ false }} || true", FEATURE, "false || true"),
    ("${{ inputs.x }} && false", FEATURE, PartialString("${{ inputs.x }} && false")),
    ("${{ inputs.x }}${{ inputs.y }}", FEATURE, UNKNOWN),
    ("${{ inputs.x }}${{ 'k' }}", FEATURE, PartialString("${{ inputs.x }}k")),
])
def test_parse_if(text: str, ctx: dict, expected: object) -> None:
    result = evaluate(parse_if(text), ctx)
    assert result is expected if expected in (True, False, UNKNOWN) else result == expected
    if expected is not UNKNOWN:
        assert truthy(result) is bool(expected)


def test_mixed_if_is_template_and_always_truthy() -> None:
    node = parse_if("${{ false }} && ${{ false }}")
    assert isinstance(node, Template) and len(node.parts) == 2
    assert truthy(evaluate(node, {})) is True


def test_parse_if_offsets_are_relative_to_original_text() -> None:
    text = "  ${{ github.ref == 'x' && inputs.go }}"
    node = parse_if(text)
    assert isinstance(node, BinaryOp)
    assert text[node.left.start:node.left.end] == "github.ref == 'x'"
    assert text[node.right.start:node.right.end] == "inputs.go"
    mixed = "on ${{ matrix.os }}"
    sub = parse_if(mixed).parts[0][0]  # type: ignore[attr-defined]
    assert mixed[sub.start:sub.end] == "matrix.os"
    with pytest.raises(ExpressionError) as info:
        parse_if("${{ a && }}")
    assert info.value.offset == 9


@pytest.mark.parametrize("text, expected", [
    ("cuda-${{ matrix.cuda }}-${{ matrix.n }}", "cuda-12.4-3"),
    ("${{ null }}|${{ true }}|${{ 1.0 }}|${{ 0.5 }}", "|true|1|0.5"),
    ("${{ github.event }} ${{ list }}", "Object Array"),
    ("plain", "plain"),
    ("${{ inputs.tag }}", UNKNOWN),
    ("x-${{ inputs.tag }}", UNKNOWN),
])
def test_interpolate(text: str, expected: object) -> None:
    result = interpolate(text, CTX)
    assert result is expected if expected is UNKNOWN else result == expected


# ------------------------------------------------------------ syntax errors


@pytest.mark.parametrize("text, offset, fragment", [
    ("a && && b", 5, "unexpected token '&&' at column 6"),
    ("a ==", 4, "unexpected end of expression at column 5"),
    ("'abc", 0, "unterminated string starting at column 1"),
    ("a = b", 2, "did you mean '=='"),
    ("a & b", 2, "did you mean '&&'"),
    ("a | b", 2, "did you mean '||'"),
    ('"x" == a', 0, "strings use single quotes"),
    ("1.2.3", 0, "invalid number '1.2.3'"),
    ("a b", 2, "unexpected token 'b' at column 3"),
    ("(a", 2, "unexpected end of expression"),
    ("a)", 1, "unexpected token ')'"),
    ("f(a,)", 4, "unexpected token ')'"),
    ("a.", 2, "expected a property name"),
    ("a[1", 3, "expected ']'"),
    ("'x'.y", 3, "invalid number '.y'"),  # as in GitHub's lexer
    ("'x' [0]", 4, "unexpected token '['"),  # no indexing of literals
    ("", 0, "empty expression"),
    ("   ", 0, "empty expression"),
    ("a $ b", 2, "unexpected symbol '$'"),
    ("- 1", 0, "invalid number '-'"),
    ("(" * 60 + "a" + ")" * 60, 50, "nested too deeply"),
    ("!" * 60 + "a", 50, "nested too deeply"),
])
def test_syntax_errors(text: str, offset: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.offset == offset
    assert fragment in str(info.value) and info.value.message == str(info.value)


def test_long_flat_chain_is_rejected_cleanly() -> None:
    with pytest.raises(ExpressionError, match="too complex"):
        parse(" || ".join(["a"] * 500))
    assert evaluate(parse(" || ".join(["false"] * 100 + ["'x'"])), {}) == "x"


def test_node_offsets() -> None:
    text = "contains(github.ref, 'main') && !cancelled()"
    node = parse(text)
    assert isinstance(node, BinaryOp) and (node.start, node.end) == (0, len(text))
    assert isinstance(node.left, Call) and text[node.left.start:node.left.end] == "contains(github.ref, 'main')"
    assert text[node.right.start:node.right.end] == "!cancelled()"
    assert isinstance(node.right, Not)
    arg = node.left.args[0]
    assert text[arg.start:arg.end] == "github.ref"


# ---------------------------------------------------------------- fuzzing

_TOKENS = [
    "a", "github", ".", "ref", "*", "[", "]", "(", ")", ",", "!", "==", "!=", "<", "<=", ">",
    ">=", "&&", "||", "'s'", "'", "''", "1", "-1", "0x1f", "1e5", ".5", "true", "null", "NaN",
    "contains", "format", "fromJSON", "success", "hashFiles", "'{0}'", "=", "&", "|", "$", '"',
    "${{", "}}", " ", "-", "+", "1.2.3", "_x-y", "é",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=25), st.booleans())
def test_token_soup_only_raises_expression_error(tokens: list[str], spaced: bool) -> None:
    text = (" " if spaced else "").join(tokens)
    for parser in (parse, parse_if):
        try:
            node = parser(text)
        except ExpressionError as exc:
            assert 0 <= exc.offset <= len(text)
            continue
        try:
            evaluate(node, CTX)
        except EvaluationError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_only_raises_expression_error(text: str) -> None:
    for fn in (parse, parse_if, template_parts, strip_template):
        try:
            fn(text)
        except ExpressionError as exc:
            assert 0 <= exc.offset <= len(text)
    try:
        interpolate(text, CTX)
    except ExpressionError:
        pass


def test_parenthesised_span_includes_parentheses() -> None:
    text = "!(a || b) && c"
    node = parse(text)
    assert isinstance(node, BinaryOp) and isinstance(node.left, Not)
    assert text[node.left.operand.start:node.left.operand.end] == "(a || b)"
    assert text[node.left.start:node.left.end] == "!(a || b)"
