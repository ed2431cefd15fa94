"""What really runs, read from the files that decide it: the command an `sh -c` script ends in,
a Kubernetes command that replaces the image's server, a server named by a project's own image,
a Cloud Build configuration nested in its repository, a build in a reusable workflow called by a
reusable workflow, and a Python health check that never touches the GPU."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.artifacts.dockerfile.model import parse_dockerfile
from gpulint.artifacts.dockerfile.role import image_role
from gpulint.artifacts.gpu_servers import server_of_image
from gpulint.artifacts.kubernetes.probes import container_server
from gpulint.core.source import Source
from conftest import findings_of, write_repository
from gpulint.engine.run import run
from gpulint.project.config import Config
from gpulint.syntax.yamlfile import load_yaml
from gpulint.core.limits import Limits


_write = write_repository
_found = findings_of


@pytest.mark.parametrize("cmd, kind, shown", [
    ('["/bin/bash", "-c", "rm -rf /x && ln -s /models /app/models && exec bash"]', "shell", "bash"),
    ('["sh", "-c", "pip install -r req.txt; python -m vllm.entrypoints.openai.api_server --port 8000"]',
     "server", "vLLM"),
    # an unknown program with a published port: a server (it was `umask 0002 export`, the set-up)
    ('["sh", "-c", "umask 0002 && export HOME=/app && ./start_linux.sh --listen"]', "server",
     "./start_linux.sh --listen"),
])
def test_an_sh_c_script_is_the_process_it_ends_in(cmd: str, kind: str, shown: str) -> None:
    text = f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nEXPOSE 9880\nCMD {cmd}\n"
    dockerfile = parse_dockerfile(Source(text, "Dockerfile"))
    role = image_role(dockerfile)
    assert shown in role.reason
    assert role.kind == kind


def _container(text: str):
    document = load_yaml(Source(text, "c.yaml"), Limits()).documents[0]
    return document


@pytest.mark.parametrize("container, server", [
    ("image: nvcr.io/nvidia/tritonserver:24.08-py3-sdk\ncommand: [sleep, infinity]\n", None),
    ("image: nvcr.io/nvidia/tritonserver:24.08-py3\ncommand: [sleep, infinity]\n", None),
    ("image: vllm/vllm-openai:v0.6.0\ncommand: [tail, -f, /dev/null]\n", None),
    ("image: vllm/vllm-openai:v0.6.0\nargs: [--model, m]\n", "vLLM"),  # the image's ENTRYPOINT runs
    ("image: vllm/vllm-openai:v0.6.0\ncommand: [/entrypoint.sh]\n", "vLLM"),  # a wrapper may start it
    ("image: nvcr.io/nvidia/tritonserver:24.08-py3\n", "Triton Inference Server"),
])
def test_a_command_that_only_waits_replaces_the_images_server(container: str, server: str | None) -> None:
    found = container_server(_container(container))
    assert (found.name if found is not None else None) == server


@pytest.mark.parametrize("image, server", [
    ("quay.io/rh-aiservices-bu/vllm-openai-ubi9:0.4.2", "vLLM"),
    ("ghcr.io/acme/sglang-server:1.0", "SGLang"),
    ("ghcr.io/acme/vllm-benchmark:1.0", None),
    ("nvcr.io/nvidia/tritonserver:24.08-py3-sdk", None),
    ("ghcr.io/acme/vllmish:1.0", None),  # not the whole word
    ("python:3.12-slim", None),
])
def test_a_project_image_named_for_its_server(image: str, server: str | None) -> None:
    found = server_of_image(image)
    assert (found.name if found is not None else None) == server


def test_a_nested_cloud_build_configuration_finds_its_dockerfile(tmp_path: Path) -> None:
    """backend/cloudbuild.yaml builds ./backend/: a trigger runs it from the repository, so the
    Dockerfile is backend/Dockerfile, a CPU image: no GPU test is owed."""
    _write(tmp_path, {
        "backend/cloudbuild.yaml": "steps:\n"
                                   "  - name: gcr.io/cloud-builders/docker\n"
                                   "    args: [build, -t, gcr.io/$PROJECT_ID/backend:$SHORT_SHA, ./backend/]\n"
                                   "images: [gcr.io/$PROJECT_ID/backend:$SHORT_SHA]\n",
        "backend/Dockerfile": "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nCMD [\"python3\", \"app.py\"]\n",
    })
    assert [f.severity.value for f in _found(tmp_path, "GL202")] == []
    (tmp_path / "backend/Dockerfile").write_text("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nUSER 1000\n"
                                                 "CMD [\"python3\", \"app.py\"]\n")
    assert [f.severity.value for f in _found(tmp_path, "GL202")] == ["warning"]  # a GPU image pushed untested


NESTED = {
    ".github/workflows/pr.yml": "name: ci\non:\n  push:\n    branches: [main]\n  pull_request:\n"
                                "jobs:\n  docker:\n    uses: ./.github/workflows/outer.yml\n",
    ".github/workflows/outer.yml": "name: outer\non:\n  workflow_call:\njobs:\n  build:\n"
                                   "    uses: ./.github/workflows/build.yml\n",
    ".github/workflows/build.yml": "name: build\non:\n  workflow_call:\njobs:\n  build:\n"
                                   "    runs-on: ubuntu-latest\n    steps:\n"
                                   "      - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .\n",
    "Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCMD [\"nvidia-smi\"]\n",
}


def test_a_build_in_a_reusable_workflow_called_by_a_reusable_workflow_is_a_build(tmp_path: Path) -> None:
    _write(tmp_path, NESTED)
    assert _found(tmp_path, "GL201", "lab") == []
    assert _found(tmp_path, "GL201") == []
    (tmp_path / ".github/workflows/build.yml").write_text(NESTED[".github/workflows/build.yml"].replace(
        "docker build -t", "echo not building"))
    assert len(_found(tmp_path, "GL201", "lab")) == 1  # nothing builds: said once


def test_a_python_health_check_without_gpu_use_needs_no_start_period(tmp_path: Path) -> None:
    """GL514 judges the warm-up of a GPU check; an HTTP request from Python is GL104's business."""
    healthcheck = 'HEALTHCHECK CMD python3 -c "import urllib.request; urllib.request.urlopen(\'http://localhost:8000/\')"'
    _write(tmp_path, {
        "Dockerfile": f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir torch==2.3.0\n"
                      f"USER 1000\n{healthcheck}\nCMD [\"python3\", \"serve.py\"]\n",
        ".github/workflows/ci.yml": "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  build:\n"
                                   "    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t app .\n",
    })
    assert _found(tmp_path, "GL514") == []
    (tmp_path / "Dockerfile").write_text((tmp_path / "Dockerfile").read_text().replace(
        healthcheck, "HEALTHCHECK CMD [\"python3\", \"-c\", \"import torch; assert torch.cuda.is_available()\"]"))
    assert len(_found(tmp_path, "GL514")) == 1


