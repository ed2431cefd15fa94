"""GitLab CI's `rules: if:` / `only: variables:` expression language: a parser and evaluator.

Grammar (GitLab's own, not GitHub's): operands are variables (`$VAR`, `${VAR}`), string
literals (`"..."`, `'...'`), `null` and regex literals (`/re/flags`); comparisons `==`, `!=`,
`=~`, `!~`; `&&` binds tighter than `||`; parentheses group. A bare variable is true when it is
defined and not empty. Undefined variables are null. Values are three-valued: a variable whose
value cannot be known statically evaluates to ``UNKNOWN`` and so does whatever depends on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gpulint.core.records import Record
from gpulint.syntax.github_expressions import UNKNOWN, Unknown

Tri = bool | Unknown


class GitLabExprError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class Var(Record, frozen=True):
    name: str


class Str(Record, frozen=True):
    value: str


class Null(Record, frozen=True):
    pass


class Regex(Record, frozen=True):
    pattern: str
    flags: str


class Compare(Record, frozen=True):
    op: str
    left: object
    right: object


class Logic(Record, frozen=True):
    op: str  # && | ||
    left: object
    right: object


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<var>\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>"[^"]*"|'[^']*')
  | (?P<op>==|!=|=~|!~|&&|\|\|)
  | (?P<paren>[()])
  | (?P<null>null\b)
  | (?P<regex>/(?:\\.|[^/\\])*/[a-z]*)
""", re.VERBOSE)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            raise GitLabExprError(f"unexpected character {text[i]!r}", i)
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group(), i))
        i = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> object:
        if not self.tokens:
            raise GitLabExprError("empty expression", 0)
        node = self.or_()
        tok = self.peek()
        if tok is not None:
            raise GitLabExprError(f"unexpected {tok[1]!r}", tok[2])
        return node

    def or_(self) -> object:
        node = self.and_()
        while (tok := self.peek()) is not None and tok[1] == "||":
            self.i += 1
            node = Logic("||", node, self.and_())
        return node

    def and_(self) -> object:
        node = self.comparison()
        while (tok := self.peek()) is not None and tok[1] == "&&":
            self.i += 1
            node = Logic("&&", node, self.comparison())
        return node

    def comparison(self) -> object:
        left = self.operand()
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in ("==", "!=", "=~", "!~"):
            self.i += 1
            right = self.operand()
            if tok[1] in ("=~", "!~") and not isinstance(right, (Regex, Var)):
                raise GitLabExprError(f"`{tok[1]}` needs a /regex/ on its right", tok[2])
            return Compare(tok[1], left, right)
        return left

    def operand(self) -> object:
        tok = self.peek()
        if tok is None:
            raise GitLabExprError("expression ends too early", len(self.text))
        kind, value, offset = tok
        self.i += 1
        if kind == "paren" and value == "(":
            node = self.or_()
            close = self.peek()
            if close is None or close[1] != ")":
                raise GitLabExprError("missing `)`", close[2] if close else len(self.text))
            self.i += 1
            return node
        if kind == "var":
            return Var(value.strip("${}"))
        if kind == "str":
            return Str(value[1:-1])
        if kind == "null":
            return Null()
        if kind == "regex":
            end = value.rfind("/")
            return Regex(value[1:end], value[end + 1:])
        raise GitLabExprError(f"unexpected {value!r}", offset)


def parse(text: str) -> object:
    return _Parser(text).parse()


def _value(node: object, env: Mapping[str, object]) -> object:
    """A string, None (null) or UNKNOWN."""
    if isinstance(node, Var):
        value = env.get(node.name)
        return value if value is UNKNOWN or value is None else str(value)
    if isinstance(node, Str):
        return node.value
    if isinstance(node, Null):
        return None
    if isinstance(node, Regex):
        return node
    return evaluate(node, env)


def _regex(node: object, env: Mapping[str, object]) -> re.Pattern[str] | Unknown | None:
    value = node if isinstance(node, Regex) else _value(node, env)
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, str):  # a variable holding "/re/"
        if len(value) >= 2 and value.startswith("/") and value.rfind("/") > 0:
            end = value.rfind("/")
            value = Regex(value[1:end], value[end + 1:])
        else:
            return None
    if not isinstance(value, Regex):
        return None
    flags = (re.IGNORECASE if "i" in value.flags else 0) | (re.MULTILINE if "m" in value.flags else 0) \
        | (re.DOTALL if "s" in value.flags else 0)
    try:
        return re.compile(value.pattern, flags)
    except re.error:
        return None


def evaluate(node: object, env: Mapping[str, object]) -> Tri:
    """The truth of an expression; `env` maps variable names to strings, None or UNKNOWN."""
    if isinstance(node, Logic):
        left = evaluate(node.left, env)
        if node.op == "&&":
            if left is False:
                return False
            right = evaluate(node.right, env)
            if right is False:
                return False
            return True if left is True and right is True else UNKNOWN
        if left is True:
            return True
        right = evaluate(node.right, env)
        if right is True:
            return True
        return False if left is False and right is False else UNKNOWN
    if isinstance(node, Compare):
        left = _value(node.left, env)
        if node.op in ("==", "!="):
            right = _value(node.right, env)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            if isinstance(left, Regex) or isinstance(right, Regex):
                return node.op == "!="
            equal = left == right
            return equal if node.op == "==" else not equal
        pattern = _regex(node.right, env)
        if left is UNKNOWN or pattern is UNKNOWN:
            return UNKNOWN
        matched = isinstance(left, str) and pattern is not None and pattern.search(left) is not None
        return matched if node.op == "=~" else not matched
    value = _value(node, env)
    if value is UNKNOWN:
        return UNKNOWN
    return isinstance(value, str) and value != ""
