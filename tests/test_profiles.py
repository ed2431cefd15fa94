"""--profile lab|production, `gpulint check -` (standard input) and templated files."""

from __future__ import annotations

import io
import json
import sys

import pytest

from gpulint.cli import main
from gpulint.project.config import Config, load_config

# GPU serving images (the production profile judges GPU Dockerfile rules on those at full severity).
COPY_ONLY = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCOPY bin/server /server\nUSER 65532\nCMD [\"/server\"]\n"
BUILDS = ("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN apt-get update && apt-get install -y build-essential\n"
          "USER 1000\nCMD [\"python3\", \"-m\", \"vllm.entrypoints.openai.api_server\"]\n")
# A CPU tool image: GPU image rules give it advice only in production, the lab judges it anyway.
TOOL = "FROM gcr.io/distroless/base:nonroot\nCOPY bin/helm /helm\nUSER 65532\nENTRYPOINT [\"/helm\"]\n"


def _check(monkeypatch, capsys, stdin: str, *args: str) -> tuple[int, list[dict]]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code = main(["check", "-", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_profile_default_config():
    assert Config().active_profile == "lab"
    assert Config(default_profile="production").active_profile == "production"
    assert Config(profile="lab", default_profile="production").active_profile == "lab"


def test_profile_config_key(tmp_path):
    (tmp_path / ".gpulint.yaml").write_text("profile: production\n")
    assert load_config(tmp_path / ".gpulint.yaml", tmp_path).profile == "production"
    (tmp_path / ".gpulint.yaml").write_text("profile: prod\n")
    assert load_config(tmp_path / ".gpulint.yaml", tmp_path).problems


# A single stage that only copies keeps no package cache: nothing to act on in production.
@pytest.mark.parametrize("profile,severity", [("production", "info"), ("lab", "error"), (None, "info")])
def test_copy_only_single_stage(monkeypatch, capsys, profile, severity):
    args = ("--select", "GL101") + (("--profile", profile) if profile else ())
    _, findings = _check(monkeypatch, capsys, COPY_ONLY, *args)
    assert [(f["rule"], f["severity"]) for f in findings] == [("GL101", severity)]


def test_single_stage_that_builds_stays_error(monkeypatch, capsys):
    compiling = BUILDS.replace("build-essential\n", "build-essential && make -C /src\n")
    _, findings = _check(monkeypatch, capsys, compiling, "--select", "GL101")
    assert [(f["rule"], f["severity"]) for f in findings] == [("GL101", "error")]
    # build packages alone: nothing is seen compiling, and a compiler may be a run-time need (Triton)
    _, findings = _check(monkeypatch, capsys, BUILDS, "--select", "GL101")
    assert [(f["rule"], f["severity"]) for f in findings] == [("GL101", "warning")]


SERVE = "USER 1000\nCMD [\"python3\", \"-m\", \"vllm.entrypoints.openai.api_server\"]\n"


@pytest.mark.parametrize("steps,severity", [
    # prebuilt packages are the runtime: a builder stage would leave little behind, only a
    # package cache left in the image is worth a warning
    ("RUN pip install --no-cache-dir -r /requirements.txt\n", "info"),
    ("RUN --mount=type=cache,target=/root/.cache/pip pip install -r /requirements.txt\n", "info"),
    ("RUN apt-get update && apt-get install -y libgl1 && rm -rf /var/lib/apt/lists/*\n", "info"),
    ("RUN apt-get update && apt-get install -y --no-install-recommends libgl1 python3-pip -t jammy\n", "warning"),
    ("RUN pip install -c constraints.txt vllm==0.6.3\n", "warning"),
    # build packages with nothing seen compiling: the compiler may be what the image runs with
    ("RUN apt-get update && apt-get install -y python3.11-dev\n", "warning"),
    # compiling ships the toolchain
    ("RUN apt-get update && apt-get install -y build-essential && gcc -O2 -o /usr/bin/x /app/x.c\n", "error"),
    ("RUN apt-get update && apt-get install -y build-essential\nRUN pip install -e .\n", "error"),
    ("RUN pip install -e .\n", "error"),
    ("RUN pip install git+https://github.com/org/kernels\n", "error"),
    ("RUN pip install --no-build-isolation flash-attn\n", "error"),
    ("RUN git clone https://github.com/org/x && cd x && make -j8\n", "error"),
    ("RUN python3 setup.py build_ext --inplace\n", "error"),
])
def test_production_single_stage_is_an_error_only_when_it_compiles(monkeypatch, capsys, steps, severity):
    dockerfile = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCOPY . /app\n" + steps + SERVE
    _, findings = _check(monkeypatch, capsys, dockerfile, "--select", "GL101", "--profile", "production")
    assert [(f["rule"], f["severity"]) for f in findings] == [("GL101", severity)]
    _, findings = _check(monkeypatch, capsys, dockerfile, "--select", "GL101", "--profile", "lab")
    assert [(f["rule"], f["severity"]) for f in findings] == [("GL101", "error")]


@pytest.mark.parametrize("profile,severity", [("production", "info"), ("lab", "error")])
def test_tool_image_is_not_judged_as_a_gpu_serving_image(monkeypatch, capsys, profile, severity):
    _, findings = _check(monkeypatch, capsys, TOOL, "--select", "GL101,GL103", "--profile", profile)
    assert sorted((f["rule"], f["severity"]) for f in findings) == [("GL101", severity), ("GL103", severity)]
    if profile == "production":
        assert all("advice only" in f["message"] and "a tool image" in f["message"] for f in findings)


def test_stdin_named(monkeypatch, capsys):
    workflow = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: docker run --gpus all app python3 /app/smoke_test.py\n")
    code, findings = _check(monkeypatch, capsys, workflow, "--stdin-filename", ".github/workflows/ci.yml",
                            "--select", "GL203")
    assert code == 1
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("GL203", ".github/workflows/ci.yml", 4)]


def test_stdin_unnamed_is_classified_by_content(monkeypatch, capsys):
    _, findings = _check(monkeypatch, capsys, COPY_ONLY, "--select", "GL101")
    assert findings[0]["path"] == "Dockerfile"
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n"
    code, findings = _check(monkeypatch, capsys, manifest)
    assert code == 0 and findings == []


def test_stdin_odd_name_kept(monkeypatch, capsys):
    _, findings = _check(monkeypatch, capsys, COPY_ONLY, "--stdin-filename", "docker/Dockerfile_gpu", "--select", "GL101")
    assert findings[0]["path"] == "docker/Dockerfile_gpu"


def test_stdin_with_other_paths_is_usage_error(capsys):
    assert main(["check", "-", "."]) == 2
    assert main(["check", ".", "--stdin-filename", "x.yaml"]) == 2


HELM = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
{{- if .Values.gpu }}
  template: {}
{{- end }}
"""


def test_templated_file_gets_one_info(tmp_path, capsys):
    (tmp_path / "deploy.yaml").write_text(HELM)
    (tmp_path / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n"
                                       "  ports:\n  - port: {{ .Values.port }}\n")
    assert main(["check", str(tmp_path), "--format", "json"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert sorted((f["path"], f["rule"], f["severity"]) for f in findings) == [
        ("deploy.yaml", "GL001", "info"), ("svc.yaml", "GL001", "info")]
    assert all("helm template" in f["message"] and "gpulint check -" in f["message"] for f in findings)


def test_workflow_expressions_are_not_templates(tmp_path, capsys):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                                   "      - run: echo ${{ github.sha }}\n")
    main(["check", str(tmp_path), "--format", "json", "--select", "GL001"])
    assert json.loads(capsys.readouterr().out)["findings"] == []


# A push only a maintainer's manual run starts, on each system that has one (GitHub's
# workflow_dispatch, a GitLab pipeline run from the web UI), besides the push to main.
_MANUAL_PUSH = {
    ".github/workflows/ci.yml": (
        "on:\n  push:\n    branches: [main]\n  workflow_dispatch:\n"
        "jobs:\n  release:\n    runs-on: [self-hosted, gpu]\n    steps:\n"
        "      - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .\n"
        "      - run: docker run --rm --gpus all ghcr.io/acme/app:${{ github.sha }} python3 smoke_test.py\n"
        "      - run: docker push ghcr.io/acme/app:${{ github.sha }}\n"),
    ".gitlab-ci.yml": (
        "release:\n  tags: [gpu]\n  rules:\n"
        "    - if: $CI_COMMIT_BRANCH == \"main\"\n    - if: $CI_PIPELINE_SOURCE == \"web\"\n"
        "  script:\n    - docker build -t registry.example.com/acme/app:$CI_COMMIT_SHA .\n"
        "    - docker run --rm --gpus all registry.example.com/acme/app:$CI_COMMIT_SHA python3 smoke_test.py\n"
        "    - docker push registry.example.com/acme/app:$CI_COMMIT_SHA\n"),
}


@pytest.mark.parametrize("path", sorted(_MANUAL_PUSH))
@pytest.mark.parametrize("profile,flagged", [("production", False), ("lab", True)])
def test_a_manual_run_publishes_on_purpose_in_production_on_every_system(tmp_path, capsys, path, profile, flagged):
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(_MANUAL_PUSH[path])
    (tmp_path / "Dockerfile").write_text(BUILDS)
    main(["check", str(tmp_path), "--isolated", "--format", "json", "--select", "GL206", "--profile", profile])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert bool([f for f in findings if f["rule"] == "GL206" and f["severity"] == "error"]) is flagged, findings


_TWO_IMAGES = ("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS gpu\n"
               "RUN apt-get update && apt-get install -y python3-pip && pip install vllm==0.6.3\nUSER 1000\n"
               "CMD [\"python3\", \"-m\", \"vllm.entrypoints.openai.api_server\"]\n\n"
               "FROM python:3.12-slim AS docs\nRUN pip install mkdocs==1.6.1\nUSER 1000\nCMD [\"mkdocs\", \"serve\"]\n")


@pytest.mark.parametrize("target,judged", [("gpu", True), ("docs", False), (None, False)])
def test_the_pushed_image_is_the_stage_the_build_targets(tmp_path, capsys, target, judged):
    """Production judges pushes of GPU images only: the image a build pushes is its `--target`
    stage (the final stage without one), here a GPU server or a CPU docs site."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    option = f"--target {target} " if target else ""
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "on: [push, pull_request]\njobs:\n  release:\n    runs-on: [self-hosted, gpu]\n    steps:\n"
        f"      - run: docker build {option}-t ghcr.io/acme/app:${{{{ github.sha }}}} .\n"
        "      - run: docker push ghcr.io/acme/app:${{ github.sha }}\n")
    (tmp_path / "Dockerfile").write_text(_TWO_IMAGES)
    main(["check", str(tmp_path), "--isolated", "--format", "json", "--select", "GL206", "--profile", "production"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert bool([f for f in findings if f["rule"] == "GL206" and f["severity"] == "error"]) is judged, findings


@pytest.mark.parametrize("branches,judged", [
    ("[main, 'v*-dev']", False),  # the project's release lines (v0.7-dev)
    ("[main, 'v[0-9]+.x']", False),
    ("[main, 'release/**']", False),
    ("[main, 'feature/**']", True),
    ("['**']", True),  # every branch: not a release line
])
def test_a_push_from_a_release_line_the_filter_names_is_on_purpose(tmp_path, capsys, branches, judged):
    """Production: pushes from the branches a workflow's own filter names as release lines are
    deliberate, as pushes from `release/*` are; a catch-all filter is not a release line."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        f"on:\n  push:\n    branches: {branches}\njobs:\n  release:\n    runs-on: [self-hosted, gpu]\n    steps:\n"
        "      - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .\n"
        "      - run: docker run --rm --gpus all ghcr.io/acme/app:${{ github.sha }} python3 smoke_test.py\n"
        "      - run: docker push ghcr.io/acme/app:${{ github.sha }}\n")
    (tmp_path / "Dockerfile").write_text(BUILDS)
    main(["check", str(tmp_path), "--isolated", "--format", "json", "--select", "GL206", "--profile", "production"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert bool([f for f in findings if f["rule"] == "GL206" and f["severity"] == "error"]) is judged, findings


@pytest.mark.parametrize("profile,severity", [("production", "info"), ("lab", "warning")])
def test_an_untagged_base_the_project_pushes_itself_is_its_own_stack(tmp_path, capsys, profile, severity):
    """An image stack builds each image on its parent by name (`FROM $OWNER/base`): in production
    the parent the project's own CI pushes is not a moving third-party base."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "on:\n  push:\n    branches: [main]\njobs:\n  images:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: docker build -t quay.io/acme/base images/base\n"
        "      - run: docker build -t quay.io/acme/gpu images/gpu\n"
        "      - run: docker push quay.io/acme/base && docker push quay.io/acme/gpu\n")
    for name, text in (("base", "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"),
                       ("gpu", "ARG OWNER=acme\nFROM quay.io/$OWNER/base\n"), ("tools", "FROM ubuntu\n")):
        (tmp_path / "images" / name).mkdir(parents=True)
        (tmp_path / "images" / name / "Dockerfile").write_text(text)
    main(["check", str(tmp_path), "--isolated", "--format", "json", "--select", "GL110", "--profile", profile])
    findings = {(f["message"].split()[2], f["severity"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert findings == {("quay.io/acme/base", severity), ("ubuntu", "warning")}, findings


@pytest.mark.parametrize("dockerfiles,gl202", [
    (("build/Dockerfile.manager", "build/Dockerfile.gateway"), None),  # CPU images only: not judged
    (("build/Dockerfile.manager", "build/Dockerfile.cuda"), "warning"),  # one leg pushes a GPU image
])
def test_build_push_action_files_are_read_per_matrix_leg(tmp_path, capsys, dockerfiles, gl202):
    """`file: ${{ matrix.component.file }}` names one Dockerfile per leg: production judges the
    GPU-test question only where some leg pushes a GPU image."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    legs = "".join(f"          - {{name: c{i}, file: {path}}}\n" for i, path in enumerate(dockerfiles))
    (tmp_path / ".github" / "workflows" / "push.yml").write_text(
        "on:\n  push:\n    branches: [main]\njobs:\n  images:\n    runs-on: ubuntu-latest\n    strategy:\n"
        f"      matrix:\n        component:\n{legs}    steps:\n      - uses: actions/checkout@v4\n"
        "      - uses: docker/build-push-action@v6\n        with:\n          context: .\n"
        "          file: ${{ matrix.component.file }}\n          push: true\n"
        "          tags: ghcr.io/acme/${{ matrix.component.name }}:${{ github.sha }}\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "Dockerfile.manager").write_text("FROM golang:1.23 AS b\nFROM gcr.io/distroless/static:nonroot\n")
    (tmp_path / "build" / "Dockerfile.gateway").write_text("FROM python:3.12-slim\nUSER 1000\n")
    (tmp_path / "build" / "Dockerfile.cuda").write_text(BUILDS)
    main(["check", str(tmp_path), "--isolated", "--format", "json", "--select", "GL202,GL520", "--profile", "production"])
    findings = [(f["rule"], f["severity"]) for f in json.loads(capsys.readouterr().out)["findings"]]
    assert findings == ([("GL202", gl202)] if gl202 else []), findings


@pytest.mark.parametrize("folder,severity", [("deploy", "error"), ("examples/serving", "warning"), ("docs", "warning")])
def test_a_mutable_tag_in_an_example_is_a_warning(tmp_path, capsys, folder, severity):
    """Production: a Deployment in a docs or examples folder is an example users copy, not a
    workload the project rolls out and back."""
    (tmp_path / folder).mkdir(parents=True)
    (tmp_path / folder / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: llm}\nspec:\n  selector: {matchLabels: {app: llm}}\n"
        "  template:\n    metadata: {labels: {app: llm}}\n    spec:\n      containers:\n"
        "        - name: llm\n          image: vllm/vllm-openai:latest\n")
    main(["check", str(tmp_path), "--isolated", "--format", "json", "--select", "GL309", "--profile", "production"])
    findings = [(f["rule"], f["severity"]) for f in json.loads(capsys.readouterr().out)["findings"]]
    assert findings == [("GL309", severity)], findings
