"""A small, real subset of CEL (the Common Expression Language) as Tekton Triggers uses it.

Parses and evaluates the filters and overlays of Triggers' CEL interceptor with three-valued
logic: a field the scenario does not model is UNKNOWN, a field it knows to be absent (``body.ref``
of a pull request event) is a CEL error, as Tekton reads it (a failing filter drops the event).

Supported: literals (strings with escapes, raw strings, ints, uints, doubles, bools, null, lists,
maps), ``== != < <= > >= && || ! ?: + - * / % in``, field selection and indexing, ``has()``,
``size()``, the string methods ``startsWith endsWith contains matches split lowerAscii
upperAscii truncate``, and Triggers' ``header.match(name, value)`` / ``header.canonical(name)``.
"""

from __future__ import annotations

import re

from gpulint.core.records import Record, field
from gpulint.syntax.github_expressions import UNKNOWN, OpenDict

__all__ = ["CelSyntaxError", "CelError", "parse", "evaluate", "filter_passes", "Headers", "UNKNOWN", "OpenDict"]


class CelSyntaxError(Exception):
    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.offset = offset


class CelError(Exception):
    """A runtime error (no such key, bad types): a filter that errors does not pass."""


# ----------------------------------------------------------------------------- tokens

class Tok(Record):
    kind: str  # str | num | id | op | eof
    value: object
    start: int
    end: int


_OPS = ("&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", "(", ")",
        "[", "]", "{", "}", ".", ",")
_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?", "a": "\a",
        "b": "\b", "f": "\f", "v": "\v"}
_NUM = re.compile(r"0x[0-9a-fA-F]+u?|\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?|\d+u?")


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j == -1 else j
            continue
        start = i
        raw = False
        if c in "rR" and i + 1 < n and text[i + 1] in "'\"":
            raw, i, c = True, i + 1, text[i + 1]
        if c in "'\"":
            quote = text[i:i + 3] if text[i:i + 3] in ("'''", '"""') else c
            i += len(quote)
            out = []
            while True:
                if i >= n:
                    raise CelSyntaxError("unterminated string literal", start)
                if text.startswith(quote, i):
                    i += len(quote)
                    break
                ch = text[i]
                if ch in "\r\n" and len(quote) == 1:
                    raise CelSyntaxError("newline in string literal", i)
                if ch == "\\" and not raw:
                    nxt = text[i + 1:i + 2]
                    if nxt in _ESC:
                        out.append(_ESC[nxt])
                        i += 2
                        continue
                    if nxt in ("x", "u", "U"):
                        width = {"x": 2, "u": 4, "U": 8}[nxt]
                        digits = text[i + 2:i + 2 + width]
                        try:
                            out.append(chr(int(digits, 16)))
                        except ValueError:
                            raise CelSyntaxError("bad escape in string literal", i) from None
                        i += 2 + width
                        continue
                    raise CelSyntaxError(f"unknown escape '\\{nxt}'", i)
                out.append(ch)
                i += 1
            toks.append(Tok("str", "".join(out), start, i))
            continue
        if raw:
            i = start
            c = text[i]
        m = _NUM.match(text, i) if (c.isdigit() or (c == "." and text[i + 1:i + 2].isdigit())) else None
        if m:
            lit = m.group(0)
            value: object
            if lit.startswith("0x"):
                value = int(lit.rstrip("u"), 16)
            elif any(ch in lit for ch in ".eE"):
                value = float(lit)
            else:
                value = int(lit.rstrip("u"))
            i = m.end()
            toks.append(Tok("num", value, start, i))
            continue
        if c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            toks.append(Tok("id", text[i:j], i, j))
            i = j
            continue
        for op in _OPS:
            if text.startswith(op, i):
                toks.append(Tok("op", op, i, i + len(op)))
                i += len(op)
                break
        else:
            raise CelSyntaxError(f"unexpected character {c!r}", i)
    toks.append(Tok("eof", None, n, n))
    return toks


# ----------------------------------------------------------------------------- tree

class Node(Record):
    op: str  # lit | id | sel | index | call | method | unary | binary | cond | list | map | has
    args: list = field(default_factory=list)
    value: object = None
    start: int = 0