def test_depot_build_push_action_builds_and_pushes_as_docker_build_push_action_does(tmp_path: Path) -> None:
    """depot/build-push-action takes docker/build-push-action's inputs (`file`, `push`, `tags`)."""
    _write(tmp_path, {
        ".github/workflows/ci.yml": "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  image:\n"
                                    "    runs-on: ubuntu-latest\n    steps:\n"
                                    "      - uses: depot/build-push-action@v1\n        with:\n"
                                    "          file: docker/Dockerfile.gpu\n          push: true\n"
                                    "          tags: ghcr.io/acme/app:${{ github.sha }}\n",
        "docker/Dockerfile.gpu": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCMD [\"python3\", \"serve.py\"]\n",
    })
    assert _found(tmp_path, "GL201", "lab") == [] and _found(tmp_path, "GL205", "lab") == []
    assert [f.line for f in _found(tmp_path, "GL202")] == [5]  # `jobs:`: the GPU image is pushed untested
    assert _found(tmp_path, "GL520") == []  # docker/Dockerfile.gpu is read from `file:`


def test_a_workflow_github_never_runs_is_advice_and_builds_nothing(tmp_path: Path) -> None:
    """Actions runs only `.github/workflows/`: a parked copy in `.github/.workflows/` pushes nothing."""
    workflow = ("name: build\non:\n  push:\n    branches: ['**']\njobs:\n  image:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - uses: docker/login-action@v3\n"
                "      - run: docker build -t ghcr.io/acme/app:latest . && docker push ghcr.io/acme/app:latest\n")
    _write(tmp_path, {".github/.workflows/build.yml": workflow,
                      "Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCMD [\"python3\", \"serve.py\"]\n"})
    found = [f for f in run([tmp_path], config=Config(profile="production")).findings
             if f.path.startswith(".github/") and f.severity.value != "info"]
    assert found == []
    assert {f.rule for f in run([tmp_path], config=Config(profile="production")).findings
            if f.path.startswith(".github/")} == {"GL210"}  # said, as advice
    (tmp_path / ".github/workflows").mkdir()
    (tmp_path / ".github/.workflows/build.yml").rename(tmp_path / ".github/workflows/build.yml")
    assert {f.rule for f in run([tmp_path], config=Config(profile="production")).findings
            if f.severity.value != "info"} >= {"GL206", "GL210"}


@pytest.mark.parametrize("flags, gpu", [
    ("--device /dev/kfd --device /dev/dri", True), ("--device=/dev/kfd", True), ("--runtime amd", True),
    ("--device amd.com/gpu=all", True), ("--device /dev/dri", False), ("--gpus all", True),
])
def test_rocm_device_flags_give_a_container_the_gpu(flags: str, gpu: bool) -> None:
    from gpulint.ci.commands import _gpu_run_flag

    assert (_gpu_run_flag(flags.split()) is not None) is gpu


def test_a_files_only_scratch_stage_is_no_gpu_image() -> None:
    text = ("FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS build\nRUN make\n"
            "FROM scratch AS ccache\nCOPY --from=build /root/.ccache /ccache\n")
    dockerfile = parse_dockerfile(Source(text, "Dockerfile"))
    role = image_role(dockerfile)
    assert role.kind == "bundle" and role.gpu is False


@pytest.mark.parametrize("image, gpu", [
    ("nvcr.io/nvidia/pytorch:24.08-py3", True), ("nvcr.io/nvidia/tritonserver:24.08-py3", True),
    ("nvcr.io/nim/meta/llama-3.1-8b-instruct:1.1", True),
    ("nvcr.io/nvidia/base/ubuntu:22.04_20240212", False),  # NVIDIA's plain OS base, no CUDA
    ("nvcr.io/nvidia/distroless/python:3.12-v3.4", False),
])
def test_ngc_images_carry_a_gpu_stack_except_its_os_bases(image: str, gpu: bool) -> None:
    from gpulint.artifacts.dockerfile.role import gpu_image
    from gpulint.syntax.images import parse_image

    assert gpu_image(parse_image(image)) is gpu


@pytest.mark.parametrize("base, local", [("maxtext_base_image", True), ("app_base_image:latest", True),
                                         ("ubuntu", False), ("acme/app_base", False)])
def test_a_name_no_registry_serves_is_a_local_build(base: str, local: bool) -> None:
    from gpulint.rules.dockerfile.gl110_base_unpinned import _local_name

    assert _local_name(base) is local


@pytest.mark.parametrize("cmd", ['["start-notebook.py"]', '["start-notebook.sh"]', '["start-singleuser"]'])
def test_docker_stacks_launchers_start_a_workbench(cmd: str) -> None:
    text = f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nEXPOSE 8888\nCMD {cmd}\n"
    assert image_role(parse_dockerfile(Source(text, "Dockerfile"))).kind == "workbench"


def test_a_health_check_script_that_never_touches_the_gpu_is_no_smoke_test(tmp_path: Path) -> None:
    """docker-stacks' docker_healthcheck.py asks Jupyter's API: GL104 says it is no GPU check;
    GL507/GL508 have no smoke test to judge."""
    script = ("import json, subprocess, requests\n"
              "out = subprocess.check_output(['jupyter', 'server', 'list', '--json'])\n"
              "url = json.loads(out.splitlines()[0])['url']\nrequests.get(url + 'api').raise_for_status()\n")
    _write(tmp_path, {
        "Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir torch==2.3.0\n"
                      "COPY docker_healthcheck.py /etc/jupyter/\nUSER 1000\n"
                      "HEALTHCHECK CMD python3 /etc/jupyter/docker_healthcheck.py || exit 1\n"
                      "CMD [\"python3\", \"serve.py\"]\n",
        "docker_healthcheck.py": script,
        ".github/workflows/ci.yml": "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  build:\n"
                                   "    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t app .\n",
    })
    assert _found(tmp_path, "GL507") == [] and _found(tmp_path, "GL508") == []
    assert len(_found(tmp_path, "GL104")) == 1
    (tmp_path / "docker_healthcheck.py").write_text("import torch\nprint(torch.__version__)\n")
    assert len(_found(tmp_path, "GL507")) == 1  # a GPU library imported: judged as the smoke test it means to be


@pytest.mark.parametrize("name, text, reported", [
    (".npmrc", "engine-strict=true\nregistry=https://registry.npmmirror.com\n# set _authToken in CI\n", False),
    (".npmrc", "//registry.npmjs.org/:_authToken=abc123\n", True),
    (".pypirc", "[distutils]\nindex-servers = pypi\n[pypi]\nusername = __token__\n", False),
    (".pypirc", "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n", True),
    (".netrc", "machine example.com login anonymous\n", False),
    (".netrc", "machine example.com login me password hunter2\n", True),
])
def test_a_settings_file_without_a_credential_is_no_secret(tmp_path: Path, name: str, text: str,
                                                            reported: bool) -> None:
    _write(tmp_path, {f"web/{name}": text,
                      "Dockerfile": f"FROM node:20-slim\nWORKDIR /web\nCOPY web/{name} /web/\nRUN npm ci\n"
                                    "USER node\nCMD [\"node\", \"server.js\"]\n"})
    assert bool(_found(tmp_path, "GL112", "lab")) is reported


def test_a_key_copied_into_a_build_stage_only_does_not_ship(tmp_path: Path) -> None:
    _write(tmp_path, {"id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n",
                      "Dockerfile": "FROM node:20 AS build\nCOPY id_rsa /root/.ssh/id_rsa\nRUN npm ci\n"
                                    "FROM node:20-slim\nCOPY --from=build /app /app\nUSER node\nCMD [\"node\", \"/app\"]\n"})
    assert _found(tmp_path, "GL112", "lab") == []
    dockerfile = (tmp_path / "Dockerfile").read_text()
    (tmp_path / "Dockerfile").write_text(dockerfile.replace("COPY --from=build /app /app", "COPY id_rsa /root/.ssh/id_rsa"))
    assert len(_found(tmp_path, "GL112", "lab")) == 1  # in the shipped stage


def test_a_gpu_request_on_a_cpu_sample_image_only_reserves_a_node(tmp_path: Path) -> None:
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: hello\nspec:\n  selector:\n"
                  "    matchLabels: {app: hello}\n  template:\n    metadata:\n      labels: {app: hello}\n"
                  "    spec:\n      containers:\n        - name: hello\n          image: {image}\n"
                  "          resources:\n            limits:\n              nvidia.com/gpu: 1\n")
    _write(tmp_path, {"hello.yaml": deployment.replace("{image}", "ghcr.io/knative/helloworld-go:latest")})
    assert _found(tmp_path, "GL304") == [] and _found(tmp_path, "GL525") == []
    (tmp_path / "hello.yaml").write_text(deployment.replace("{image}", "vllm/vllm-openai:v0.6.0"))
    assert len(_found(tmp_path, "GL304")) == 2


