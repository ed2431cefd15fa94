"""A Jupyter notebook read the way Jupyter would run it, without running it.

Only code cells run, in order; markdown and raw cells never do. Each code cell is turned into
Python by IPython's own input transformer (magics, ``!commands``), so a cell magic is recognized
exactly where IPython recognizes one. A lab answer is taken from:

* a ``%%writefile PATH`` (or ``%%file``) cell, its arguments parsed by IPython's own parser;
* the lab's answer variables (``dockerfile``, ``smoke_test_py``, ``workflow_yaml``,
  ``deployment_yaml``, ``rollback_commands``, ``image_promotion_flow``): their last value, read with
  ``ast`` from literals (see ``notebook_values``). A value gpulint cannot compute is reported as
  "cannot tell", pointing at its cell, and fails the criteria that need it;
* a cell (code or raw) tagged with an artifact's name (``dockerfile``, ``workflow``, ...).

``notebook_lint`` writes the answers to a scratch folder, lints them there and maps each finding
back to the notebook cell and the line inside that cell.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from gpulint.artifacts.notebook.values import At, Known, Namespace, Unknown
from gpulint.core.records import Record, field
from gpulint.core.source import Source

NOTEBOOK_SUFFIX = ".ipynb"

# Cell tags naming an artifact, and the file the tagged cell's text stands for.
TAG_FILES = {
    "dockerfile": "Dockerfile", "containerfile": "Dockerfile",
    "workflow": ".github/workflows/ci.yml", "workflow_yaml": ".github/workflows/ci.yml",
    "github-actions": ".github/workflows/ci.yml", "ci": ".github/workflows/ci.yml",
    "deployment": "k8s/deployment.yaml", "deployment_yaml": "k8s/deployment.yaml",
    "kubernetes": "k8s/deployment.yaml", "k8s": "k8s/deployment.yaml", "manifest": "k8s/deployment.yaml",
    "smoke_test": "smoke_test.py", "smoke_test_py": "smoke_test.py", "smoketest": "smoke_test.py",
    "smoke-test": "smoke_test.py",
    "rollout": "rollout.yaml", "rollout_plan": "rollout.yaml", "rollout-plan": "rollout.yaml",
}
# Tags whose cell holds the value of one key of the rollout plan.
ROLLOUT_TAGS = {"rollback_commands": "rollback_commands", "rollback-commands": "rollback_commands",
                "image_promotion_flow": "image_promotion_flow", "promotion_flow": "image_promotion_flow",
                "image-promotion-flow": "image_promotion_flow", "promotion-flow": "image_promotion_flow"}
# The lab's answer variables: the file each stands for, another name when a cell already wrote that
# file, and what it holds (for messages).
TEXT_VARIABLES = {
    "dockerfile": ("Dockerfile", "Dockerfile.notebook", "the Dockerfile"),
    "smoke_test_py": ("smoke_test.py", "smoke_test_variable.py", "the smoke test"),
    "workflow_yaml": (".github/workflows/ci.yml", ".github/workflows/workflow_yaml.yml", "the workflow"),
    "deployment_yaml": ("k8s/deployment.yaml", "k8s/deployment_yaml.yaml", "the Kubernetes manifest"),
}
PLAN_VARIABLES = {"rollback_commands": "the rollback commands", "image_promotion_flow": "the promotion flow"}
_CELL_PYTHON_MAGICS = ("time", "capture")  # cell magics that run their body as Python in the notebook


class NotebookError(Exception):
    """A notebook that cannot be read at all."""


class Origin(Record):
    cell: int | None  # 1-based cell number in the notebook (None: text gpulint added)
    line: int  # 1-based line inside that cell
    shift: int = 0  # file column - cell column


class Written(Record):
    """A file the notebook's answers make, built line by line; each line remembers its cell and line."""

    lines: list[str] = field(default_factory=list)
    origins: list[Origin | None] = field(default_factory=list)

    def add(self, text: str, cell: int | None, first_line: int, shift: int = 0) -> None:
        for i, line in enumerate(text.split("\n")):
            self.lines.append(line)
            self.origins.append(Origin(cell, first_line + i, shift) if cell is not None else None)
        if text.endswith("\n"):  # split() made an empty last piece for the final newline
            self.lines.pop()
            self.origins.pop()

    def add_line(self, line: str, origin: Origin | None) -> None:
        self.lines.append(line)
        self.origins.append(origin)

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


class Answers(Record):
    """What a notebook answers: files, the cells they come from, and the answers it cannot read."""

    files: dict[str, Written] = field(default_factory=dict)
    cells: dict[int, Source] = field(default_factory=dict)
    unknown: dict[str, Unknown] = field(default_factory=dict)  # answer variable -> why
    variable_files: dict[str, str] = field(default_factory=dict)  # answer variable -> file written
    problems: list[tuple[At, str]] = field(default_factory=list)  # cells that are not Python

    @property
    def empty(self) -> bool:
        return not self.files and not self.unknown

    @property
    def blank(self) -> bool:
        """No cell has any text at all."""
        return not any(source.text.strip() for source in self.cells.values())