class _Parser:
    def __init__(self, text: str):
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self, value: object = None) -> bool:
        t = self.toks[self.i]
        return t.kind == "op" and t.value == value

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, value: str) -> Tok:
        t = self.toks[self.i]
        if not (t.kind == "op" and t.value == value):
            raise CelSyntaxError(f"expected '{value}' but found {self._desc(t)}", t.start)
        self.i += 1
        return t

    @staticmethod
    def _desc(t: Tok) -> str:
        return "the end of the expression" if t.kind == "eof" else repr(t.value)

    def parse(self) -> Node:
        node = self.expr()
        t = self.toks[self.i]
        if t.kind != "eof":
            raise CelSyntaxError(f"unexpected {self._desc(t)}", t.start)
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > 200:
            raise CelSyntaxError("expression nested too deeply", self.toks[self.i].start)
        try:
            cond = self.binary(0)
            if self.peek("?"):
                start = self.take().start
                a = self.expr()
                self.expect(":")
                b = self.expr()
                return Node("cond", [cond, a, b], start=start)
            return cond
        finally:
            self.depth -= 1

    _LEVELS = (("||",), ("&&",), ("==", "!=", "<", "<=", ">", ">=", "in"), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            t = self.toks[self.i]
            op = t.value if t.kind == "op" or (t.kind == "id" and t.value == "in") else None
            if op not in self._LEVELS[level]:
                return left
            self.i += 1
            right = self.binary(level + 1)
            left = Node("binary", [left, right], op, start=t.start)

    def unary(self) -> Node:
        t = self.toks[self.i]
        if t.kind == "op" and t.value in ("!", "-"):
            self.i += 1
            return Node("unary", [self.unary()], t.value, start=t.start)
        return self.member()

    def args(self, close: str) -> list[Node]:
        out: list[Node] = []
        if self.peek(close):
            self.take()
            return out
        while True:
            out.append(self.expr())
            if self.peek(","):
                self.take()
                if self.peek(close):
                    self.take()
                    return out
                continue
            self.expect(close)
            return out

    def member(self) -> Node:
        node = self.primary()
        while True:
            if self.peek("."):
                self.take()
                t = self.take()
                if t.kind != "id":
                    raise CelSyntaxError(f"expected a field name after '.' but found {self._desc(t)}", t.start)
                if self.peek("("):
                    self.take()
                    node = Node("method", [node] + self.args(")"), t.value, start=t.start)
                else:
                    node = Node("sel", [node], t.value, start=t.start)
            elif self.peek("["):
                start = self.take().start
                index = self.expr()
                self.expect("]")
                node = Node("index", [node, index], start=start)
            else:
                return node

    def primary(self) -> Node:
        t = self.take()
        if t.kind in ("str", "num"):
            return Node("lit", value=t.value, start=t.start)
        if t.kind == "id":
            if t.value in ("true", "false"):
                return Node("lit", value=t.value == "true", start=t.start)
            if t.value == "null":
                return Node("lit", value=None, start=t.start)
            if self.peek("("):
                self.take()
                args = self.args(")")
                if t.value == "has":
                    if len(args) != 1 or args[0].op != "sel":
                        raise CelSyntaxError("has() takes one field selection such as has(body.ref)", t.start)
                    return Node("has", args, start=t.start)
                return Node("call", args, t.value, start=t.start)
            return Node("id", value=t.value, start=t.start)
        if t.kind == "op" and t.value == "(":
            node = self.expr()
            self.expect(")")
            return node
        if t.kind == "op" and t.value == "[":
            return Node("list", self.args("]"), start=t.start)
        if t.kind == "op" and t.value == "{":
            entries: list[Node] = []
            while not self.peek("}"):
                entries.append(self.expr())
                self.expect(":")
                entries.append(self.expr())
                if not self.peek(","):
                    break
                self.take()
            self.expect("}")
            return Node("map", entries, start=t.start)
        raise CelSyntaxError(f"unexpected {self._desc(t)}", t.start)


def parse(text: str) -> Node:
    """The tree of a CEL expression; raises CelSyntaxError with the offset of the problem."""
    if not isinstance(text, str):
        raise CelSyntaxError("a CEL expression must be a string", 0)
    if not text.strip():
        raise CelSyntaxError("empty CEL expression", 0)
    return _Parser(text).parse()


# ----------------------------------------------------------------------------- values

class Headers:
    """Triggers' ``header`` variable: lookups by canonical name, ``match`` and ``canonical``."""

    def __init__(self, values: dict[str, str], complete: bool = False):
        self.values = {k.lower(): v for k, v in values.items()}
        self.complete = complete  # every header is known (absent ones are absent)

    def get(self, name: object):
        if not isinstance(name, str):
            raise CelError("header names are strings")
        if name.lower() in self.values:
            return self.values[name.lower()]
        return None if self.complete else UNKNOWN


def _tri_and(a, b):
    if a is False or b is False:
        return False
    if isinstance(a, CelError):
        raise a
    if isinstance(b, CelError):
        raise b
    if a is True and b is True:
        return True
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    raise CelError("&& needs booleans")


def _tri_or(a, b):
    if a is True or b is True:
        return True
    if isinstance(a, CelError):
        raise a
    if isinstance(b, CelError):
        raise b
    if a is False and b is False:
        return False
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    raise CelError("|| needs booleans")


def _catch(fn, node, env):
    try:
        return fn(node, env)
    except CelError as error:
        return error


def _known(*values) -> bool:
    return not any(v is UNKNOWN for v in values)


def _same_type(a, b) -> bool:
    num = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, num) and isinstance(b, num):
        return True
    return type(a) is type(b) or (isinstance(a, dict) and isinstance(b, dict))


