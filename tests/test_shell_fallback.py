"""Scripts bashlex cannot parse (``case``, some expansions) are split by the approximate reader:
one command per line or control operator, reserved words dropped, heredoc bodies and comment
lines not read as commands."""

from __future__ import annotations

from gpulint.syntax.shell import parse_shell

CASE = """status=0
run_tests() {
  pytest --timeout=3000 "$@" || status=1
}
# comment line: don't read it
for group in llm audio; do
  case "$group" in
    llm)
      run_tests tests/llm
      ;;
    audio)
      run_tests tests/audio ;;
  esac
done
if [ "$status" -ne 0 ]; then
  docker push acme/app:dev
fi
cat > push.sh <<'EOF'
docker push acme/app:latest
EOF
exit $status
"""


def test_case_script_is_read_as_commands() -> None:
    script = parse_shell(CASE)
    assert script.error is not None  # bashlex does not know `case`
    heads = [c.argv()[:2] for c in script.commands if c.argv()]
    assert ["pytest", "--timeout=3000"] in heads
    assert ["run_tests", "tests/llm"] in heads and ["run_tests", "tests/audio"] in heads
    assert ["[", "$status"] in heads and ["docker", "push"] in heads
    assert ["exit", "$status"] in heads
    assert not any(h[0] in ("case", "esac", "for", "do", "done", "then", "fi", "llm", "#", "comment") for h in heads)


def test_heredoc_body_is_not_a_command() -> None:
    pushes = [c.argv() for c in parse_shell(CASE).commands if c.argv()[:2] == ["docker", "push"]]
    assert pushes == [["docker", "push", "acme/app:dev"]]


def test_commands_after_or_and_separators_keep_their_masking() -> None:
    script = parse_shell("case x in x) true;; esac\nmake test || true\nmake build\necho done\n", errexit=True)
    by_head = {tuple(c.argv()[:2]): c for c in script.commands if c.argv()}
    assert by_head[("make", "test")].masked
    assert not by_head[("make", "build")].masked
