"""The values a notebook's code cells give to variables, read with ``ast`` and never executed.

Cells are read in order, as "Run All" runs them, statement by statement at the top level. A value
is known when it is built from literals: strings, numbers, lists, tuples and dicts, ``+`` of
strings or lists, ``%`` formatting and f-strings of known values, and a few pure string functions
gpulint computes itself (``textwrap.dedent``, ``str.strip``/``lstrip``/``rstrip``, ``str.join``,
``str.format``, ``str.replace``). ``x += ...``, ``x.append(...)``, ``x.extend(...)``,
``x.insert(...)`` and ``x[key] = ...`` update a known value; the last value wins. Anything else
that gives a variable a value (a call of another function, a loop, a comprehension, an import)
makes it unknown, with the reason and the cell, so the reader can say it "cannot tell".

Every known string remembers, line by line, where its text was written (cell, line, column), so
a finding about the Dockerfile in ``dockerfile = '''...'''`` points into the cell.
"""

from __future__ import annotations

import ast
import textwrap
from typing import Any

from gpulint.core.records import Record, field
from gpulint.syntax.python import walk


class At(Record, frozen=True):
    cell: int  # 1-based notebook cell
    line: int  # 1-based line inside the cell
    column: int = 0  # 0-based column in the cell where this line of the value starts


class Known(Record):
    """A value built from literals, with where each part was written."""

    value: Any  # str, int, float, bool, None, list/tuple of Known, dict of key -> Known
    at: At  # where the expression that made it starts
    lines: list[At] | None = None  # for a string: where each of its lines was written

    def plain(self) -> Any:
        """The Python value (lists and dicts of plain values)."""
        if isinstance(self.value, (list, tuple)):
            return [item.plain() for item in self.value]
        if isinstance(self.value, dict):
            return {key: item.plain() for key, item in self.value.items()}
        return self.value

    def line_origins(self) -> list[At]:
        text = self.value if isinstance(self.value, str) else ""
        count = text.count("\n") + 1
        if self.lines is not None and len(self.lines) == count:
            return self.lines
        return [self.at] * count


class Unknown(Record):
    """A value gpulint cannot compute without running the notebook."""

    reason: str
    at: At


class _CannotTell(Exception):
    def __init__(self, reason: str, node: ast.AST):
        super().__init__(reason)
        self.reason = reason
        self.node = node


_STRING_METHODS = {"strip", "lstrip", "rstrip", "join", "format", "replace"}
_LIST_METHODS = {"append", "extend", "insert"}


class Namespace(Record):
    """Module-level names and their last values, cell after cell."""

    values: dict[str, Known | Unknown] = field(default_factory=dict)
    dedent_names: set[str] = field(default_factory=set)  # names bound to textwrap.dedent
    textwrap_names: set[str] = field(default_factory=set)  # names bound to the textwrap module

    # -------------------------------------------------------------- statements
    def run_cell(self, tree: ast.Module, cell: int, source: str, line_offset: int = 0) -> None:
        reader = _Reader(self, cell, source, line_offset)
        for statement in tree.body:
            reader.statement(statement)


