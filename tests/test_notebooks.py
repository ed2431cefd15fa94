"""Notebooks read as Jupyter runs them, without running them: answer variables through `ast`,
`%%writefile` as IPython parses cell magics, markdown and raw cells never run; `check` reads a
notebook as `grade` does."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from conftest import REPO
from gpulint.artifacts.notebook.values import Known, Namespace, Unknown

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("IPython")

from gpulint.engine.notebook import lint_notebook  # noqa: E402
from gpulint.artifacts.notebook.cells import answers_of  # noqa: E402

REF = REPO / "reference"
DOCKERFILE = (REF / "Dockerfile").read_text()


def values(*cells: str) -> dict:
    space = Namespace()
    for number, text in enumerate(cells, 1):
        space.run_cell(ast.parse(text), number, text)
    return space.values


def plain(found) -> object:
    assert isinstance(found, Known), found
    return found.plain()


# ------------------------------------------------------------------ values

def test_literals_concatenation_and_fstrings():
    found = values("BASE = 'nvidia/cuda'\nTAG = '12.4.1'", "x = f'FROM {BASE}:{TAG!s}-runtime' + '\\nUSER 1\\n'",
                   "n = 3\ny = 'a' * 2 + '%s-%d' % ('b', n)", "z = ['a'] + ['b']")
    assert plain(found["x"]) == "FROM nvidia/cuda:12.4.1-runtime\nUSER 1\n"
    assert plain(found["y"]) == "aab-3"
    assert plain(found["z"]) == ["a", "b"]


def test_last_value_wins_and_updates_are_followed():
    found = values("cmds = []", "cmds.append('one')\ncmds += ['two']\ncmds.insert(0, 'zero')",
                   "d = {'a': 1}\nd['b'] = 2", "x = 'draft'", "x = 'final'")
    assert plain(found["cmds"]) == ["zero", "one", "two"]
    assert plain(found["d"]) == {"a": 1, "b": 2}
    assert plain(found["x"]) == "final"


def test_pure_string_functions_are_computed():
    found = values("import textwrap\nfrom textwrap import dedent as dd",
                   "a = textwrap.dedent('''\n    FROM x\n    USER 1\n''').strip()",
                   "b = dd('  y\\n  z\\n')", "c = ', '.join(['p', 'q']).replace('p', 'r')", "d = '{}-{x}'.format(1, x=2)")
    assert plain(found["a"]) == "FROM x\nUSER 1"
    assert plain(found["b"]) == "y\nz\n"
    assert plain(found["c"]) == "r, q"
    assert plain(found["d"]) == "1-2"


@pytest.mark.parametrize("code, reason", [
    ("x = make()", "call of `make(...)`"),
    ("x = open('Dockerfile').read()", "call of `open('Dockerfile').read(...)`"),
    ("x = []\nfor s in 'ab':\n    x.append(s)", "inside a `for` loop"),
    ("if True:\n    x = 'a'", "inside an `if`"),
    ("x = [s for s in 'ab']", "does not evaluate"),
    ("from answers import x", "imported from answers"),
    ("x = y", "`y`, which no earlier cell"),
    ("x = 'a'\ndel x", "deleted"),
    ("x = 'a'\nx = x.upper()", "call of `x.upper(...)`"),
])
def test_anything_else_cannot_be_told(code, reason):
    found = values(code)["x"]
    assert isinstance(found, Unknown) and reason in found.reason, found


def test_unknown_points_at_its_cell_and_line():
    found = values("x = 'ok'", "# comment\nx = build('a')")["x"]
    assert isinstance(found, Unknown) and (found.at.cell, found.at.line) == (2, 2)


def test_string_lines_remember_where_they_were_written():
    text = "pad = 1\ndockerfile = r'''FROM a\nUSER 1\n'''"
    found = values(text)["dockerfile"]
    origins = found.line_origins()
    assert [(o.line, o.column) for o in origins] == [(2, 17), (3, 0), (4, 0)]


# ------------------------------------------------------------------ notebooks

def write(path: Path, cells: list) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


code, md, raw = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell, nbformat.v4.new_raw_cell


@pytest.mark.parametrize("text, written", [
    ("%%writefile Dockerfile\nFROM a\n", {"Dockerfile": "FROM a\n"}),
    ("\n\n%%writefile Dockerfile\nFROM a\n", {"Dockerfile": "FROM a\n"}),  # IPython drops leading blank lines
    ('%%writefile "k8s/my app.yaml"\nkind: x\n', {"k8s/my app.yaml": "kind: x\n"}),
    ("%%file Dockerfile\nFROM a\n", {"Dockerfile": "FROM a\n"}),  # IPython's alias
    ("print(1)\n%%writefile Dockerfile\nFROM a\n", {}),  # not the first line: not a cell magic
    ("%%writefilex Dockerfile\nFROM a\n", {}),  # another magic
    ("%%writefile\nFROM a\n", {}),  # IPython refuses it: no file name
    ("%%writefile a b\nFROM a\n", {}),  # ...or two
])
def test_writefile_as_ipython_parses_it(tmp_path, text, written):
    answers = answers_of(write(tmp_path / "n.ipynb", [code(text)]))
    assert {rel: w.text() for rel, w in answers.files.items()} == written


def test_writefile_append_and_line_origins(tmp_path):
    answers = answers_of(write(tmp_path / "n.ipynb", [code("%%writefile Dockerfile\nFROM a\n"),
                                                      code("\n%%writefile -a Dockerfile\nUSER 1\n")]))
    written = answers.files["Dockerfile"]
    assert written.text() == "FROM a\nUSER 1\n"
    assert [(o.cell, o.line) for o in written.origins] == [(1, 2), (2, 3)]


def test_markdown_and_raw_cells_never_run(tmp_path):
    answers = answers_of(write(tmp_path / "n.ipynb", [
        md("```python\ndockerfile = 'FROM a'\n```"), raw("%%writefile Dockerfile\nFROM a\n"),
        raw("rollback_commands = ['kubectl rollout undo deployment/x']")]))
    assert answers.empty


def test_time_magic_runs_its_body_as_python(tmp_path):
    answers = answers_of(write(tmp_path / "n.ipynb", [code("%%time\ndockerfile = 'FROM a\\nUSER 1\\n'")]))
    assert answers.files["Dockerfile"].text() == "FROM a\nUSER 1\n"
    assert [(o.cell, o.line) for o in answers.files["Dockerfile"].origins] == [(1, 2), (1, 2)]


def test_shell_escapes_do_not_stop_the_cell(tmp_path):
    answers = answers_of(write(tmp_path / "n.ipynb", [
        code("!pip install torch\n%env A=1\nout = !ls\ndockerfile = '''FROM a\n!not a shell line\n'''")]))
    assert answers.files["Dockerfile"].text() == "FROM a\n!not a shell line\n"


def test_syntax_error_cell_is_reported(tmp_path):
    path = write(tmp_path / "n.ipynb", [code("kubectl rollout undo deployment/x"),
                                        code("dockerfile = 'FROM a\\n'")])
    linted = lint_notebook(path)
    (problem,) = [f for f in linted.findings if f.rule == "GL001"]
    assert problem.cell == 1 and "not Python" in problem.message


def test_plan_variables_become_a_rollout_plan(tmp_path):
    path = write(tmp_path / "n.ipynb", [code("rollback_commands = [\n  'kubectl rollout history deployment/x',\n"
                                             "  'echo kubectl rollout undo deployment/x',\n]"),
                                        code("image_promotion_flow = [{'stage': 'dev'}]")])
    linted = lint_notebook(path, overrides={"select": ("GL401",)})
    (finding,) = linted.findings
    assert (finding.rule, finding.cell, finding.line) == ("GL401", 1, 1)
    assert "only prints" in finding.message


def test_cannot_tell_fails_the_criteria_at_the_cell(tmp_path):
    path = write(tmp_path / "n.ipynb", [code("def build():\n    return 'FROM a'"), code("dockerfile = build()")])
    linted = lint_notebook(path)
    found = sorted((f.rule, f.criterion, f.cell, f.line) for f in linted.findings if f.severity.value == "error")
    assert found == [("GL004", c, 2, 1) for c in
                     ("dockerfile.gpu-healthcheck", "dockerfile.multistage", "dockerfile.nonroot")]


# ------------------------------------------------------------------ the command line

def test_check_reads_a_notebook_as_grade_does(tmp_path, cli):
    bad = DOCKERFILE.replace("USER 10001:10001", "USER root")
    path = write(tmp_path / "lab.ipynb", [md("# lab"), code(f"dockerfile = r'''{bad}'''")])
    result = cli("check", path, "--format", "json")
    assert result.returncode == 1, result.stderr
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "GL102"]
    line = bad.split("\n").index("USER root") + 1
    assert (finding["path"], finding["cell"], finding["line"]) == ("lab.ipynb", 2, line)
    text = cli("check", path, "--select", "GL102").stdout
    assert f"lab.ipynb (cell 2):{line}:" in text


def test_check_refuses_notebooks_it_cannot_read(tmp_path, cli):
    empty = write(tmp_path / "empty.ipynb", [code("print('hello')")])
    result = cli("check", empty)
    assert result.returncode == 2 and "no code cell gives an answer" in result.stderr
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    result = cli("check", broken)
    assert result.returncode == 2 and "not a readable Jupyter notebook" in result.stderr
    assert cli("check", empty, REF).returncode == 2  # a notebook is one submission


def test_grade_profile(tmp_path, cli):
    single = "FROM gcr.io/distroless/base:nonroot\nCOPY server /server\nUSER 65532\n" \
             "HEALTHCHECK CMD [\"python3\", \"/app/smoke_test.py\"]\n"
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "Dockerfile").write_text(single)

    def multistage(*args: str) -> str:
        data = cli("grade", folder, "--format", "json", "--criterion", "dockerfile.multistage", *args).json()
        return data["criteria"][0]["status"]

    # a single stage that builds nothing: an error with the lab profile, a warning with production's
    assert multistage() == "failed"
    assert multistage("--profile", "production") == "passed"  # the lab rubric counts errors only
    assert multistage("--rubric", "production", "--profile", "lab") == "failed"
    assert cli("grade", folder, "--profile", "staging").returncode == 2