# ---------------------------------------------------------------------------- reading


def read_notebook(path: Path) -> Any:
    try:
        import nbformat
    except ImportError:
        raise NotebookError(f"{path.name}: reading a Jupyter notebook needs nbformat and IPython: "
                            "pip install 'gpulint[notebook]'") from None
    try:
        data = path.read_bytes()
    except OSError as error:
        raise NotebookError(f"{path.name}: cannot read: {error.strerror or error}") from None
    from gpulint.core.source import decode

    text, problem = decode(data)
    if text is None:
        raise NotebookError(f"{path.name}: {problem}")
    import logging
    import warnings

    logging.getLogger("traitlets").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises many kinds (JSON, validation, version)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NotebookError(f"{path.name}: not a readable Jupyter notebook: {message}") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{path.name}: not a readable Jupyter notebook: no cells")
    return notebook


def _ipython():
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        from IPython.core.magics.osm import OSMagics
    except ImportError:
        raise NotebookError("reading a Jupyter notebook's code cells needs IPython: "
                            "pip install 'gpulint[notebook]'") from None
    return TransformerManager(), OSMagics.writefile.parser


def _cell_text(cell: Any) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(s) for s in source)
    return str(source).replace("\r\n", "\n")


def _tags(cell: Any) -> list[str]:
    metadata = cell.get("metadata") or {}
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [str(t).strip().lower() for t in tags] if isinstance(tags, list) else []


def safe_rel(raw: str) -> str | None:
    """A path a cell writes, as a relative path that stays inside the scratch folder."""
    raw = raw.strip()
    if not raw:
        return None
    norm = posixpath.normpath(raw.replace("\\", "/")).lstrip("/")
    if norm.startswith("~"):
        norm = norm.lstrip("~").lstrip("/")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        name = posixpath.basename(norm)
        return name if name and name not in (".", "..") else None
    return "/".join(parts)


def answers_of(path: Path) -> Answers:
    notebook = read_notebook(path)
    transformer, writefile_parser = _ipython()
    reader = _Reader(path.name, transformer, writefile_parser)
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "raw"):
            continue  # markdown never runs
        reader.cell(index + 1, cell)
    return reader.finish()


class _Reader:
    def __init__(self, name: str, transformer, writefile_parser):
        self.name = name
        self.transformer = transformer
        self.writefile_parser = writefile_parser
        self.answers = Answers()
        self.space = Namespace()
        self.plan_parts: list[tuple[str, str, int]] = []  # tagged rollout cells: (key, text, cell)

    def cell(self, number: int, cell: Any) -> None:
        text = _cell_text(cell)
        self.answers.cells[number] = Source(text, self.name)
        if cell.get("cell_type") == "code":
            if self._code(number, text, 0):
                return  # a %%writefile cell is the file, nothing else
        for tag in _tags(cell):
            if tag in TAG_FILES:
                written = self.answers.files[TAG_FILES[tag]] = Written()
                written.add(text, number, 1)
                break
            if tag in ROLLOUT_TAGS:
                self.plan_parts.append((ROLLOUT_TAGS[tag], text, number))
                break

    def _code(self, number: int, text: str, line_offset: int) -> bool:
        """Run one code cell (or a cell magic's Python body) statically; True for a %%writefile."""
        import ast
        import tokenize
        import warnings

        lines = text.split("\n")
        blank = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
        try:
            python = self.transformer.transform_cell(text)
            with warnings.catch_warnings():  # the notebook's invalid escapes are not gpulint's warnings
                warnings.simplefilter("ignore")
                tree = ast.parse(python)
        except (SyntaxError, tokenize.TokenError, ValueError) as error:
            line = getattr(error, "lineno", None) or 1
            self.answers.problems.append((At(number, line + blank + line_offset), str(getattr(error, "msg", error))))
            return False
        magic = _cell_magic(tree)
        if magic is not None:
            name, argument, body = magic
            first_body_line = blank + line_offset + 2  # the magic is the first non-blank line
            if name in ("writefile", "file"):
                self._writefile(number, argument, body, first_body_line)
                return True
            if name in _CELL_PYTHON_MAGICS:
                return self._code(number, body, first_body_line - 1)
            return False  # %%bash, %%html...: not Python, binds nothing
        self.space.run_cell(tree, number, python, blank + line_offset)
        return False

    def _writefile(self, number: int, argument: str, body: str, first_line: int) -> None:
        from IPython.core.error import UsageError

        try:
            args = self.writefile_parser.parse_argstring(argument)
        except UsageError:
            return  # IPython refuses the magic: nothing is written
        filename = args.filename
        if len(filename) >= 2 and filename[0] == filename[-1] and filename[0] in "'\"":
            filename = filename[1:-1]
        rel = safe_rel(filename)
        if rel is None:
            return
        if not args.append or rel not in self.answers.files:
            self.answers.files[rel] = Written()
        self.answers.files[rel].add(body, number, first_line)

    def finish(self) -> Answers:
        answers = self.answers
        if self.plan_parts and "rollout.yaml" not in answers.files:
            answers.files["rollout.yaml"] = _plan_from_tagged(self.plan_parts)
        values = self.space.values
        for variable, (path, alternate, _what) in TEXT_VARIABLES.items():
            value = values.get(variable)
            if isinstance(value, Unknown):
                answers.unknown[variable] = value
            elif isinstance(value, Known):
                if not isinstance(value.value, str):
                    answers.unknown[variable] = Unknown(f"a {type(value.value).__name__}, not a string", value.at)
                    continue
                rel = path if path not in answers.files else alternate
                written = answers.files[rel] = Written()
                for line, at in zip(value.value.split("\n"), value.line_origins()):
                    written.add_line(line, Origin(at.cell, at.line, -at.column))
                if value.value.endswith("\n"):
                    written.lines.pop()
                    written.origins.pop()
                answers.variable_files[variable] = rel
        plan = Written()
        for variable in PLAN_VARIABLES:
            value = values.get(variable)
            if isinstance(value, Unknown):
                answers.unknown[variable] = value
            elif isinstance(value, Known):
                plan.add_line(f"{variable}:", Origin(value.at.cell, value.at.line, 0))
                _emit(plan, value, 2)
        if plan.lines:
            rel = "rollout.yaml" if "rollout.yaml" not in answers.files else "rollout_variables.yaml"
            answers.files[rel] = plan
            for variable in PLAN_VARIABLES:
                if isinstance(values.get(variable), Known):
                    answers.variable_files[variable] = rel
        return answers


