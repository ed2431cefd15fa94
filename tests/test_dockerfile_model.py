"""The Dockerfile lexer and stage model, checked against dockerfile-parse on real files."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from conftest import SHARED
from gpulint.artifacts.dockerfile.model import parse_dockerfile
from gpulint.artifacts.dockerfile.variables import effective_user, expand
from gpulint.core.source import Source

REALWORLD = sorted((SHARED / "realworld" / "dockerfile").glob("*")) if (SHARED / "realworld").is_dir() else []


def parse(text: str):
    return parse_dockerfile(Source(text, "Dockerfile"))


@pytest.mark.skipif(not REALWORLD, reason="../shared/realworld is not present")
@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.name)
def test_instruction_lines_match_dockerfile_parse(path: Path):
    dockerfile_parse = pytest.importorskip("dockerfile_parse")
    text = path.read_text(encoding="utf-8")
    if "<<" in text:
        pytest.skip("dockerfile-parse does not understand heredocs")
    if re.search(r"\\[ \t]*\n[ \t]*\n", text):
        pytest.skip("an empty line inside a continuation: BuildKit continues, dockerfile-parse stops")
    theirs = dockerfile_parse.DockerfileParser(fileobj=io.BytesIO(text.encode())).structure
    expected = [(s["instruction"], s["startline"] + 1) for s in theirs if s["instruction"] != "COMMENT"]
    ours = [(i.keyword, i.line) for i in parse(text).instructions]
    assert ours == expected


def test_escape_directive_and_continuations():
    dockerfile = parse("# escape=`\nFROM a AS b\nRUN echo `\n  # comment inside\n\n  hi\nUSER app\n")
    assert dockerfile.escape == "`"
    run = dockerfile.instructions[1]
    assert run.keyword == "RUN" and run.args == "echo   hi"
    assert run.args_span(7, 9).source.text[run.args_span(7, 9).start:run.args_span(7, 9).end] == "hi"
    assert dockerfile.instructions[2].line == 7


def test_heredoc_body_is_not_instructions():
    dockerfile = parse("FROM a\nRUN <<EOF\nFROM b\nUSER root\nEOF\nUSER app\n")
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "USER"]
    assert dockerfile.instructions[1].heredocs[0].body == "FROM b\nUSER root"
    assert len(dockerfile.stages) == 1


def test_lowercase_keywords_crlf_and_flags():
    dockerfile = parse("from --platform=linux/amd64 img:1 as Build\r\ncopy --from=build --chown=1:1 a /b\r\n")
    stage = dockerfile.stages[0]
    assert stage.name == "build" and stage.base == "img:1"
    copy = dockerfile.instructions[1]
    assert copy.flags["from"].value == "build" and copy.flags["chown"].value == "1:1"
    assert copy.body == "a /b"


def test_stage_parent_by_name_and_index():
    dockerfile = parse("FROM a AS base\nUSER app\nFROM base\nFROM 0\n")
    assert dockerfile.stages[1].parent is dockerfile.stages[0]
    assert dockerfile.stages[2].parent is dockerfile.stages[0]
    assert effective_user(dockerfile, dockerfile.stages[2]).value == "app"


@pytest.mark.parametrize("text, expected", [
    ("$A", "1"), ("${A}", "1"), ("${B:-x}", "x"), ("${A:-x}", "1"), ("${A:+y}", "y"), ("${B:+y}", ""),
    ("\\$A", "$A"), ("pre-${A}-post", "pre-1-post"), ("$UNDEFINED", ""),
])
def test_expand(text, expected):
    assert expand(text, {"A": "1"}).value == expected


def test_expand_unresolved_build_arg():
    result = expand("$U", {"U": None})
    assert result.value is None and result.unresolved == ["U"]


@pytest.mark.parametrize("user, root", [
    ("root", True), ("0", True), ("0:0", True), ("root:root", True), ("000", True),
    ("app", False), ("10001", False), ("10001:0", False), ("app:root", False),
])
def test_root_users(user, root):
    dockerfile = parse(f"FROM a\nUSER {user}\n")
    assert effective_user(dockerfile, dockerfile.stages[0]).is_root is root


def test_user_through_arg_and_env():
    dockerfile = parse("ARG U=root\nFROM a\nARG U\nENV HOME_USER=${U}\nUSER $HOME_USER\n")
    user = effective_user(dockerfile, dockerfile.final_stage)
    assert user.value == "root" and user.is_root


def test_arg_scope_does_not_leak_between_stages():
    dockerfile = parse("FROM a\nARG U=app\nFROM b\nUSER ${U:-root}\n")
    assert effective_user(dockerfile, dockerfile.final_stage).is_root


def test_unknown_instruction_is_a_problem_with_hint():
    dockerfile = parse("FROM a\nFORM b\n")
    ((span, message),) = dockerfile.problems
    assert "did you mean FROM" in message
    assert span.source.position(span.start).line == 2


def test_repeated_flags_are_all_kept_in_order():
    from gpulint.artifacts.dockerfile.model import parse_dockerfile
    from gpulint.artifacts.dockerfile.stage_use import mount_fields
    from gpulint.core.source import Source

    text = ('FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache \\\n'
            '    --mount="type=secret,id=hf" --network=none pip install -r requirements.txt\n')
    run = parse_dockerfile(Source(text, "Dockerfile")).instructions[1]
    assert [f.name for f in run.flag_list] == ["mount", "mount", "network"]
    assert run.flags["mount"] is run.flag_list[1]  # by name: the last of a repeated flag
    assert [mount_fields(f.value)["type"] for f in run.flag_list[:2]] == ["cache", "secret"]
    assert run.body.startswith("pip install")