def test_a_devel_base_for_a_package_that_compiles_at_run_time_is_advice(tmp_path: Path) -> None:
    base = "FROM nvidia/cuda:12.1.1-devel-ubuntu22.04\nRUN pip install --no-cache-dir {package}\nUSER 1000\n" \
           "CMD [\"python3\", \"server.py\"]\n"
    _write(tmp_path, {"Dockerfile": base.replace("{package}", "deepspeed==0.14.0")})
    assert [f.severity.value for f in _found(tmp_path, "GL101")] == ["info"]
    (tmp_path / "Dockerfile").write_text(base.replace("{package}", "fastapi==0.110.0"))
    assert [f.severity.value for f in _found(tmp_path, "GL101")] == ["warning"]  # nothing seen compiling
    assert [f.severity.value for f in _found(tmp_path, "GL101", "lab")] == ["error"]


def test_folders_above_the_repository_say_nothing_about_a_file(tmp_path: Path) -> None:
    """A checkout named `vllm-examples` is no examples folder: GL309 keeps its error inside it."""
    repo = tmp_path / "vllm-serving-examples"
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vllm\nspec:\n  selector:\n"
                  "    matchLabels: {app: vllm}\n  template:\n    metadata:\n      labels: {app: vllm}\n"
                  "    spec:\n      containers:\n        - name: vllm\n          image: vllm/vllm-openai:latest\n"
                  "          resources:\n            limits:\n              nvidia.com/gpu: 1\n")
    _write(repo, {"deploy/vllm.yaml": deployment, "examples/vllm.yaml": deployment})
    found = {f.path: f.severity.value for f in run([tmp_path], config=Config(profile="production")).findings
             if f.rule == "GL309"}
    assert found == {"vllm-serving-examples/deploy/vllm.yaml": "error",
                     "vllm-serving-examples/examples/vllm.yaml": "warning"}