class _Reader:
    def __init__(self, space: Namespace, cell: int, source: str, line_offset: int):
        self.space = space
        self.cell = cell
        self.source = source
        self.lines = source.split("\n")
        self.offset = line_offset  # lines IPython dropped before the code (leading blank lines)

    def at(self, node: ast.AST, column: int | None = None) -> At:
        return At(self.cell, getattr(node, "lineno", 1) + self.offset,
                  getattr(node, "col_offset", 0) if column is None else column)

    def forget(self, name: str, reason: str, node: ast.AST) -> None:
        self.space.values[name] = Unknown(reason, self.at(node))

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            self._assign(node.targets, node.value, node)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._assign([node.target], node.value, node)
        elif isinstance(node, ast.AugAssign):
            self._augmented(node)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self._call_statement(node.value)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if alias.name == "textwrap":
                    self.space.textwrap_names.add(bound)
                self.space.values.pop(bound, None)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name
                if node.module == "textwrap" and alias.name == "dedent":
                    self.space.dedent_names.add(bound)
                else:
                    self.forget(bound, f"imported from {node.module or 'a module'}", node)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.forget(target.id, "deleted with `del`", node)
        else:
            self._bound_inside(node)

    def _bound_inside(self, node: ast.stmt) -> None:
        """A compound statement (loop, if, with, def...): what it binds or changes is unknown."""
        kind = {ast.For: "a `for` loop", ast.While: "a `while` loop", ast.If: "an `if`", ast.With: "a `with` block",
                ast.Try: "a `try`", ast.FunctionDef: "a function definition", ast.ClassDef: "a class definition",
                ast.AsyncFunctionDef: "a function definition"}.get(type(node), "a statement gpulint does not follow")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.forget(node.name, f"defined by {kind}", node)
            return  # the body runs only when called, and then only on its own names (or a `global`)
        for sub in walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                self.forget(sub.id, f"given its value inside {kind}", sub)
            elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                    and isinstance(sub.func.value, ast.Name) and sub.func.value.id in self.space.values:
                self.forget(sub.func.value.id, f"changed by `.{sub.func.attr}(...)` inside {kind}", sub)

    def _assign(self, targets: list[ast.expr], value: ast.expr, node: ast.stmt) -> None:
        try:
            known: Known | Unknown = self.evaluate(value)
        except _CannotTell as why:
            known = Unknown(f"built from {why.reason}", self.at(why.node))
        for target in targets:
            self._bind(target, known, value, node)

    def _bind(self, target: ast.expr, known: Known | Unknown, value: ast.expr, node: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self.space.values[target.id] = known
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = known.value if isinstance(known, Known) and isinstance(known.value, (list, tuple)) else None
            for index, element in enumerate(target.elts):
                if items is not None and len(items) == len(target.elts) and not isinstance(element, ast.Starred):
                    self._bind(element, items[index], value, node)
                else:
                    for name in (n for n in walk(element) if isinstance(n, ast.Name)):
                        self.forget(name.id, "unpacked from a value gpulint cannot split", node)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self._set_item(target, known, node)
        else:
            for name in (n for n in walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)):
                self.forget(name.id, "assigned through an attribute or a slice", node)

    def _set_item(self, target: ast.Subscript, known: Known | Unknown, node: ast.stmt) -> None:
        name = target.value.id  # type: ignore[attr-defined]
        current = self.space.values.get(name)
        try:
            key = self.evaluate(target.slice).plain()
        except _CannotTell:
            key = None
        if isinstance(current, Known) and isinstance(known, Known) and isinstance(current.value, dict) \
                and isinstance(key, (str, int, float, bool)):
            current.value[key] = known
        elif isinstance(current, Known) and isinstance(known, Known) and isinstance(current.value, list) \
                and isinstance(key, int) and -len(current.value) <= key < len(current.value):
            current.value[key] = known
        else:
            self.forget(name, "changed through `[...] =` with a value gpulint cannot compute", node)

    def _augmented(self, node: ast.AugAssign) -> None:
        if not isinstance(node.target, ast.Name):
            return
        name = node.target.id
        current = self.space.values.get(name)
        if not isinstance(current, Known):
            if current is not None:
                return  # already unknown
            self.forget(name, "extended with `+=` before it has a value", node)
            return
        try:
            self.space.values[name] = self._binary(ast.BinOp(left=node.target, op=node.op, right=node.value,
                                                             lineno=node.lineno, col_offset=node.col_offset),
                                                   current, self.evaluate(node.value))
        except _CannotTell as why:
            self.forget(name, why.reason, why.node)

    def _call_statement(self, call: ast.Call) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return  # print(...), display(...): nothing is bound
        name = func.value.id
        current = self.space.values.get(name)
        if not isinstance(current, Known):
            return
        if isinstance(current.value, list) and func.attr in _LIST_METHODS and not call.keywords:
            try:
                args = [self.evaluate(a) for a in call.args]
            except _CannotTell as why:
                self.forget(name, f"changed by `.{func.attr}(...)` with {why.reason}", why.node)
                return
            if func.attr == "append" and len(args) == 1:
                current.value.append(args[0])
                return
            if func.attr == "extend" and len(args) == 1 and isinstance(args[0].value, (list, tuple)):
                current.value.extend(args[0].value)
                return
            if func.attr == "insert" and len(args) == 2 and isinstance(args[0].value, int):
                current.value.insert(args[0].value, args[1])
                return
        if isinstance(current.value, (list, dict)):
            self.forget(name, f"changed by `.{func.attr}(...)`, which gpulint does not follow", call)

    # -------------------------------------------------------------- expressions
    def evaluate(self, node: ast.AST) -> Known:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, int, float, bool)) or node.value is None:
                return Known(node.value, self.at(node), self._string_lines(node) if isinstance(node.value, str) else None)
            raise _CannotTell(f"a {type(node.value).__name__} literal", node)
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise _CannotTell("a `*` unpacking", node)
            return Known([self.evaluate(e) for e in node.elts], self.at(node))
        if isinstance(node, ast.Dict):
            out: dict[Any, Known] = {}
            for key, value in zip(node.keys, node.values):
                if key is None:
                    raise _CannotTell("a `**` unpacking", node)
                plain = self.evaluate(key).plain()
                if not isinstance(plain, (str, int, float, bool)) and plain is not None:
                    raise _CannotTell("a dict key that is not a plain value", key)
                out[plain] = self.evaluate(value)
            return Known(out, self.at(node))
        if isinstance(node, ast.Name):
            found = self.space.values.get(node.id)
            if isinstance(found, Known):
                return found
            if isinstance(found, Unknown):
                raise _CannotTell(f"`{node.id}`, which is {found.reason} (cell {found.at.cell})", node)
            raise _CannotTell(f"`{node.id}`, which no earlier cell gives a literal value", node)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node, self.evaluate(node.left), self.evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = self.evaluate(node.operand)
            if isinstance(operand.value, (int, float)) and not isinstance(operand.value, bool):
                return Known(-operand.value, self.at(node))
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _CannotTell(f"{_describe(node)}, which gpulint does not evaluate (it never runs the notebook)", node)

    def _string_lines(self, node: ast.Constant) -> list[At] | None:
        """Where each line of a string literal was written, when its source text is the value itself
        (no escapes): a triple-quoted block pasted into the cell."""
        segment = ast.get_source_segment(self.source, node)
        if segment is None:
            return None
        prefix_length = len(segment) - len(segment.lstrip("rRbBuUfF"))
        body = segment[prefix_length:]
        quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
        inner = body[len(quote):len(body) - len(quote)]
        if inner != node.value:
            return None
        first = At(self.cell, node.lineno + self.offset, node.col_offset + prefix_length + len(quote))
        return [first] + [At(self.cell, node.lineno + self.offset + k, 0) for k in range(1, inner.count("\n") + 1)]

    def _fstring(self, node: ast.JoinedStr) -> Known:
        text, origins = "", [self.at(node)]
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                piece = Known(part.value, self.at(node))
            elif isinstance(part, ast.FormattedValue):
                value = self.evaluate(part.value).plain()
                if part.conversion == ord("r"):
                    value = repr(value)
                elif part.conversion == ord("a"):
                    value = ascii(value)
                spec = self._fstring(part.format_spec).value if part.format_spec is not None else ""
                try:
                    piece = Known(format(value, spec), self.at(part))
                except (TypeError, ValueError) as error:
                    raise _CannotTell(f"a format spec that fails ({error})", part) from None
            else:
                raise _CannotTell("an f-string part gpulint does not evaluate", part)
            text, origins = _concat(text, origins, piece)
        return Known(text, self.at(node), origins)

    def _binary(self, node: ast.BinOp, left: Known, right: Known) -> Known:
        a, b = left.value, right.value
        if isinstance(node.op, ast.Add):
            if isinstance(a, str) and isinstance(b, str):
                text, origins = _concat(a, left.line_origins(), right)
                return Known(text, left.at, origins)
            if isinstance(a, list) and isinstance(b, list) or isinstance(a, tuple) and isinstance(b, tuple):
                return Known(list(a) + list(b), left.at)
            if _number(a) and _number(b):
                return Known(a + b, left.at)
        if isinstance(node.op, ast.Mod) and isinstance(a, str):
            args = right.plain()
            try:
                return Known(a % (tuple(args) if isinstance(right.value, (list, tuple)) else args), left.at)
            except (TypeError, ValueError, KeyError) as error:
                raise _CannotTell(f"a `%` format that fails ({error})", node) from None
        if isinstance(node.op, ast.Mult) and isinstance(a, (str, list)) and isinstance(b, int) and 0 <= b <= 64:
            return Known(a * b, left.at)
        raise _CannotTell(f"`{type(node.op).__name__}` of {type(a).__name__} and {type(b).__name__}", node)

    def _call(self, node: ast.Call) -> Known:
        func = node.func
        dedent = isinstance(func, ast.Name) and func.id in self.space.dedent_names or \
            isinstance(func, ast.Attribute) and func.attr == "dedent" and isinstance(func.value, ast.Name) \
            and func.value.id in self.space.textwrap_names
        if dedent and len(node.args) == 1 and not node.keywords:
            inner = self.evaluate(node.args[0])
            if isinstance(inner.value, str):
                return Known(textwrap.dedent(inner.value), inner.at,
                             [At(o.cell, o.line, 0) for o in inner.line_origins()])
        if isinstance(func, ast.Attribute) and func.attr in _STRING_METHODS:
            target = self.evaluate(func.value)
            if isinstance(target.value, str):
                return self._string_method(node, func.attr, target)
        raise _CannotTell(f"a call of `{_describe(func)}(...)`, which gpulint does not run", node)

    def _string_method(self, node: ast.Call, method: str, target: Known) -> Known:
        args = [self.evaluate(a).plain() for a in node.args]
        kwargs = {k.arg: self.evaluate(k.value).plain() for k in node.keywords if k.arg}
        if len(kwargs) != len(node.keywords):
            raise _CannotTell("a `**` argument", node)
        text = target.value
        try:
            if method in ("strip", "lstrip", "rstrip"):
                result = getattr(text, method)(*args)
                dropped = text[: len(text) - len(text.lstrip(*args))].count("\n") if method != "rstrip" else 0
                origins = target.line_origins()[dropped: dropped + result.count("\n") + 1]
                return Known(result, target.at, origins)
            if method == "join":
                if len(args) != 1 or not isinstance(args[0], (list, tuple)) or not all(isinstance(a, str) for a in args[0]):
                    raise _CannotTell("`str.join` of something other than a list of strings", node)
                return Known(text.join(args[0]), target.at)
            if method == "format":
                return Known(text.format(*args, **kwargs), target.at)
            return Known(text.replace(*args), target.at)  # replace
        except (TypeError, ValueError, KeyError, IndexError) as error:
            raise _CannotTell(f"`str.{method}` that fails ({error})", node) from None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _concat(text: str, origins: list[At], piece: Known) -> tuple[str, list[At]]:
    """``text + piece`` (both strings), with the origins of the joined lines: the line where they
    meet keeps the left one's, unless the left is empty."""
    more = piece.line_origins()
    if not text:
        return piece.value, list(more)
    return text + piece.value, origins + more[1:]


def _describe(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 60 else text[:57] + "..."
