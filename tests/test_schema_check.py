"""The quick configuration check never says "valid" where jsonschema says "invalid", and says
"valid" for the configurations users write (so that jsonschema is not imported for them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

import gpulint

from gpulint.core.resources import data_path
from gpulint.core.schema_check import surely_valid

SCHEMA = json.loads(data_path("config.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 2000), st.floats(allow_nan=True),
                     st.sampled_from(["", "GL103", "gl1", "GL1234", "no-root", "Bad Name", "error", "warning",
                                      "info", "none", "lab", "production", "dockerfile", "smoke", "*.golden", "x"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(st.sampled_from(
                                                              ["max-depth", "max-file-size", "timeout", "GL103",
                                                               "max-documents", "x", "error"]), inner, max_size=3)),
                       max_leaves=8)
_keys = st.sampled_from(sorted(SCHEMA["properties"]) + ["selct", "limits", "unknown"])
_configs = st.dictionaries(_keys, _values, max_size=6)


@settings(max_examples=600, deadline=None)
@given(_configs)
def test_never_valid_where_jsonschema_is_not(config):
    if surely_valid(config, SCHEMA):
        assert VALIDATOR.is_valid(config), config


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "select": st.lists(st.sampled_from(["GL103", "GL2", "no-root-user", "gl501"]), unique=True),
    "ignore": st.lists(st.sampled_from(["GL104", "GL6", "healthcheck-missing"]), unique=True),
    "severity": st.dictionaries(st.sampled_from(["GL105", "gl2", "probe-timing"]),
                                st.sampled_from(["error", "warning", "info"])),
    "fail-on": st.sampled_from(["error", "warning", "info", "none"]),
    "exclude": st.lists(st.text(min_size=1, max_size=8)),
    "profile": st.sampled_from(["lab", "production"]),
    "timeout": st.floats(min_value=0.001, max_value=1e6),
    "limits": st.fixed_dictionaries({}, optional={"max-depth": st.integers(2, 1000),
                                                  "max-documents": st.integers(1, 10_000)}),
}))
def test_valid_configurations_need_no_jsonschema(config):
    assert VALIDATOR.is_valid(config)
    assert surely_valid(config, SCHEMA)


def test_a_valid_configuration_does_not_import_jsonschema(tmp_path):
    (tmp_path / ".gpulint.yaml").write_text("select: [GL1, GL5]\nseverity: {GL105: error}\nlimits: {max-depth: 50}\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER 1000\n")
    code = ("import sys; from pathlib import Path; from gpulint.engine.run import run; "
            "r = run([Path('.')]); assert not r.config.problems, r.config.problems; "
            "print('jsonschema' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(Path(gpulint.__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.strip() == "False"


def test_an_invalid_configuration_is_explained_by_jsonschema(tmp_path):
    (tmp_path / ".gpulint.yaml").write_text("selct: [GL1]\nlimits: {max-depth: 1}\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    from gpulint.engine.run import run

    result = run([Path(tmp_path)])
    messages = [message for _, message in result.config.problems]
    assert any("unknown config key 'selct'; did you mean 'select'?" in m for m in messages)
    assert any("invalid value for 'limits.max-depth'" in m for m in messages)