def test_a_push_that_hands_the_run_image_to_the_gpu_test_is_no_publication(tmp_path: Path) -> None:
    """GPU runners are other machines: the build job pushes `app:${{ github.run_id }}` to a CI
    registry and the GPU test job pulls and runs exactly that. Production judges no release there;
    the lab keeps the lab's order (test, then push)."""
    workflow = ("name: ci\non:\n  push:\n    branches: [main, 'pull-request/[0-9]+']\njobs:\n  build:\n"
                "    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n"
                "          push: true\n          tags: ci-registry.example.com/app:${{ github.run_id }}\n"
                "  gpu-test:\n    needs: build\n    runs-on: [self-hosted, gpu]\n    steps:\n"
                "      - run: docker run --rm --gpus all ci-registry.example.com/app:${{ github.run_id }} pytest /app\n")
    _write(tmp_path, {".github/workflows/ci.yml": workflow,
                      "Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCMD [\"python3\", \"serve.py\"]\n"})
    assert _found(tmp_path, "GL206") == [] and _found(tmp_path, "GL207") == []
    assert len(_found(tmp_path, "GL207", "lab")) == 1
    (tmp_path / ".github/workflows/ci.yml").write_text(workflow.replace("${{ github.run_id }}", "${{ github.sha }}"))
    assert len(_found(tmp_path, "GL207")) == 1  # a commit tag is what deployments pull: a publication


@pytest.mark.parametrize("argv, kinds", [
    (["bentoml", "containerize", "svc:latest", "--image-tag", "ghcr.io/acme/svc:1"], ["build"]),
    (["cog", "push", "r8.im/acme/model"], ["build", "push"]),
    (["pack", "build", "app", "--publish"], ["build", "push"]),
    (["ko", "build", "--local", "./cmd/app"], ["build"]),
    (["truss", "image", "build", "."], ["build"]),
    (["devcontainer", "build", "--workspace-folder", ".", "--image-name", "ghcr.io/acme/dev:1"], ["build"]),
    (["devcontainer", "build", "--image-name", "ghcr.io/acme/dev:1", "--push"], ["build", "push"]),
    (["devcontainer", "build", "--output", "type=image,name=ghcr.io/acme/dev:1,push=true"], ["build", "push"]),
])
def test_image_builders_without_a_dockerfile_build(argv: list[str], kinds: list[str]) -> None:
    from gpulint.ci.commands import classify

    assert [kind for kind, _ in classify(argv)] == kinds


