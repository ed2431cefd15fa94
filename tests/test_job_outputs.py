"""A push gated on a job output the workflow itself computes (`needs.config.outputs.push`) is
judged through the output: the step that writes it, the `env:` it reads, the expression."""

from __future__ import annotations

import json

import pytest

from gpulint.cli import main

DOCKERFILE = ("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir vllm==0.6.3\n"
              "USER 1000\nCMD [\"python3\", \"-m\", \"vllm.entrypoints.openai.api_server\"]\n")


def _workflow(config_job: str) -> str:
    return (
        "on:\n  push:\n    branches: [main]\n  pull_request:\n    branches: [main]\n"
        "jobs:\n" + config_job +
        "  image:\n    needs: config\n    runs-on: [self-hosted, gpu]\n    steps:\n"
        "      - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .\n"
        "      - run: docker run --rm --gpus all ghcr.io/acme/app:${{ github.sha }} python3 smoke_test.py\n"
        "      - if: needs.config.outputs.push == 'true'\n"
        "        run: docker push ghcr.io/acme/app:${{ github.sha }}\n")


GATE = "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}"
CONFIGS = {
    "env variable": (
        "  config:\n    runs-on: ubuntu-latest\n    outputs:\n      push: ${{ steps.c.outputs.push }}\n"
        f"    steps:\n      - id: c\n        env:\n          push: {GATE}\n"
        "        run: |\n          echo Push: $push\n          echo \"push=$push\" >> \"$GITHUB_OUTPUT\"\n", False),
    "expression in the script": (
        "  config:\n    runs-on: ubuntu-latest\n    outputs:\n      push: ${{ steps.c.outputs.push }}\n"
        f"    steps:\n      - id: c\n        run: echo \"push={GATE}\" >> $GITHUB_OUTPUT\n", False),
    "set-output": (
        "  config:\n    runs-on: ubuntu-latest\n    outputs:\n      push: ${{ steps.c.outputs.push }}\n"
        f"    steps:\n      - id: c\n        run: echo \"::set-output name=push::{GATE}\"\n", False),
    "output written as an expression": (
        f"  config:\n    runs-on: ubuntu-latest\n    outputs:\n      push: {GATE}\n"
        "    steps:\n      - run: 'true'\n", False),
    "shell logic": (
        "  config:\n    runs-on: ubuntu-latest\n    outputs:\n      push: ${{ steps.c.outputs.push }}\n"
        "    steps:\n      - id: c\n        run: |\n          if [ \"$GITHUB_EVENT_NAME\" = push ]; then\n"
        "            echo push=true >> $GITHUB_OUTPUT\n          else\n"
        "            echo push=false >> $GITHUB_OUTPUT\n          fi\n", True),
    "a step that may not run": (
        "  config:\n    runs-on: ubuntu-latest\n    outputs:\n      push: ${{ steps.c.outputs.push }}\n"
        "    steps:\n      - id: c\n        if: github.actor != 'bot'\n"
        "        run: echo push=true >> $GITHUB_OUTPUT\n", True),
    "always true": (
        "  config:\n    runs-on: ubuntu-latest\n    outputs:\n      push: ${{ steps.c.outputs.push }}\n"
        "    steps:\n      - id: c\n        run: echo push=true >> $GITHUB_OUTPUT\n", True),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_push_gated_on_a_computed_job_output(tmp_path, capsys, name):
    config, flagged = CONFIGS[name]
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(_workflow(config))
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    main(["check", str(tmp_path), "--isolated", "--format", "json", "--select", "GL206", "--profile", "production"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert bool([f for f in findings if f["rule"] == "GL206" and f["severity"] == "error"]) is flagged, findings


def test_invalid_expressions_are_findings_not_tracebacks(tmp_path, capsys):
    """Invalid `${{ }}` in a job output, the script that writes it and a matrix build input: GL208
    reports them; the gates and builds they feed are unknown."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  config:\n    runs-on: ubuntu-latest\n    outputs:\n      push: ${{ steps.c.outputs.push\n"
        "      run: ${{ steps.c.outputs.run == }}\n    steps:\n      - id: c\n"
        "        run: echo \"push=${{ github.ref ==\" >> $GITHUB_OUTPUT\n"
        "  image:\n    needs: config\n    if: needs.config.outputs.run == 'true'\n    runs-on: ubuntu-latest\n"
        "    strategy:\n      matrix:\n        f: [a, b]\n    steps:\n"
        "      - uses: docker/build-push-action@v6\n        with:\n          file: ${{ matrix.f == }}\n"
        "          context: ${{ matrix.\n          push: true\n          tags: ghcr.io/acme/app:1\n")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    assert main(["check", str(tmp_path), "--isolated", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["rule"] for f in findings if f["severity"] == "error"} >= {"GL208"}
