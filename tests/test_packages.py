"""Package installs read from RUN commands, whatever order their options take."""

from __future__ import annotations

import pytest

from gpulint.artifacts.dockerfile.model import parse_dockerfile
from gpulint.artifacts.dockerfile.packages import install_command, installs
from gpulint.core.source import Source


@pytest.mark.parametrize("argv, expected", [
    (["apt-get", "install", "-y", "curl"], ("apt", ["install", "-y", "curl"])),
    # options before the subcommand are the same options
    (["apt-get", "-y", "install", "curl"], ("apt", ["install", "-y", "curl"])),
    (["apt-get", "-o", "Dpkg::Options::=--force-confold", "-y", "install", "curl"],
     ("apt", ["install", "-o", "Dpkg::Options::=--force-confold", "-y", "curl"])),
    (["pip", "--no-cache-dir", "install", "torch"], ("pip", ["install", "--no-cache-dir", "torch"])),
    (["apt-get", "-y", "update"], None),
    (["pip", "-q"], None),
])
def test_install_command(argv, expected):
    assert install_command(argv) == expected


def test_options_before_install_keep_their_packages_and_flags():
    text = ("FROM ubuntu:22.04\n"
            "RUN apt-get update && apt-get -y --no-install-recommends install curl git "
            "&& rm -rf /var/lib/apt/lists/*\n")
    dockerfile = parse_dockerfile(Source(text, "Dockerfile"))
    [found] = installs(dockerfile.final_stage, dockerfile)
    assert found.packages == ("curl", "git")
    assert "--no-install-recommends" in found.options


def test_curl_installed_with_options_first_is_installed(tmp_path):
    from gpulint.engine.run import run
    from gpulint.project.config import Config

    (tmp_path / "Dockerfile").write_text(
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"
        "RUN apt-get update && apt-get -y install curl && rm -rf /var/lib/apt/lists/*\n"
        "USER 10001\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost:8080/health\"]\n"
        "ENTRYPOINT [\"/app/server\"]\n")
    assert [f for f in run([tmp_path], config=Config(profile="lab")).findings if f.rule == "GL113"] == []
    # positive control: without the install, curl is missing from the CUDA runtime image
    (tmp_path / "Dockerfile").write_text((tmp_path / "Dockerfile").read_text().replace(
        "RUN apt-get update && apt-get -y install curl && rm -rf /var/lib/apt/lists/*\n", ""))
    assert [f.rule for f in run([tmp_path], config=Config(profile="lab")).findings if f.rule == "GL113"] == ["GL113"]
