"""GitHub Actions expression language: lexer, parser and a three-valued evaluator.

Follows https://docs.github.com/en/actions/learn-github-actions/expressions and the
reference implementation (actions/languageservices) for coercion, precedence and
object filters.  The evaluator adds UNKNOWN so a linter can ask "can this `if:` be
true?" without knowing every context value.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Iterator, NamedTuple

from gpulint.core.records import Record, compared_without, replace
from gpulint.core.tri import UNKNOWN, Unknown, _Singleton  # noqa: F401 - re-exported

__all__ = [
    "ExpressionError", "EvaluationError", "Unknown", "UNKNOWN", "OpenDict", "Wildcard",
    "WILDCARD", "PartialString", "Node", "Literal", "ContextRef", "Index", "Not",
    "BinaryOp", "Call", "Template", "parse", "strip_template", "parse_if",
    "template_parts", "evaluate", "truthy", "referenced_contexts", "interpolate",
    "iter_nodes", "uses_status_function", "to_string", "STATUS_FUNCTIONS",
]

MAX_NESTING = 50     # GitHub's parser depth limit (parens, brackets, '!', call args)
MAX_TREE_DEPTH = 200  # keeps recursive evaluation far from Python's recursion limit


class ExpressionError(Exception):
    """Syntax (or evaluation) error; `offset` is 0-based into the text given to the parser."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class EvaluationError(ExpressionError):
    """Error GitHub would raise at run time (bad format() string, invalid fromJSON input)."""


class Wildcard(_Singleton):
    """The `*` of an object filter (`a.*.b`, `a[*]`)."""

    _name = "WILDCARD"

    def __repr__(self) -> str:
        return "*"


WILDCARD = Wildcard()


class OpenDict(dict):
    """A partially known object: a key it lacks is UNKNOWN rather than null."""


class PartialString(str):
    """Result of a mixed template whose pieces are partly unknown but that is certainly
    non-empty (hence truthy).  Unknown pieces are left as written (`${{ ... }}`)."""


class _Filtered(list):
    """Array produced by an object filter; indexing it maps over its items."""


# --------------------------------------------------------------------------- AST

@compared_without("start", "end")  # offsets: trees are compared structurally
class Node(Record, frozen=True, kw_only=True):
    start: int = 0
    end: int = 0

    def children(self) -> tuple[Node, ...]:
        return ()

    @cached_property
    def depth(self) -> int:
        # The parser asks for it as it builds each node, bottom-up: children's depths are cached.
        return 1 + max((c.depth for c in self.children()), default=0)


class Literal(Node, frozen=True):
    value: object


class ContextRef(Node, frozen=True):
    """Static path such as github.event.inputs['x'] -> ('github', 'event', 'inputs', 'x').
    String segments are lower-cased: GitHub objects are case-insensitive."""
    path: tuple[str | int | Wildcard, ...]


class Index(Node, frozen=True):
    """Dynamic access: `target[key]` where target or key is not a static context path."""
    target: Node
    key: Node | Wildcard

    def children(self) -> tuple[Node, ...]:
        return (self.target,) if isinstance(self.key, Wildcard) else (self.target, self.key)


class Not(Node, frozen=True):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


class BinaryOp(Node, frozen=True):
    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


class Call(Node, frozen=True):
    name: str  # canonical spelling for known functions, as written otherwise
    args: tuple[Node, ...] = ()

    def children(self) -> tuple[Node, ...]:
        return self.args


class Template(Node, frozen=True):
    """An `if:` mixing `${{ }}` with other text: GitHub evaluates it as a string.
    `parts` holds (expression, inner start, inner end) with offsets into `text`."""
    text: str
    parts: tuple[tuple[Node, int, int], ...] = ()

    def children(self) -> tuple[Node, ...]:
        return tuple(p[0] for p in self.parts)