def test_python_warnings_about_a_scanned_script_are_not_printed(tmp_path: Path) -> None:
    """`"\\ "` in a scanned smoke test makes `ast.parse` warn; that is the script's business."""
    import subprocess
    import sys

    (tmp_path / "smoke_test.py").write_text('import torch\nprint("a\\ b")\nassert torch.cuda.is_available()\n')
    proc = subprocess.run([sys.executable, "-W", "default", "-m", "gpulint", "check", str(tmp_path), "--format", "json"],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode in (0, 1) and "Warning" not in proc.stderr


@pytest.mark.parametrize("name, dockerfile", [("GPUDockerfile", True), ("CPUDockerfile", True), ("Dockerfile.gpu", True),
                                              ("gpu.Dockerfile", True), ("Containerfile", True),
                                              ("Dockerfile.md", False), ("dockerfiles.yaml", False)])
def test_dockerfile_names(name: str, dockerfile: bool) -> None:
    """IOPaint builds `docker/GPUDockerfile`: a name may run the variant into the word."""
    from gpulint.engine.discovery import dockerfile_name

    assert dockerfile_name(name) is dockerfile


def test_a_file_a_kustomization_applies_as_a_patch_is_partial(tmp_path: Path) -> None:
    """A patch that names its container and image (so it looks whole by its shape) has no
    selector of its own: listed under `patches:`, it is not a Deployment missing one."""
    patch = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vllm\nspec:\n  template:\n    spec:\n"
             "      containers:\n        - name: server\n          image: vllm/vllm-openai:v0.6.0\n")
    _write(tmp_path, {"overlay/patch-image.yaml": patch,
                      "overlay/kustomization.yaml": "resources: [../base]\npatches:\n  - path: patch-image.yaml\n",
                      "base/kustomization.yaml": "resources: []\n", ".gpulint.yaml": "profile: production\n"})
    assert _found(tmp_path, "GL301") == []
    (tmp_path / "overlay/kustomization.yaml").write_text("resources: [../base]\n")
    assert _found(tmp_path, "GL301") != []  # no longer a patch: a Deployment without a selector