def _cell_magic(tree) -> tuple[str, str, str] | None:
    """(name, argument line, body) when IPython turned the cell into ``run_cell_magic(...)``."""
    import ast

    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "run_cell_magic" and len(call.args) == 3
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args)):
        return None
    owner = call.func.value
    if not (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "get_ipython"):
        return None
    name, argument, body = (a.value for a in call.args)
    return name, argument, body


def _emit(written: Written, value: Known, indent: int) -> None:
    """A known value as block YAML (strings as JSON, which YAML reads), one origin per line."""
    pad = " " * indent
    items = value.value
    if isinstance(items, (list, tuple)):
        if not items:
            written.lines[-1] += " []"
            return
        for item in items:
            _emit_item(written, item, f"{pad}- ", indent + 2)
    elif isinstance(items, dict):
        if not items:
            written.lines[-1] += " {}"
            return
        for key, item in items.items():
            _emit_item(written, item, f"{pad}{json.dumps(key)}:", indent + 2, key_line=True)
    else:
        written.lines[-1] += " " + json.dumps(items)


def _emit_item(written: Written, item: Known, lead: str, indent: int, key_line: bool = False) -> None:
    origin = Origin(item.at.cell, item.at.line, len(lead) - item.at.column)
    if isinstance(item.value, (list, tuple, dict)) and item.value:
        if isinstance(item.value, dict) and not key_line:
            # a mapping as a list item: its first key on the dash line, the rest below it
            pairs = list(item.value.items())
            first_key, first = pairs[0]
            written.add_line(f"{lead}{json.dumps(first_key)}:", origin)
            _emit_nested(written, first, indent + 2)
            for key, value in pairs[1:]:
                written.add_line(f"{' ' * indent}{json.dumps(key)}:", Origin(value.at.cell, value.at.line, 0))
                _emit_nested(written, value, indent + 2)
            return
        written.add_line(lead, origin)
        _emit(written, item, indent)
        return
    written.add_line(f"{lead} {json.dumps(item.plain())}" if key_line else f"{lead}{json.dumps(item.plain())}",
                     origin)


def _emit_nested(written: Written, value: Known, indent: int) -> None:
    if isinstance(value.value, (list, tuple, dict)) and value.value:
        _emit(written, value, indent)
    else:
        written.lines[-1] += " " + json.dumps(value.plain())


def _plan_from_tagged(parts: list[tuple[str, str, int]]) -> Written:
    """A rollout plan assembled from cells tagged ``rollback_commands`` / ``image_promotion_flow``."""
    import yaml

    written = Written()
    for key, text, cell in parts:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = None
        if isinstance(value, dict) and key in value:
            written.add(text if text.endswith("\n") else text + "\n", cell, 1)
            continue
        written.add(f"{key}:\n", None, 0)
        indented = "".join("  " + line + "\n" for line in text.rstrip("\n").split("\n"))
        written.add(indented, cell, 1, shift=2)
    return written