# (canonical name, min args, max args); None = unbounded
_FUNCTIONS: dict[str, tuple[str, int, int | None]] = {
    f.lower(): (f, lo, hi) for f, lo, hi in [
        ("contains", 2, 2), ("startsWith", 2, 2), ("endsWith", 2, 2), ("format", 1, None),
        ("join", 1, 2), ("toJSON", 1, 1), ("fromJSON", 1, 1), ("hashFiles", 1, None),
        ("success", 0, 0), ("failure", 0, 0), ("always", 0, 0), ("cancelled", 0, 0),
    ]
}
STATUS_FUNCTIONS = frozenset({"success", "failure", "always", "cancelled"})
_STATUS_DEFAULTS = {"success": True, "failure": False, "always": True, "cancelled": False}

# ------------------------------------------------------------------------ lexer


class _Token(NamedTuple):
    kind: str  # punctuation/operator text, or num/str/ident/true/false/null/eof
    text: str
    value: object
    start: int
    end: int


_BOUNDARY = frozenset("()[],.!><=&|")
_SIMPLE = frozenset("()[],*")
_VALUE_END = frozenset({"ident", "]", ")", "*"})  # a '.' after these is a dereference
_KEYWORDS: dict[str, tuple[str, object]] = {
    "true": ("true", True), "false": ("false", False), "null": ("null", None),
    "NaN": ("num", math.nan), "Infinity": ("num", math.inf),
}
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_RADIX = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


def _col(offset: int) -> str:
    return f"column {offset + 1}"


def _is_boundary(c: str) -> bool:
    return c in _BOUNDARY or c.isspace()


_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_REST = _IDENT_START | frozenset("0123456789-")


def _is_identifier(word: str) -> bool:
    return bool(word) and word[0] in _IDENT_START and all(c in _IDENT_REST for c in word[1:])


def _js_number(text: str) -> int | float:
    """JavaScript Number(text), which GitHub uses for string -> number coercion."""
    t = text.strip()
    if not t:
        return 0
    if _RADIX.fullmatch(t):
        return int(t, 0)
    if t in ("Infinity", "+Infinity", "-Infinity"):
        return -math.inf if t[0] == "-" else math.inf
    if _DECIMAL.fullmatch(t):
        return int(t) if _INTEGER.fullmatch(t) else float(t)
    return math.nan


def _lex(src: str, lo: int, hi: int) -> list[_Token]:
    tokens: list[_Token] = []
    i = lo
    while i < hi:
        c = src[i]
        start = i
        prev = tokens[-1].kind if tokens else "eof"
        if c.isspace():
            i += 1
            continue
        if c in _SIMPLE or (c == "." and prev in _VALUE_END):
            tokens.append(_Token(c, c, None, i, i + 1))
            i += 1
        elif c in "!<>=&|":
            two = src[i:i + 2] if i + 1 < hi else c
            if two in ("!=", "<=", ">=", "==", "&&", "||"):
                tokens.append(_Token(two, two, None, i, i + 2))
                i += 2
            elif c in "!<>":
                tokens.append(_Token(c, c, None, i, i + 1))
                i += 1
            else:
                hint = {"=": "'=='", "&": "'&&'", "|": "'||'"}[c]
                raise ExpressionError(f"unexpected symbol '{c}' at {_col(i)} (did you mean {hint}?)", i)
        elif c == "'":
            i += 1
            while True:
                j = src.find("'", i, hi)
                if j < 0:
                    raise ExpressionError(f"unterminated string starting at {_col(start)}", start)
                if j + 1 < hi and src[j + 1] == "'":  # '' is an escaped quote
                    i = j + 2
                    continue
                i = j + 1
                break
            tokens.append(_Token("str", src[start:i], src[start + 1:i - 1].replace("''", "'"), start, i))
        else:
            numeric = c in "0123456789+-."
            while i < hi and (not _is_boundary(src[i]) or (numeric and src[i] == ".")):
                i += 1
            word = src[start:i]
            if numeric:
                value = _js_number(word)
                if isinstance(value, float) and math.isnan(value):
                    raise ExpressionError(f"invalid number '{word}' at {_col(start)}", start)
                tokens.append(_Token("num", word, value, start, i))
            elif word in _KEYWORDS and prev != ".":
                kind, value = _KEYWORDS[word]
                tokens.append(_Token(kind, word, value, start, i))
            elif _is_identifier(word):
                tokens.append(_Token("ident", word, word, start, i))
            else:
                hint = " (strings use single quotes)" if word.startswith('"') else ""
                raise ExpressionError(f"unexpected symbol '{word}' at {_col(start)}{hint}", start)
    tokens.append(_Token("eof", "", None, hi, hi))
    return tokens