def test_a_container_image_set_by_kustomize_replacements_is_decided_elsewhere(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parent.parent / "fixtures/GL309/pass/kustomize-replacements"
    import shutil

    shutil.copytree(fixture, tmp_path / "project")
    assert _found(tmp_path / "project", "GL309") == []
    kustomization = tmp_path / "project/base/kustomization.yaml"
    text = kustomization.read_text()
    kustomization.write_text(text[:text.index("replacements:")])
    assert len(_found(tmp_path / "project", "GL309")) == 1  # `image: vllm-image` means :latest


@pytest.mark.parametrize("last, severity", [
    ('exec gosu "$PUID:$PGID" "$@"', "info"),  # PUID defaults to 99 in the script
    ('exec su-exec app "$@"', "info"),
    ('exec setpriv --reuid=app --regid=app --init-groups "$@"', "info"),
    ('exec gosu root "$@"', "error"),  # positive controls: still root
    ('exec gosu "$ZERO" "$@"', "error"),
    ('exec "$@"', "error"),
])
def test_an_entrypoint_that_drops_to_a_user_runs_its_process_unprivileged(tmp_path: Path, last: str,
                                                                          severity: str) -> None:
    _write(tmp_path, {
        "Dockerfile": "FROM nvidia/cuda:12.8.1-base-ubuntu22.04\n"
                      "RUN apt-get update && apt-get install -y --no-install-recommends python3 gosu\n"
                      "COPY entrypoint.sh /entrypoint.sh\nEXPOSE 9000\n"
                      "ENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"python3\", \"-m\", \"http.server\", \"9000\"]\n",
        "entrypoint.sh": f"#!/bin/bash\nPUID=${{PUID:-99}}\nPGID=${{PGID:-100}}\nZERO=${{ZERO:-0}}\n"
                         f"chown -R \"$PUID:$PGID\" /cache\n{last}\n"})
    found = _found(tmp_path, "GL102")
    assert [f.severity.value for f in found] == [severity]
    assert [f.severity.value for f in _found(tmp_path, "GL102", "lab")] == ["error"]


@pytest.mark.parametrize("argv, gpu", [
    (["pytest", "tests/gpu/test_cuda_ops.py"], True),
    (["python", "-m", "pytest", "-m", "gpu"], True),
    # a test named for GPUs that selects Apple's Metal backend runs on a Mac's GPU, not an NVIDIA one
    (["python", "-m", "pytest", "tests/codegen/test_gpu_codegen_allreduce.py::test_sum[dims0-metal]"], False),
    (["pytest", "tests/test_gpu_ops.py", "--device", "mps"], False),
])
def test_pytest_of_gpu_tests(argv: list[str], gpu: bool) -> None:
    from gpulint.ci.commands import TEST, classify

    assert (TEST in [kind for kind, _ in classify(argv)]) is gpu


BUILD_SCRIPT = """\
#!/bin/bash -e
cmd() {
  echo "+ $@"
  eval $@
}
cmd docker build -t "${REGISTRY}/acme-cuda:${BUILD_TAG}" -f ./Dockerfile .
"""


def test_a_build_in_a_repository_script_is_the_job_s_build(tmp_path: Path) -> None:
    """`cd images/$IMAGE_PATH; ./build.sh` (the job's variables give the folder) whose `cmd docker
    build` (a function that runs its arguments) builds the image."""
    gitlab = ("stages: [build]\n.build:\n  script:\n    - cd images/$IMAGE_PATH\n    - ./build.sh\n"
              "    - docker push registry.example.com/acme-cuda:1\n"
              "cuda-image:\n  extends: [.build]\n  stage: build\n  variables:\n    IMAGE_PATH: cuda\n")
    _write(tmp_path, {".gitlab-ci.yml": gitlab, "images/cuda/build.sh": BUILD_SCRIPT,
                      "images/cuda/Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"})
    assert _found(tmp_path, "GL201") == []
    # positive control: a script that only prints the words builds nothing
    (tmp_path / "images/cuda/build.sh").write_text("#!/bin/bash\necho docker build .\n")
    assert [f.rule for f in _found(tmp_path, "GL201")] == ["GL201"]


@pytest.mark.parametrize("run", ["bash ci/build.sh", "./ci/build.sh", "cd ci && ./build.sh",
                                 "source ci/build.sh"])
def test_a_workflow_step_runs_a_build_script(tmp_path: Path, run: str) -> None:
    workflow = ("name: release\non:\n  push:\n    branches: [main]\njobs:\n  image:\n    runs-on: ubuntu-latest\n"
                f"    steps:\n      - uses: actions/checkout@v4\n      - run: {run}\n"
                "      - run: docker push ghcr.io/acme/app:1\n")
    _write(tmp_path, {".github/workflows/release.yml": workflow, "ci/build.sh": "set -e\ndocker build -t ghcr.io/acme/app:1 ..\n",
                      "Dockerfile": "FROM python:3.12-slim\n"})
    assert _found(tmp_path, "GL201") == []
    assert [f.rule for f in _found(tmp_path, "GL201", "lab")] == []


def test_a_script_outside_the_scanned_files_builds_nothing_known(tmp_path: Path) -> None:
    workflow = ("name: release\non:\n  push:\n    branches: [main]\njobs:\n  image:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - run: ./missing.sh\n      - run: docker push ghcr.io/acme/app:1\n")
    _write(tmp_path, {".github/workflows/release.yml": workflow, "Dockerfile": "FROM python:3.12-slim\n"})
    assert [f.rule for f in _found(tmp_path, "GL201")] == ["GL201"]


@pytest.mark.parametrize("script, masked", [
    ("docker run --gpus all app python3 smoke_test.py | tee log", True),  # GitHub's default shell: no pipefail
    ("set -eo pipefail\ndocker run --gpus all app python3 smoke_test.py | tee log", False),
    ("set -o pipefail\ndocker run --gpus all app python3 smoke_test.py | tee log", False),
    ("set -euo pipefail\nset +o pipefail\ndocker run --gpus all app python3 smoke_test.py | tee log", True),
])
def test_a_script_s_own_pipefail_unmasks_a_piped_test(script: str, masked: bool) -> None:
    from gpulint.ci.commands import live_commands

    [test] = [c for c, _ in live_commands(script, errexit=True) if c.argv()[:2] == ["docker", "run"]]
    assert test.masked is masked


def test_a_smoke_test_whose_result_is_thrown_away_cannot_fail() -> None:
    """`main()` as a statement, then `sys.exit(0)`: the failure codes main returns are lost."""
    from gpulint.artifacts.swallow import cannot_fail
    from gpulint.syntax.python import parse_python

    text = (Path(__file__).resolve().parent.parent / "reference" / "smoke_test.py").read_text()
    assert cannot_fail(parse_python(Source(text, "smoke_test.py"))) is None  # positive control: the reference
    broken = text.replace("    sys.exit(main())", "    main()\n    sys.exit(0)")
    found = cannot_fail(parse_python(Source(broken, "smoke_test.py")))
    assert found is not None and "discards the value of `main()`" in found.why
    stored = text.replace("    sys.exit(main())", "    code = main()\n    sys.exit(code)")
    assert cannot_fail(parse_python(Source(stored, "smoke_test.py"))) is None


@pytest.mark.parametrize("runner, run, reported", [
    ("macOS-latest", "python -m pytest -v tests/codegen/test_gpu_codegen_allreduce.py", False),  # Apple's GPU
    ("ubuntu-latest", "python -m pytest -v tests/codegen/test_gpu_codegen_allreduce.py", True),
    ("macos-14", "docker run --rm --gpus all app python3 smoke_test.py", True),  # NVIDIA work, named so
])
def test_gpu_tests_by_name_on_a_mac_test_its_gpu(tmp_path: Path, runner: str, run: str, reported: bool) -> None:
    workflow = (f"name: ci\non:\n  pull_request:\njobs:\n  test:\n    runs-on: {runner}\n    steps:\n"
                f"      - uses: actions/checkout@v4\n      - run: {run}\n")
    _write(tmp_path, {".github/workflows/ci.yml": workflow})
    assert bool(_found(tmp_path, "GL203")) is reported


@pytest.mark.parametrize("env, gpu", [
    ("ENV PATH=${PATH}:/usr/local/nvidia/bin", True),  # GKE mounts the NVIDIA driver there
    ("ENV LD_LIBRARY_PATH=${LD_LIBRARY_PATH}:/usr/local/nvidia/lib64", True),
    ("ENV LD_LIBRARY_PATH=/usr/local/cuda/lib64", True),
    ("ENV PATH=/opt/conda/bin:${PATH}", False),
])
def test_an_image_that_adds_the_driver_s_folders_expects_a_gpu(env: str, gpu: bool) -> None:
    text = f"FROM pangeo/base-image:2024.06.02\n{env}\n"
    assert image_role(parse_dockerfile(Source(text, "Dockerfile"))).gpu is gpu


GITLAB_GPU_SUITE = """stages: [build, test]
image-build:
  stage: build
  script:
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
cuda-test:
  stage: test
  image: $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA
  tags: [TAGS]
  script:
    - ./run-tests.sh cuda-80
"""


@pytest.mark.parametrize("tags, severity", [("docker, nvidia-a100", "info"), ("docker, linux", "warning")])
def test_a_gitlab_test_suite_on_gpu_tagged_runners_is_a_gpu_test_of_the_code(tmp_path: Path, tags: str,
                                                                              severity: str) -> None:
    _write(tmp_path, {".gitlab-ci.yml": GITLAB_GPU_SUITE.replace("TAGS", tags),
                      "Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCMD [\"python3\", \"serve.py\"]\n"})
    assert [f.severity.value for f in _found(tmp_path, "GL202")] == [severity]


def test_the_lab_judges_an_overlay_patch_only_without_its_whole_deployment(tmp_path: Path) -> None:
    reference = Path(__file__).resolve().parent.parent / "reference"
    patch = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gpu-inference\n  namespace: ml\n"
             "spec:\n  replicas: 3\n")
    _write(tmp_path, {"k8s/deployment.yaml": (reference / "k8s" / "deployment.yaml").read_text(),
                      "k8s/kustomization.yaml": "resources:\n  - deployment.yaml\n",
                      "k8s/overlays/prod/kustomization.yaml": "resources:\n  - ../../\npatches:\n  - path: replicas.yaml\n",
                      "k8s/overlays/prod/replicas.yaml": patch})
    assert [f.rule for f in _found(tmp_path, "GL301", "lab") + _found(tmp_path, "GL307", "lab")] == []
    # positive control: the patch alone stands for the submission's Deployment, and it is not whole
    (tmp_path / "k8s/deployment.yaml").unlink()
    (tmp_path / "k8s/kustomization.yaml").unlink()
    assert _found(tmp_path, "GL301", "lab") and _found(tmp_path, "GL307", "lab")


