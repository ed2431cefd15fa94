"""YAML/JSON text edits and edits of artifacts embedded in answers files: the result parses to the
intended data, and the text outside the edit is the author's, byte for byte."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpulint.core.fix import FileEdit
from gpulint.core.limits import Limits
from gpulint.core.source import Source
from gpulint.engine.fixing import apply_edits
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.embedded import embed
from gpulint.syntax.yamledit import Layout, append_items, insert_pair, set_value
from gpulint.syntax.yamlfile import load_yaml


def _doc(text: str) -> tuple[Source, Y.Node]:
    source = Source(text, "x.yaml")
    loaded = load_yaml(source, Limits())
    assert not loaded.problems, loaded.problems
    return source, loaded.documents[0]


def _apply(source: Source, edit) -> str:
    assert edit is not None
    edit = edit[0] if isinstance(edit, list) else edit
    return source.text[:edit.start] + edit.content + source.text[edit.end:]


def _only_inserts(before: str, edit) -> None:
    """The edit removes nothing of the author's text: every byte outside the insertion is kept."""
    assert edit.start == edit.end, f"the edit replaces {before[edit.start:edit.end]!r}"


# ----------------------------------------------------------------------------- mappings

def test_insert_into_a_block_mapping_keeps_comments_and_order():
    text = "spec:  # the spec\n  replicas: 2   # two\n  # selector next\n  selector: {app: x}\nkind: D\n"
    source, root = _doc(text)
    spec = Y.get(root, "spec")
    edit = insert_pair(source, spec, "strategy", {"type": "RollingUpdate"}, Layout(source, root), before=("selector",))
    after = _apply(source, edit)
    assert after == ("spec:  # the spec\n  replicas: 2   # two\n  strategy:\n    type: RollingUpdate\n"
                     "  # selector next\n  selector: {app: x}\nkind: D\n")
    _only_inserts(text, edit[0] if isinstance(edit, list) else edit)


def test_insert_after_a_literal_block_and_at_the_end_of_a_file_without_newline():
    text = "job:\n  run: |\n    echo a\n    echo b\n\n  name: x"
    source, root = _doc(text)
    job = Y.get(root, "job")
    after = _apply(source, insert_pair(source, job, "if", "github.ref == 'refs/heads/main'", Layout(source, root)))
    assert yaml.safe_load(after) == {"job": {"run": "echo a\necho b\n", "name": "x",
                                             "if": "github.ref == 'refs/heads/main'"}}
    assert after.startswith(text)  # appended after the last entry: nothing before it moved
    assert not after.endswith("\n")  # the file still has no final line break


def test_flow_and_json_mappings():
    source, root = _doc("a: {b: 1, c: [x, y]}  # keep\n")
    after = _apply(source, insert_pair(source, Y.get(root, "a"), "d", {"e": "f g"}, Layout(source, root)))
    assert after == "a: {b: 1, c: [x, y], d: {e: f g}}  # keep\n"
    text = '{\n  "spec": {\n    "replicas": 1\n  }\n}\n'
    source, root = _doc(text)
    layout = Layout(source, root)
    assert layout.json
    after = _apply(source, insert_pair(source, Y.get(root, "spec"), "strategy", {"type": "RollingUpdate"}, layout))
    assert json.loads(after) == {"spec": {"replicas": 1, "strategy": {"type": "RollingUpdate"}}}
    assert after == ('{\n  "spec": {\n    "replicas": 1,\n    "strategy": {\n      "type": "RollingUpdate"\n'
                     '    }\n  }\n}\n')


def test_a_null_value_is_filled_below_its_key_and_its_comment_stays():
    text = "c:\n  readinessProbe:  # TODO\n  name: x\n"
    source, root = _doc(text)
    c = Y.get(root, "c")
    after = _apply(source, set_value(source, c, "readinessProbe", {"exec": {"command": ["a"]}}, Layout(source, root)))
    assert after == "c:\n  readinessProbe:  # TODO\n    exec:\n      command:\n        - a\n  name: x\n"
    source, root = _doc("c:\n  p: null  # none\n")
    after = _apply(source, set_value(source, Y.get(root, "c"), "p", {"k": 1}, Layout(source, root)))
    assert after == "c:\n  p:  # none\n    k: 1\n"


def test_sequences_block_indentless_and_flow():
    for text, want in [("l:\n  - a\n  - b\n", "l:\n  - a\n  - b\n  - c d\n  - e\n"),
                       ("l:\n- a\n- b\nz: 1\n", "l:\n- a\n- b\n- c d\n- e\nz: 1\n"),
                       ("l: [a, \"b\"]\n", 'l: [a, "b", "c d", "e"]\n'),
                       ("l: []\n", "l: [c d, e]\n")]:
        source, root = _doc(text)
        after = _apply(source, append_items(source, Y.get(root, "l"), ["c d", "e"], Layout(source, root)))
        assert after == want, text