# ----------------------------------------------------------------------- parser

_LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="))


class _Parser:
    def __init__(self, src: str, lo: int, hi: int) -> None:
        self.tokens = _lex(src, lo, hi)
        self.pos = 0
        self.nesting = 0
        self.lo = lo

    def parse(self) -> Node:
        if self._peek().kind == "eof":
            raise ExpressionError(f"empty expression at {_col(self.lo)}", self.lo)
        node = self._expression()
        if self._peek().kind != "eof":
            raise self._unexpected(self._peek())
        return node

    # helpers
    def _peek(self) -> _Token:
        return self.tokens[self.pos]

    def _next(self) -> _Token:
        tok = self.tokens[self.pos]
        if tok.kind != "eof":
            self.pos += 1
        return tok

    def _expect(self, kind: str) -> _Token:
        if self._peek().kind != kind:
            raise self._unexpected(self._peek(), f"expected '{kind}'")
        return self._next()

    @staticmethod
    def _unexpected(tok: _Token, why: str = "") -> ExpressionError:
        suffix = f" ({why})" if why else ""
        if tok.kind == "eof":
            return ExpressionError(f"unexpected end of expression at {_col(tok.start)}{suffix}", tok.start)
        return ExpressionError(f"unexpected token '{tok.text}' at {_col(tok.start)}{suffix}", tok.start)

    def _nest(self, tok: _Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionError(f"expression nested too deeply at {_col(tok.start)}", tok.start)

    @staticmethod
    def _checked(node: Node) -> Node:
        if node.depth > MAX_TREE_DEPTH:
            raise ExpressionError(f"expression too complex at {_col(node.start)}", node.start)
        return node

    # grammar
    def _expression(self) -> Node:
        return self._binary(0)

    def _nested(self, opener: _Token) -> Node:
        """Sub-expression inside '(' or '['; counted against GitHub's depth limit."""
        self._nest(opener)
        try:
            return self._expression()
        finally:
            self.nesting -= 1

    def _binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        while self._peek().kind in _LEVELS[level]:
            op = self._next().kind
            right = self._binary(level + 1)
            left = self._checked(BinaryOp(op, left, right, start=left.start, end=right.end))
        return left

    def _unary(self) -> Node:
        if self._peek().kind != "!":
            return self._postfix()
        bang = self._next()
        self._nest(bang)
        try:
            operand = self._unary()
        finally:
            self.nesting -= 1
        return self._checked(Not(operand, start=bang.start, end=operand.end))

    def _postfix(self) -> Node:
        node, indexable = self._primary()
        # GitHub only allows '.'/'[' after a context, a call or a parenthesised expression.
        while indexable and self._peek().kind in (".", "["):
            tok = self._next()
            key: Node | Wildcard
            if tok.kind == ".":
                name = self._next()
                if name.kind == "*":
                    key = WILDCARD
                elif name.kind in ("ident", "true", "false", "null"):
                    key = Literal(name.text, start=name.start, end=name.end)
                else:
                    raise self._unexpected(name, "expected a property name after '.'")
                end = name.end
            else:
                if self._peek().kind == "*":
                    self._next()
                    key = WILDCARD
                else:
                    key = self._nested(tok)
                end = self._expect("]").end
            node = self._checked(self._index(node, key, end))
        return node

    @staticmethod
    def _index(target: Node, key: Node | Wildcard, end: int) -> Node:
        # Fold static accesses into one ContextRef path so callers can match paths.
        if isinstance(target, ContextRef):
            seg: str | int | Wildcard | None = None
            if isinstance(key, Wildcard):
                seg = WILDCARD
            elif isinstance(key, Literal) and isinstance(key.value, str):
                seg = key.value.lower()
            elif isinstance(key, Literal) and type(key.value) is int and key.value >= 0:
                seg = key.value
            if seg is not None:
                return ContextRef(target.path + (seg,), start=target.start, end=end)
        return Index(target, key, start=target.start, end=end)

    def _primary(self) -> tuple[Node, bool]:
        tok = self._next()
        if tok.kind in ("num", "str", "true", "false", "null"):
            return Literal(tok.value, start=tok.start, end=tok.end), False
        if tok.kind == "(":
            inner = self._nested(tok)
            close = self._expect(")")
            # Widen the span over the parentheses so carets cover what the user wrote.
            return replace(inner, start=tok.start, end=close.end), True
        if tok.kind == "ident":
            if self._peek().kind != "(":
                return ContextRef((tok.text.lower(),), start=tok.start, end=tok.end), True
            return self._call(tok), True
        raise self._unexpected(tok)

    def _call(self, name: _Token) -> Node:
        self._nest(self._next())  # '('
        args: list[Node] = []
        try:
            if self._peek().kind != ")":
                while True:
                    args.append(self._expression())
                    if self._peek().kind != ",":
                        break
                    self._next()
            close = self._expect(")")
        finally:
            self.nesting -= 1
        # Unknown names are left to the evaluator (UNKNOWN); known ones get GitHub's arity check.
        canonical, lo, hi = _FUNCTIONS.get(name.text.lower(), (name.text, 0, None))
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = f"{lo}" if lo == hi else f"at least {lo}" if hi is None else f"{lo} to {hi}"
            raise ExpressionError(
                f"function '{canonical}' expects {want} argument(s), got {len(args)} at {_col(name.start)}",
                name.start)
        return self._checked(Call(canonical, tuple(args), start=name.start, end=close.end))


def parse(text: str) -> Node:
    """Parse a bare expression (no `${{ }}`).  Raises ExpressionError."""
    return _Parser(text, 0, len(text)).parse()


def template_parts(text: str) -> list[tuple[str, int, int]]:
    """Every `${{ ... }}` in `text` as (inner text, inner start, inner end).  Like GitHub,
    a `}}` inside a single-quoted string does not close the expression."""
    parts: list[tuple[str, int, int]] = []
    pos = 0
    while (open_at := text.find("${{", pos)) >= 0:
        i, in_string = open_at + 3, False
        while i < len(text):
            if text[i] == "'":
                in_string = not in_string  # '' escapes toggle twice: net no change
            elif not in_string and text.startswith("}}", i):
                break
            i += 1
        else:
            raise ExpressionError(f"unterminated '${{{{' at {_col(open_at)}: missing '}}}}'", open_at)
        parts.append((text[open_at + 3:i], open_at + 3, i))
        pos = i + 2
    return parts


def strip_template(text: str) -> tuple[str, int] | None:
    """(expression, its offset) if `text` is exactly one `${{ expr }}` modulo outer spaces."""
    try:
        parts = template_parts(text)
    except ExpressionError:
        return None
    if len(parts) != 1:
        return None
    inner, start, end = parts[0]
    if text[:start - 3].strip() or text[end + 2:].strip():
        return None
    return inner, start


def parse_if(text: str) -> Node:
    """Parse a job/step `if:` value; node offsets are relative to `text`."""
    parts = template_parts(text)
    if not parts:
        return _Parser(text, 0, len(text)).parse()
    only = strip_template(text)
    if only is not None:
        inner, start = only
        return _Parser(text, start, start + len(inner)).parse()
    # Mixed text: GitHub interpolates into a string, which is truthy unless empty.
    nodes = tuple((_Parser(text, s, e).parse(), s, e) for _, s, e in parts)
    return Template(text, nodes, start=0, end=len(text))


# -------------------------------------------------------------------- values

_MISSING = object()


def _kind(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "num"
    if isinstance(v, str):
        return "str"
    if isinstance(v, (list, tuple)):
        return "array"
    return "object"


def _to_number(v: object) -> int | float:
    k = _kind(v)
    if k == "null":
        return 0
    if k in ("bool", "num"):
        return int(v) if isinstance(v, bool) else v  # type: ignore[return-value]
    if k == "str":
        return _js_number(v)  # type: ignore[arg-type]
    return math.nan


def _num_to_str(n: int | float) -> str:
    if isinstance(n, int):
        return str(n)
    if math.isnan(n):
        return "NaN"
    if math.isinf(n):
        return "Infinity" if n > 0 else "-Infinity"
    if n.is_integer() and abs(n) < 1e21:
        return str(int(n))
    # GitHub limits precision to 15 decimals and drops trailing zeros.
    return format(round(n, 15), ".15f").rstrip("0").rstrip(".")


def to_string(v: object) -> str:
    """GitHub's string coercion (interpolation, format(), join())."""
    k = _kind(v)
    if k == "null":
        return ""
    if k == "bool":
        return "true" if v else "false"
    if k == "num":
        return _num_to_str(v)  # type: ignore[arg-type]
    if k == "str":
        return str(v)
    return "Array" if k == "array" else "Object"


def _fold(s: str) -> str:
    # OrdinalIgnoreCase, which (like GitHub) leaves the dotless i alone.
    return s.upper() if "ı" not in s else "".join(c if c == "ı" else c.upper() for c in s)


def truthy(value: object) -> bool | Unknown:
    if value is UNKNOWN:
        return UNKNOWN
    k = _kind(value)
    if k == "null":
        return False
    if k == "bool":
        return bool(value)
    if k == "num":
        return not (value == 0 or math.isnan(value))  # type: ignore[arg-type]
    if k == "str":
        return value != ""
    return True


def _coerce(a: object, b: object) -> tuple[object, object]:
    # JavaScript-like abstract equality coercion; objects are never coerced.
    ka, kb = _kind(a), _kind(b)
    if ka == kb:
        return a, b
    if ka == "num" and kb == "str":
        return a, _to_number(b)
    if ka == "str" and kb == "num":
        return _to_number(a), b
    if ka in ("null", "bool"):
        return _coerce(_to_number(a), b)
    if kb in ("null", "bool"):
        return _coerce(a, _to_number(b))
    return a, b


_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}


def _compare(op: str, a: object, b: object) -> bool:
    a, b = _coerce(a, b)
    k = _kind(a)
    if k != _kind(b):
        return op == "!="
    if k == "num" and (math.isnan(a) or math.isnan(b)):  # type: ignore[arg-type]
        return op == "!="
    if k in ("array", "object"):
        same = a is b  # only the same instance is equal
        return {"==": same, "!=": not same, "<=": same, ">=": same}.get(op, False)
    if k == "str":
        a, b = _fold(a), _fold(b)  # type: ignore[arg-type]
    if k == "null":
        a = b = 0
    return bool(_OPS[op](a, b))


def _lookup(obj: Mapping, key: str) -> object:
    if key in obj:
        return obj[key]
    low = key.lower()
    for k, v in obj.items():
        if isinstance(k, str) and k.lower() == low:
            return v
    return _MISSING


def _int_index(key: object) -> int | None:
    n = _to_number(key) if _kind(key) in ("num", "str") else math.nan
    return int(n) if math.isfinite(n) and n >= 0 else None


def _index(obj: object, key: object) -> object:
    if obj is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    if isinstance(obj, _Filtered):
        out = _Filtered()
        for item in obj:
            if item is UNKNOWN or (isinstance(item, OpenDict) and key is WILDCARD):
                out.append(UNKNOWN)
            elif isinstance(item, (Mapping, list, tuple)):
                if key is WILDCARD:
                    out.extend(item.values() if isinstance(item, Mapping) else item)
                else:
                    v = _index(item, key)
                    if v is not None or _has_key(item, key):  # filters skip missing keys
                        out.append(v)
        return out
    if isinstance(obj, Mapping):
        if key is WILDCARD:
            return UNKNOWN if isinstance(obj, OpenDict) else _Filtered(obj.values())
        if not isinstance(key, str):
            return None
        v = _lookup(obj, key)
        if v is _MISSING:
            return UNKNOWN if isinstance(obj, OpenDict) else None
        return v
    if isinstance(obj, (list, tuple)):
        if key is WILDCARD:
            return _Filtered(obj)
        i = _int_index(key)
        return obj[i] if i is not None and i < len(obj) else None
    return _Filtered() if key is WILDCARD else None


def _has_key(item: object, key: object) -> bool:
    if isinstance(item, Mapping):
        return isinstance(key, str) and _lookup(item, key) is not _MISSING
    i = _int_index(key)
    return i is not None and i < len(item)  # type: ignore[arg-type]


def _has_unknown(v: object) -> bool:
    if v is UNKNOWN:
        return True
    if isinstance(v, Mapping):
        return isinstance(v, OpenDict) or any(_has_unknown(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return any(_has_unknown(x) for x in v)
    return False


# ------------------------------------------------------------------- evaluator

def evaluate(node: Node, context: Mapping) -> object:
    """Evaluate `node`.  Missing top-level contexts and OpenDict gaps give UNKNOWN."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, ContextRef):
        value = _lookup(context, str(node.path[0]))
        value = UNKNOWN if value is _MISSING else value
        for seg in node.path[1:]:
            value = _index(value, seg)
        return value
    if isinstance(node, Index):
        target = evaluate(node.target, context)
        key = WILDCARD if isinstance(node.key, Wildcard) else evaluate(node.key, context)
        return _index(target, key)
    if isinstance(node, Not):
        t = truthy(evaluate(node.operand, context))
        return UNKNOWN if t is UNKNOWN else not t
    if isinstance(node, BinaryOp):
        return _binary(node, context)
    if isinstance(node, Call):
        return _call(node, context)
    if isinstance(node, Template):
        return _template(node, context)
    raise TypeError(f"not an expression node: {node!r}")


def _binary(node: BinaryOp, context: Mapping) -> object:
    left = evaluate(node.left, context)
    if node.op in ("&&", "||"):
        # Short-circuit returns an operand.  With an unknown left side the result is
        # still decided when the right side alone decides it in every world.
        stop = node.op == "||"  # left truthiness that ends evaluation
        t = truthy(left)
        if t is not UNKNOWN:
            return left if t == stop else evaluate(node.right, context)
        right = evaluate(node.right, context)
        return right if truthy(right) == stop else UNKNOWN
    right = evaluate(node.right, context)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    return _compare(node.op, left, right)


def _call(node: Call, context: Mapping) -> object:
    name = node.name.lower()
    if name in STATUS_FUNCTIONS:
        status = context.get("__status__")
        if isinstance(status, Mapping) and name in status:
            return status[name]
        return _STATUS_DEFAULTS[name]
    args = [evaluate(a, context) for a in node.args]
    if name not in _FUNCTIONS or name == "hashfiles" or any(a is UNKNOWN for a in args):
        return UNKNOWN
    if name == "contains":
        search, item = args
        if isinstance(search, (list, tuple)):
            if any(x is not UNKNOWN and _compare("==", x, item) for x in search):
                return True
            return UNKNOWN if any(x is UNKNOWN for x in search) else False
        if _kind(search) in ("array", "object") or _kind(item) in ("array", "object"):
            return False
        return _fold(to_string(item)) in _fold(to_string(search))
    if name in ("startswith", "endswith"):
        if any(_kind(a) in ("array", "object") for a in args):
            return False
        s, affix = _fold(to_string(args[0])), _fold(to_string(args[1]))
        return s.startswith(affix) if name == "startswith" else s.endswith(affix)
    if name == "format":
        return _format(node, args)
    if name == "join":
        if _has_unknown(args[0]):
            return UNKNOWN
        sep = to_string(args[1]) if len(args) > 1 else ","
        if isinstance(args[0], (list, tuple)):
            return sep.join(to_string(x) for x in args[0])
        return to_string(args[0])
    if name == "tojson":
        if _has_unknown(args[0]):
            return UNKNOWN
        return json.dumps(_jsonable(args[0]), indent=2, ensure_ascii=False)
    # fromjson
    try:
        return json.loads(to_string(args[0]))
    except (ValueError, RecursionError) as exc:
        raise EvaluationError(f"fromJSON: invalid JSON at {_col(node.start)}: {exc}", node.start) from None


def _jsonable(v: object) -> object:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
        return int(v)  # GitHub prints 1.0 as 1
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _format(node: Call, args: list[object]) -> str:
    fmt, values = to_string(args[0]), args[1:]
    out: list[str] = []
    i = 0

    def bad(why: str) -> EvaluationError:
        return EvaluationError(f"format: {why} in format string at {_col(node.start)}", node.start)

    while i < len(fmt):
        c = fmt[i]
        if c in "{}" and fmt.startswith(c * 2, i):  # '{{' and '}}' are escapes
            out.append(c)
            i += 2
        elif c == "{":
            close = fmt.find("}", i)
            spec = fmt[i + 1:close] if close > 0 else ""
            if not spec.isdigit() or not spec.isascii():
                raise bad(f"invalid placeholder at index {i}")
            if int(spec) >= len(values):
                raise bad(f"placeholder {{{spec}}} has no argument")
            out.append(to_string(values[int(spec)]))
            i = close + 1
        elif c == "}":
            raise bad(f"unmatched '}}' at index {i}")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _template(node: Template, context: Mapping) -> object:
    out: list[str] = []
    pos, unknown, nonempty = 0, False, False
    for expr, start, end in node.parts:
        literal = node.text[pos:start - 3]
        value = evaluate(expr, context)
        if value is UNKNOWN:
            unknown = True
            piece = node.text[start - 3:end + 2]  # keep the `${{ ... }}` as written
        else:
            piece = to_string(value)
            nonempty = nonempty or piece != ""
        out += [literal, piece]
        nonempty = nonempty or literal != ""
        pos = end + 2
    out.append(node.text[pos:])
    nonempty = nonempty or node.text[pos:] != ""
    text = "".join(out)
    if not unknown:
        return text
    return PartialString(text) if nonempty else UNKNOWN


def interpolate(text: str, context: Mapping) -> str | Unknown:
    """Replace each `${{ }}` in `text` with its value's string form; UNKNOWN if any is."""
    parts = template_parts(text)
    if not parts:
        return text
    nodes = tuple((_Parser(text, s, e).parse(), s, e) for _, s, e in parts)
    result = _template(Template(text, nodes, start=0, end=len(text)), context)
    if result is UNKNOWN or isinstance(result, PartialString):
        return UNKNOWN
    return str(result)


# --------------------------------------------------------------------- queries

def iter_nodes(node: Node) -> Iterator[Node]:
    """Pre-order walk over `node` and all its descendants."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children()))


def referenced_contexts(node: Node) -> set[tuple[Any, ...]]:
    """Static context paths used (lower-cased); dynamic keys stop a path at their prefix."""
    return {n.path for n in iter_nodes(node) if isinstance(n, ContextRef)}


def uses_status_function(node: Node) -> bool:
    """GitHub prepends `success() &&` to an `if:` that calls no status function."""
    return any(isinstance(n, Call) and n.name.lower() in STATUS_FUNCTIONS for n in iter_nodes(node))