@pytest.mark.parametrize("change, reported", [
    (None, True),
    # the module copied next to the script
    (("COPY --chown=app:app smoke_test.py /app/smoke_test.py",
      "COPY --chown=app:app smoke_test.py banner.py /app/"), False),
])
def test_a_healthcheck_script_s_own_modules_must_reach_the_image(tmp_path: Path, change, reported: bool) -> None:
    import shutil

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "GL501" / "fail" / "imported-module-not-copied"
    shutil.copytree(fixture, tmp_path / "p")
    if change:
        dockerfile = tmp_path / "p" / "Dockerfile"
        dockerfile.write_text(dockerfile.read_text().replace(*change))
    assert bool(_found(tmp_path / "p", "GL501", "lab")) is reported


def test_an_import_inside_try_may_fail_on_purpose(tmp_path: Path) -> None:
    import shutil

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "GL501" / "fail" / "imported-module-not-copied"
    shutil.copytree(fixture, tmp_path / "p")
    script = tmp_path / "p" / "smoke_test.py"
    script.write_text(script.read_text().replace(
        "from banner import print_banner  # banner.py is in the build context, never copied\n",
        "try:\n    from banner import print_banner\nexcept ImportError:\n    def print_banner() -> None:\n        pass\n"))
    assert _found(tmp_path / "p", "GL501", "lab") == []


TARGETED = """\
FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS builder
RUN python3 -m venv /opt/venv

FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS runtime
COPY --from=builder /opt/venv /opt/venv
USER 10001
CMD ["python3", "-m", "http.server"]

FROM builder AS test
RUN /opt/venv/bin/pip install --no-cache-dir pytest
"""


@pytest.mark.parametrize("build, reported", [("docker build --target runtime -t app .", False),
                                             ("docker build -t app .", True)])
def test_the_image_is_the_stage_ci_builds(tmp_path: Path, build: str, reported: bool) -> None:
    """A trailing test stage that CI never ships (`--target runtime`) is not the image."""
    workflow = ("name: ci\non:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: [self-hosted, gpu]\n"
                f"    steps:\n      - uses: actions/checkout@v4\n      - run: {build}\n")
    _write(tmp_path, {"Dockerfile": TARGETED, ".github/workflows/ci.yml": workflow})
    assert bool(_found(tmp_path, "GL102", "lab")) is reported


@pytest.mark.parametrize("entrypoint, reported", [
    ('ENTRYPOINT ["python3", "/app/serve.py"]', True),  # `docker run IMAGE python3 smoke_test.py` feeds serve.py
    ('ENTRYPOINT ["tini", "--"]', False),  # hands over to its arguments
    ('CMD ["python3", "/app/serve.py"]', False),  # the arguments replace the CMD
])
def test_a_ci_run_s_arguments_go_to_the_image_s_own_entrypoint(tmp_path: Path, entrypoint: str,
                                                                reported: bool) -> None:
    import shutil

    reference = Path(__file__).resolve().parent.parent / "reference"
    shutil.copytree(reference, tmp_path / "p")
    dockerfile = tmp_path / "p" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace('CMD ["python3", "/app/serve.py"]', entrypoint))
    assert bool(_found(tmp_path / "p", "GL505", "lab")) is reported