def test_the_layout_follows_the_file():
    source, root = _doc("a:\n    b:\n        c: 1\n    l:\n    - x\n")
    layout = Layout(source, root)
    assert (layout.step, layout.seq_indent) == (4, 0)
    after = _apply(source, insert_pair(source, Y.get(root, "a"), "n", {"m": [1, 2], "o": {"p": 1}}, layout))
    assert after.endswith("    n:\n        m:\n        - 1\n        - 2\n        o:\n            p: 1\n")


# ----------------------------------------------------------------------------- property

_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=6)
_SCALARS = st.one_of(st.integers(-5, 500), st.booleans(), st.none(),
                     st.text(alphabet="ab c:#'\"-/%", max_size=8))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=3),
                                                          st.dictionaries(_KEYS, inner, min_size=1, max_size=3)),
                       max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=4), style=st.sampled_from(["block", "flow", "json"]),
       indent=st.sampled_from([2, 4]), new=_VALUES, pick=st.integers(0, 50))
def test_inserting_a_key_anywhere_gives_the_data_plus_that_key(data, style, indent, new, pick):
    if style == "json":
        text = json.dumps(data, indent=indent)
    else:
        text = yaml.safe_dump(data, default_flow_style=style == "flow", indent=indent, sort_keys=False, width=60)
    source, root = _doc(text)
    maps = [(path, node) for path, node in Y.walk(root) if Y.is_map(node) and node.value]
    path, mapping = maps[pick % len(maps)]
    key = "zz-new"
    target = data
    for step in path:
        target = target[step]
    if key in target:
        return
    edit = insert_pair(source, mapping, key, new, Layout(source, root))
    after = _apply(source, edit)  # (asserts there is an edit)
    target[key] = new
    assert yaml.safe_load(after) == data
    if style == "json":
        assert json.loads(after) == data
    _only_inserts(text, edit[0] if isinstance(edit, list) else edit)


# ----------------------------------------------------------------------------- encodings

def _file_edit(text: str, start: int, end: int, content: str) -> FileEdit:
    return FileEdit(Source(text, "f"), "f", start, end, content)


def test_line_endings_and_encodings_are_kept():
    crlf = "a: 1\r\nb: 2\r\n"
    out = apply_edits(crlf.encode(), [_file_edit(crlf, 6, 6, "n: 3\nm: 4\n")])
    assert out == b"a: 1\r\nn: 3\r\nm: 4\r\nb: 2\r\n"
    bom = b"\xef\xbb\xbf" + b"a: 1\n"
    assert apply_edits(bom, [_file_edit("a: 1\n", 5, 5, "b: 2\n")]) == b"\xef\xbb\xbfa: 1\nb: 2\n"
    utf16 = "\ufeffa: 1\n".encode("utf-16-be")
    out = apply_edits(utf16, [_file_edit("a: 1\n", 5, 5, "b: 2\n")])
    assert out == "\ufeffa: 1\nb: 2\n".encode("utf-16-be")


# ----------------------------------------------------------------------------- embedded artifacts

def _embedded(text: str, key: str = "dockerfile"):
    source, root = _doc(text)
    return source, embed(source, Y.get(root, key), key)


@pytest.mark.parametrize("indicator", ["|", "|-", "|+", "|2"])
def test_edits_of_a_literal_block_keep_its_indentation(indicator):
    text = f"dockerfile: {indicator}\n  FROM a\n\n  RUN b\nother: 1\n"
    parent, inner = _embedded(text)
    value = inner.text
    at = value.index("RUN")
    mapped = inner.map_edit(at, at, "USER 1\n")
    assert mapped is not None
    _, start, end, content = mapped
    after = parent.text[:start] + content + parent.text[end:]
    assert yaml.safe_load(after) == {"dockerfile": value[:at] + "USER 1\n" + value[at:], "other": 1}
    at = value.index("\n\n") + 1  # the blank line between the two instructions
    _, start, end, content = inner.map_edit(at, at, "USER 2\n")
    assert yaml.safe_load(parent.text[:start] + content + parent.text[end:])["dockerfile"] == \
        value[:at] + "USER 2\n" + value[at:]


def test_edits_of_a_json_string_are_escaped():
    text = json.dumps({"dockerfile": "FROM a\nRUN \"b\"\n", "x": 1}, indent=2)
    parent, inner = _embedded(text)
    at = inner.text.index("RUN")
    _, start, end, content = inner.map_edit(at, at, 'USER "1"\n')
    assert "\n" not in content
    assert json.loads(parent.text[:start] + content + parent.text[end:])["dockerfile"] == 'FROM a\nUSER "1"\nRUN "b"\n'


@pytest.mark.parametrize("text", ["dockerfile: >\n  FROM a\n  RUN b\n", "dockerfile: 'FROM a\n\n  RUN b'\n",
                                  "dockerfile: FROM a\n"])
def test_other_string_styles_are_not_fixed(text):
    _, inner = _embedded(text)
    assert inner.map_edit(0, 0, "USER 1\n") is None