def evaluate(node: Node, env: dict):
    """Value of a parsed expression: a Python value, UNKNOWN, or raises CelError."""
    op = node.op
    if op == "lit":
        return node.value
    if op == "id":
        if node.value in env:
            return env[node.value]
        raise CelError(f"undeclared reference to '{node.value}'")
    if op == "sel":
        return _select(evaluate(node.args[0], env), node.value)
    if op == "has":
        target = node.args[0]
        obj = evaluate(target.args[0], env)
        if obj is UNKNOWN:
            return UNKNOWN
        if isinstance(obj, dict):
            if target.value in obj:
                return True
            return UNKNOWN if isinstance(obj, OpenDict) else False
        raise CelError("has() needs a map")
    if op == "index":
        obj, key = evaluate(node.args[0], env), evaluate(node.args[1], env)
        if not _known(obj, key):
            return UNKNOWN
        if isinstance(obj, Headers):
            value = obj.get(key)
            return [value] if isinstance(value, str) else value if value is UNKNOWN else _raise("no such key")
        if isinstance(obj, list):
            if isinstance(key, bool) or not isinstance(key, int) or not -len(obj) <= key < len(obj) or key < 0:
                raise CelError("index out of range")
            return obj[key]
        return _select(obj, key)
    if op == "unary":
        value = evaluate(node.args[0], env)
        if value is UNKNOWN:
            return UNKNOWN
        if node.value == "!":
            if isinstance(value, bool):
                return not value
            raise CelError("! needs a boolean")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
        raise CelError("- needs a number")
    if op == "cond":
        cond = evaluate(node.args[0], env)
        if cond is UNKNOWN:
            a, b = _catch(evaluate, node.args[1], env), _catch(evaluate, node.args[2], env)
            return a if (not isinstance(a, CelError) and a == b and _known(a)) else UNKNOWN
        if not isinstance(cond, bool):
            raise CelError("?: needs a boolean condition")
        return evaluate(node.args[1] if cond else node.args[2], env)
    if op == "list":
        return [evaluate(a, env) for a in node.args]
    if op == "map":
        out = {}
        for k, v in zip(node.args[::2], node.args[1::2]):
            key = evaluate(k, env)
            if key is UNKNOWN:
                return UNKNOWN
            out[key] = evaluate(v, env)
        return out
    if op == "binary":
        return _binary(node, env)
    if op == "call":
        args = [evaluate(a, env) for a in node.args]
        if not _known(*args):
            return UNKNOWN
        if node.value == "size" and len(args) == 1:
            return _size(args[0])
        if node.value in ("string", "int", "double", "bool") and len(args) == 1:
            return _convert(node.value, args[0])
        return UNKNOWN  # a function of an extension library this evaluator does not model
    if op == "method":
        return _method(node, env)
    raise CelError(f"unsupported expression {op}")


def _raise(message: str):
    raise CelError(message)


class Obj(OpenDict):
    """A partly known object: keys in ``absent`` are known to be missing (selecting one is an
    error), other missing keys are UNKNOWN."""

    absent: frozenset = frozenset()


def obj(known: dict | None = None, absent: tuple = ()) -> Obj:
    out = Obj(known or {})
    out.absent = frozenset(absent)
    return out


def _select(obj, key):
    if obj is UNKNOWN:
        return UNKNOWN
    if isinstance(obj, Obj) and key in obj.absent and key not in obj:
        raise CelError(f"no such key: {key}")
    if isinstance(obj, Headers):
        return obj.get(key)
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        if isinstance(obj, OpenDict):
            return UNKNOWN
        raise CelError(f"no such key: {key}")
    raise CelError(f"cannot select field '{key}' of a {type(obj).__name__}")


def _size(value):
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise CelError("size() needs a string, list or map")


def _convert(kind: str, value):
    try:
        if kind == "string":
            return str(value).lower() if isinstance(value, bool) else str(value)
        if kind == "int":
            return int(value)
        if kind == "double":
            return float(value)
        if kind == "bool" and isinstance(value, str) and value in ("true", "false"):
            return value == "true"
    except (TypeError, ValueError):
        pass
    raise CelError(f"cannot convert to {kind}")


