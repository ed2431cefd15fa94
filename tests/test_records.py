"""Records keep the semantics of the dataclasses they replaced."""

from __future__ import annotations

import pickle
import weakref
from functools import cached_property

import pytest

from gpulint.core.records import Record, compared_without, field, replace
from gpulint.core.source import Source, Span
from gpulint.syntax.github_expressions import parse


class Point(Record, frozen=True):
    x: int
    y: int = 0


class Bag(Record):
    name: str
    items: list[str] = field(default_factory=list)

    @cached_property
    def shout(self) -> str:
        return self.name.upper()


@compared_without("where")
class Mark(Record, frozen=True):
    label: str
    where: object = None


class SubMark(Mark, frozen=True):
    extra: int = 0


def test_fields_defaults_equality_and_hash():
    assert Point(1) == Point(1, 0) == Point(x=1)
    assert Point(1) != Point(2) and hash(Point(1, 2)) == hash(Point(1, 2))
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"
    with pytest.raises(AttributeError):
        Point(1).x = 3  # frozen
    a, b = Bag("a"), Bag("a")
    a.items.append("x")
    assert b.items == [] and a != b  # each gets its own list
    with pytest.raises(TypeError):
        hash(a)  # mutable records are unhashable, as dataclasses with eq are


def test_replace_pickle_weakref_and_cached_property():
    assert replace(Point(1, 2), y=5) == Point(1, 5)
    bag = Bag("a", ["x"])
    assert bag.shout == "A" and bag.__dict__["shout"] == "A"
    assert pickle.loads(pickle.dumps(bag)) == bag
    ref = weakref.ref(bag)
    del bag
    assert ref() is None


def test_compared_without_leaves_fields_out_of_equality_and_hash():
    assert Mark("a", where=1) == Mark("a", where=2) and hash(Mark("a", 1)) == hash(Mark("a", 2))
    assert Mark("a") != Mark("b")
    assert SubMark("a", where=1, extra=1) == SubMark("a", where=2, extra=1)  # inherited
    assert SubMark("a", extra=1) != SubMark("a", extra=2)  # the subclass's own fields count
    assert Mark("a") != SubMark("a")  # records of different classes are never equal
    with pytest.raises(TypeError):
        compared_without("nowhere")(Point)


def test_spans_compare_by_offsets_not_by_source():
    one, two = Source("abc\n", "x.yml"), Source("abc\n", "y.yml")
    assert Span(one, 0, 3) == Span(two, 0, 3) and Span(one, 0, 3) != Span(one, 0, 2)


def test_expression_trees_compare_structurally_and_know_their_depth():
    left, right = parse("a.b == 'x'"), parse("   a.b   ==   'x'")
    assert left == right and hash(left) == hash(right)
    assert left.start != right.start
    assert left.depth == 2 and parse("!(!(a))").depth == 3
    assert replace(left, start=7).depth == 2