def test_a_smoke_test_split_over_modules_is_read_whole(tmp_path: Path) -> None:
    """`smoke_test.py` runs `main()` from `gpu_checks.py` next to it: the checks are there."""
    reference = (Path(__file__).resolve().parent.parent / "reference" / "smoke_test.py").read_text()
    entry = "import sys\n\nfrom gpu_checks import main\n\nif __name__ == \"__main__\":\n    sys.exit(main())\n"
    _write(tmp_path, {"smoke_test.py": entry, "gpu_checks.py": reference.replace(
        'if __name__ == "__main__":\n    sys.exit(main())\n', ""),
        ".github/workflows/ci.yml": "name: ci\non: push\njobs:\n  t:\n    runs-on: [self-hosted, gpu]\n"
                                   "    steps:\n      - run: python3 smoke_test.py\n"})
    assert _found(tmp_path, "GL507", "lab") == []
    # positive control: a module without the round trip leaves it missing
    checks = (tmp_path / "gpu_checks.py").read_text()
    (tmp_path / "gpu_checks.py").write_text(checks.replace("got = on_gpu.cpu()", "got = expected"))
    [finding] = _found(tmp_path, "GL507", "lab")
    assert "never computes on the GPU" in finding.message


def test_an_init_only_entrypoint_without_cmd_is_a_base_image_even_with_a_port() -> None:
    text = ("FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\nEXPOSE 8888\n"
            'ENTRYPOINT ["/tini", "-g", "--"]\n')
    role = image_role(parse_dockerfile(Source(text, "Dockerfile")))
    assert role.kind == "base"
    # positive control: a program of its own behind the init is the process
    served = text.replace('"--"]', '"--", "python3", "-m", "vllm.entrypoints.openai.api_server"]')
    assert image_role(parse_dockerfile(Source(served, "Dockerfile"))).kind == "server"


@pytest.mark.parametrize("last, hands_over", [('exec gosu app "$@"', True), ('exec "$@"', True),
                                              ('exec python3 demo.py --port 7860 "$@"', False)])
def test_only_an_entrypoint_that_runs_its_arguments_hands_over(tmp_path: Path, last: str, hands_over: bool) -> None:
    from gpulint.artifacts.dockerfile.role import _hands_over
    from gpulint.engine.loader import load
    from gpulint.engine.discovery import discover
    from gpulint.project.project import Project

    _write(tmp_path, {"Dockerfile": "FROM python:3.12\nCOPY entrypoint.sh /entrypoint.sh\n"
                                    'ENTRYPOINT ["/entrypoint.sh"]\n',
                      "entrypoint.sh": f"#!/bin/sh\nset -e\n{last}\n"})
    project = Project(tmp_path, Config())
    [candidate] = [c for c in discover(tmp_path).candidates if c.kind == "dockerfile"]
    [dockerfile] = [a for a in load(candidate, project) if a.kind == "dockerfile"]
    assert _hands_over(dockerfile, dockerfile.final_stage, "/entrypoint.sh") is hands_over


@pytest.mark.parametrize("default, reported", [("undefined", False), ("REPLACE_ME", False), ("ubuntu", True)])
def test_a_placeholder_base_default_is_not_a_base_image(tmp_path: Path, default: str, reported: bool) -> None:
    _write(tmp_path, {"Dockerfile": f"ARG BASE_IMAGE={default}\nFROM ${{BASE_IMAGE}}\nUSER 1000\n"})
    assert bool(_found(tmp_path, "GL110", "lab")) is reported


def test_a_heredoc_opened_with_a_space_is_a_heredoc() -> None:
    """BuildKit 0.22 (Docker 28.2) reads `<< 'EOF'` as `<<'EOF'` (moby/buildkit#5817)."""
    text = ("FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS builder\nRUN python << 'PYTHON_SCRIPT'\nimport os\n"
            "os.makedirs('/app/models', exist_ok=True)\nPYTHON_SCRIPT\nFROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"
            "USER 10001\n")
    dockerfile = parse_dockerfile(Source(text, "Dockerfile"))
    assert dockerfile.problems == []
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "FROM", "USER"]
    assert dockerfile.instructions[1].heredocs[0].delimiter == "PYTHON_SCRIPT"


@pytest.mark.parametrize("called, reported", [("acme/app/.github/workflows/.reusable-build.yaml@main", False),
                                              ("other/tools/.github/workflows/build.yaml@main", True)])
def test_a_repository_s_own_reusable_workflow_by_full_name(tmp_path: Path, called: str, reported: bool) -> None:
    _write(tmp_path, {".github/workflows/.reusable-build.yaml": "name: b\non:\n  workflow_call:\njobs:\n  b:\n"
                                                                "    runs-on: ubuntu-latest\n    steps:\n"
                                                                "      - run: echo build\n",
                      ".github/workflows/build.yml": f"name: build\non: push\njobs:\n  b:\n    uses: {called}\n"})
    assert bool(_found(tmp_path, "GL210")) is reported