def _binary(node: Node, env: dict):
    op = node.value
    if op == "&&":
        return _tri_and(_catch(evaluate, node.args[0], env), _catch(evaluate, node.args[1], env))
    if op == "||":
        return _tri_or(_catch(evaluate, node.args[0], env), _catch(evaluate, node.args[1], env))
    a, b = evaluate(node.args[0], env), evaluate(node.args[1], env)
    if op == "in":
        if b is UNKNOWN:
            return UNKNOWN
        if isinstance(b, dict):
            return UNKNOWN if a is UNKNOWN else (True if a in b else UNKNOWN if isinstance(b, OpenDict) else False)
        if isinstance(b, list):
            if a is UNKNOWN:
                return UNKNOWN
            if any(x is not UNKNOWN and _same_type(a, x) and a == x for x in b):
                return True
            return UNKNOWN if any(x is UNKNOWN for x in b) else False
        raise CelError("'in' needs a list or map")
    if not _known(a, b):
        return UNKNOWN
    if op in ("==", "!="):
        if isinstance(a, list) and isinstance(b, list) and (UNKNOWN in [x for x in a + b if x is UNKNOWN]):
            return UNKNOWN
        if not _same_type(a, b) and a is not None and b is not None:
            raise CelError(f"no such overload: {type(a).__name__} {op} {type(b).__name__}")
        return (a == b) if op == "==" else (a != b)
    if op in ("<", "<=", ">", ">="):
        if not _same_type(a, b) or isinstance(a, (bool, dict, list)) or a is None:
            raise CelError(f"no such overload for {op}")
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if op == "+":
        if _same_type(a, b) and isinstance(a, (str, list, int, float)) and not isinstance(a, bool):
            return a + b
        raise CelError("no such overload for +")
    if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b)):
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise CelError("division by zero")
        if op == "/":
            return a // b if isinstance(a, int) and isinstance(b, int) else a / b
        return a % b
    raise CelError(f"no such overload for {op}")


def _method(node: Node, env: dict):
    name = node.value
    if name in ("all", "exists", "exists_one", "map", "filter"):
        return UNKNOWN  # macros over lists and maps: not modelled
    target = evaluate(node.args[0], env)
    args = [evaluate(a, env) for a in node.args[1:]]
    if isinstance(target, Headers):
        if name == "match" and len(args) == 2:
            if not _known(*args):
                return UNKNOWN
            value = target.get(args[0])
            return UNKNOWN if value is UNKNOWN else value == args[1]
        if name == "canonical" and len(args) == 1:
            if not _known(*args):
                return UNKNOWN
            value = target.get(args[0])
            return value if value is not None else _raise(f"no header {args[0]}")
        raise CelError(f"header has no method {name}")
    if not _known(target, *args):
        return UNKNOWN
    if name == "size" and not args:
        return _size(target)
    if isinstance(target, str):
        if name in ("startsWith", "endsWith", "contains", "matches") and len(args) == 1 and isinstance(args[0], str):
            if name == "startsWith":
                return target.startswith(args[0])
            if name == "endsWith":
                return target.endswith(args[0])
            if name == "contains":
                return args[0] in target
            try:
                return re.search(args[0], target) is not None
            except re.error:
                raise CelError(f"invalid regular expression {args[0]!r}") from None
        if name == "split" and args and isinstance(args[0], str) and args[0]:
            if len(args) == 2 and isinstance(args[1], int):
                return target.split(args[0], args[1] - 1) if args[1] > 0 else ([] if args[1] == 0 else
                                                                               target.split(args[0]))
            return target.split(args[0])
        if name == "lowerAscii" and not args:
            return target.lower()
        if name == "upperAscii" and not args:
            return target.upper()
        if name == "truncate" and len(args) == 1 and isinstance(args[0], int):
            return target[:args[0]]
        if name == "trim" and not args:
            return target.strip()
        if name == "replace" and len(args) == 2 and all(isinstance(a, str) for a in args):
            return target.replace(args[0], args[1])
    return UNKNOWN if name in ("compareSecret", "parseJSON", "parseYAML", "parseURL", "marshalJSON",
                               "decodeb64", "extensions") else _raise(f"no such method {name}")


def filter_passes(text: str, env: dict):
    """True / False / UNKNOWN for a Triggers CEL filter; a runtime error means the event is dropped
    (False). Raises CelSyntaxError when the filter does not parse."""
    tree = parse(text)
    try:
        value = evaluate(tree, env)
    except CelError:
        return False
    except RecursionError:
        return UNKNOWN
    if value is UNKNOWN or isinstance(value, bool):
        return value
    return False  # a non-boolean filter result is an error in Triggers
