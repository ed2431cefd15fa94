"""Production reads how the project's Compose files run the image a Dockerfile builds: a
non-root `user:` makes GL102 advice, a `healthcheck:` makes GL103 advice (only plain `docker run`
is left without them); the lab judges the Dockerfile alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.project.compose import runs_as_root
from gpulint.project.config import Config

DOCKERFILE = ("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir vllm==0.6.3\n"
              'CMD ["python3", "-m", "vllm.entrypoints.openai.api_server"]\n')
SERVICE = """services:
  app:
    build: {build}
{extra}    deploy:
      resources:
        reservations:
          devices: [{{driver: nvidia, count: all, capabilities: [gpu]}}]
"""


def _severities(tmp_path: Path, compose: dict[str, str], profile: str = "production") -> dict[str, str]:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker/Dockerfile").write_text(DOCKERFILE)
    for name, text in compose.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = run([tmp_path], config=Config(profile=profile))
    return {f.rule: f.severity.value for f in result.findings if f.rule in ("GL102", "GL103")}


def test_compose_user_and_healthcheck(tmp_path: Path) -> None:
    extra = ('    user: "${APP_UID:-6972}:${APP_GID:-6972}"\n'
             '    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8000/health"]}\n')
    compose = {"docker/docker-compose.yml": SERVICE.format(build=".", extra=extra)}
    assert _severities(tmp_path, compose) == {"GL102": "info", "GL103": "info"}


def test_lab_judges_the_dockerfile_alone(tmp_path: Path) -> None:
    extra = '    user: "1000"\n    healthcheck: {test: ["CMD", "true"]}\n'
    compose = {"docker/compose.yaml": SERVICE.format(build=".", extra=extra)}
    assert _severities(tmp_path, compose, "lab") == {"GL102": "error", "GL103": "error"}


@pytest.mark.parametrize("extra", [
    '    user: root\n    healthcheck: {disable: true}\n',
    '    user: "0:0"\n',
    "",
])
def test_root_or_unset_stays(tmp_path: Path, extra: str) -> None:
    compose = {"docker/compose.yaml": SERVICE.format(build=".", extra=extra)}
    assert _severities(tmp_path, compose) == {"GL102": "error", "GL103": "warning"}


def test_extends_and_build_paths(tmp_path: Path) -> None:
    base = ('services:\n  base:\n    build: {context: ., dockerfile: docker/Dockerfile}\n    user: "1000"\n'
            '    healthcheck: {test: ["CMD", "true"]}\n')
    gpu = "services:\n  gpu:\n    extends: {file: compose.yaml, service: base}\n"
    assert _severities(tmp_path, {"compose.yaml": base, "compose.cuda.yaml": gpu}) == {"GL102": "info",
                                                                                       "GL103": "info"}


def test_a_service_building_another_dockerfile_does_not_count(tmp_path: Path) -> None:
    other = 'services:\n  web:\n    build: ./web\n    user: "1000"\n    healthcheck: {test: ["CMD", "true"]}\n'
    assert _severities(tmp_path, {"compose.yaml": other}) == {"GL102": "error", "GL103": "warning"}


@pytest.mark.parametrize("user, root", [("root", True), ("0", True), ("0:0", True), ("1000", False),
                                        ("app:app", False), ("${UID:-0}", True), ("${UID:-1000}:${GID}", False),
                                        ("${UID}", None), (None, None)])
def test_runs_as_root(user: str | None, root: bool | None) -> None:
    assert runs_as_root(user) is root


BASE_LIKE = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir vllm==0.6.3\n"


@pytest.mark.parametrize("extra, severity", [
    ('    ports: ["8000:8000"]\n', "error"),  # Compose runs it as a GPU service
    ("", "info"),  # a GPU container nothing connects to: still a base image to gpulint
])
def test_compose_decides_the_role_of_an_image_without_a_process(tmp_path: Path, extra: str, severity: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(BASE_LIKE)
    (tmp_path / "compose.yaml").write_text(SERVICE.format(build=".", extra=extra + '    command: ["vllm", "serve"]\n'))
    found = [f for f in run([tmp_path], config=Config(profile="production")).findings if f.rule == "GL102"]
    assert [f.severity.value for f in found] == [severity]
    if severity == "error":
        assert "Compose runs the image as a GPU service: compose.yaml, service 'app'" in found[0].message


def test_a_healthcheck_of_none_is_none(tmp_path: Path) -> None:
    extra = '    healthcheck: {test: ["NONE"]}\n'
    compose = {"docker/compose.yaml": SERVICE.format(build=".", extra=extra)}
    assert _severities(tmp_path, compose)["GL103"] == "warning"
