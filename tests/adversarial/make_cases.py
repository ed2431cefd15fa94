"""Regenerates the adversarial cases from reference/ (run: python tests/adversarial/make_cases.py).

Each case is the reference solution with one deliberate change; expected.yaml says what a careful
human grader decides. Edit a case here, not by hand, so the whole suite stays consistent.
"""
import json, shutil
from pathlib import Path
import yaml

REPO = Path(__file__).resolve().parents[2]; R = REPO / "reference"; OUT = REPO / "tests/adversarial"
BASE = {
    "dockerfile": (R / "Dockerfile").read_text(),
    "workflow": (R / ".github/workflows/gpu-ci.yml").read_text(),
    "deployment": (R / "k8s/deployment.yaml").read_text(),
    "smoke": (R / "smoke_test.py").read_text(),
    "rollout": (R / "rollout.yaml").read_text(),
}

def sub(text, *pairs):
    for old, new in pairs:
        assert old in text, (old[:60],)
        text = text.replace(old, new)
    return text

def block(key, text):
    body = "".join(("  " + l if l.strip() else "") + "\n" for l in text.rstrip("\n").split("\n"))
    return f"{key}: |\n{body}"

def answers(a):
    return ("# Lab answers\n" + block("dockerfile", a["dockerfile"]) + block("workflow_yaml", a["workflow"])
            + block("deployment_yaml", a["deployment"]) + block("smoke_test_py", a["smoke"]) + a["rollout"])

def case(name, description, expect, *, files=None, answers_text=None, answers_name="answers.yaml", xfail=None, **mods):
    d = OUT / name
    if d.exists(): shutil.rmtree(d)
    d.mkdir(parents=True)
    meta = {"description": description}
    if files is not None:
        sub_dir = d / "submission"
        for rel, text in files.items():
            p = sub_dir / rel; p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(text.encode() if isinstance(text, str) else text)
        meta["submission"] = "submission"
    else:
        a = dict(BASE); a.update(mods)
        text = answers_text if answers_text is not None else answers(a)
        (d / answers_name).write_bytes(text.encode() if isinstance(text, str) else text)
        meta["submission"] = answers_name
    meta["expect"] = expect
    if xfail:
        meta["xfail"] = xfail
    (d / "expected.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, width=100))

D, W, K, RO = BASE["dockerfile"], BASE["workflow"], BASE["deployment"], BASE["rollout"]
RUNTIME = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS runtime"
HC = 'HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \\\n    CMD ["python3", "/app/smoke_test.py"]'
SINGLE = sub(D, ("FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder", "FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS runtime"),
             (RUNTIME + "\n", ""), ("COPY --from=builder /opt/venv /opt/venv\n", ""))

# ------------------------------------------------------------------ crafted to pass without the work
case("df-second-from-in-comment", "single stage; the second FROM is only a comment", {"dockerfile.multistage": "fail"},
     dockerfile=sub(SINGLE, ("WORKDIR /app", "# FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS runtime\nWORKDIR /app")))
case("df-from-in-echo", "single stage; FROM appears inside a RUN echo", {"dockerfile.multistage": "fail"},
     dockerfile=sub(SINGLE, ("WORKDIR /app", 'RUN echo "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS runtime" > /stages.txt\nWORKDIR /app')))
case("df-user-root-after-app", "USER 10001 then USER root later in the final stage", {"dockerfile.nonroot": "fail"},
     dockerfile=sub(D, ("EXPOSE 8000", "USER root\nEXPOSE 8000")))
case("df-user-only-in-builder", "the non-root USER is in the builder stage; the final stage runs as root",
     {"dockerfile.nonroot": "fail"},
     dockerfile=sub(D, ("USER 10001:10001\n", ""), ("RUN python3 -m venv /opt/venv", "RUN python3 -m venv /opt/venv\nUSER nobody")))
case("df-user-in-comment", "USER only written in a comment", {"dockerfile.nonroot": "fail"},
     dockerfile=sub(D, ("USER 10001:10001", "# USER 10001:10001")))
case("df-suppressed-nonroot", "runs as root and silences the rule with an inline ignore comment",
     {"dockerfile.nonroot": "fail"},
     dockerfile=sub(D, ("USER 10001:10001", "# gpulint: ignore=GL102\nUSER root")))
case("df-healthcheck-curl", "HEALTHCHECK only curls /healthz", {"dockerfile.gpu-healthcheck": "fail"},
     dockerfile=sub(D, ('CMD ["python3", "/app/smoke_test.py"]\n\nCMD', 'CMD curl -fsS http://localhost:8000/healthz || exit 1\n\nCMD')))
case("df-healthcheck-or-true", "the GPU check's failure is hidden with || true", {"dockerfile.gpu-healthcheck": "fail"},
     dockerfile=sub(D, ('CMD ["python3", "/app/smoke_test.py"]\n\nCMD', 'CMD python3 /app/smoke_test.py || true\n\nCMD')))
case("df-healthcheck-echo", "HEALTHCHECK only echoes the words of a GPU check", {"dockerfile.gpu-healthcheck": "fail"},
     dockerfile=sub(D, ('CMD ["python3", "/app/smoke_test.py"]\n\nCMD', 'CMD echo "python3 /app/smoke_test.py torch.cuda.is_available()"\n\nCMD')))
case("df-healthcheck-builder-only", "the HEALTHCHECK is in the builder stage, not in the shipped image",
     {"dockerfile.gpu-healthcheck": "fail"},
     dockerfile=sub(D, (HC + "\n", ""), ("RUN python3 -m venv /opt/venv", HC + "\nRUN python3 -m venv /opt/venv")))
case("df-healthcheck-none", "the final stage switches health checks off with HEALTHCHECK NONE",
     {"dockerfile.gpu-healthcheck": "fail"},
     dockerfile=sub(D, ('CMD ["python3", "/app/smoke_test.py"]\n\nCMD', 'CMD ["python3", "/app/smoke_test.py"]\nHEALTHCHECK NONE\n\nCMD')))

case("wf-test-on-ubuntu", "the GPU test job runs on a GitHub-hosted runner", {"workflow.gpu-runner": "fail"},
     workflow=sub(W, ("    needs: build\n    runs-on: [self-hosted, gpu]", "    needs: build\n    runs-on: ubuntu-latest")))
case("wf-bare-self-hosted", "the GPU test job runs on a bare self-hosted label, no GPU label",
     {"workflow.gpu-runner": "fail"},
     workflow=sub(W, ("    needs: build\n    runs-on: [self-hosted, gpu]", "    needs: build\n    runs-on: self-hosted")))
case("wf-matrix-leg-ubuntu", "one matrix leg of the GPU test runs on ubuntu-latest", {"workflow.gpu-runner": "fail"},
     workflow=sub(W, ("    needs: build\n    runs-on: [self-hosted, gpu]",
                      "    needs: build\n    strategy:\n      matrix:\n        runner: [[self-hosted, gpu], ubuntu-latest]\n    runs-on: ${{ matrix.runner }}")))
case("wf-test-or-true", "the GPU test's failure is hidden with || true, so the push is not gated on it",
     {"workflow.push-gated": "fail", "workflow.build-test": "any"},
     workflow=sub(W, ('docker run --rm --gpus all "$IMAGE:${{ github.sha }}" python3 /app/smoke_test.py\n',
                      'docker run --rm --gpus all "$IMAGE:${{ github.sha }}" python3 /app/smoke_test.py || true\n')))
case("wf-continue-on-error", "the GPU test step has continue-on-error: true", {"workflow.push-gated": "fail", "workflow.build-test": "any"},
     workflow=sub(W, ("      - name: Smoke test with a GPU (must exit 0)\n", "      - name: Smoke test with a GPU (must exit 0)\n        continue-on-error: true\n")))
case("wf-push-any-branch", "runs on pushes to every branch; the push is gated on event_name != pull_request only",
     {"workflow.push-gated": "fail"},
     workflow=sub(W, ("  push:\n    branches: [main]\n", "  push:\n"), ("    if: github.event_name == 'push' && github.ref == 'refs/heads/main'", "    if: github.event_name != 'pull_request'")))
case("wf-inverted-gate", "the main-branch test is inverted", {"workflow.push-gated": "fail"},
     workflow=sub(W, ("    if: github.event_name == 'push' && github.ref == 'refs/heads/main'", "    if: github.event_name == 'push' && github.ref != 'refs/heads/main'")))
case("wf-push-without-needs", "the push job does not wait for the GPU test", {"workflow.push-gated": "fail"},
     workflow=sub(W, ("    needs: [build, gpu-test]\n", "    needs: [build]\n")))
case("wf-push-only-echoed", "the push is only echoed, never run", {"workflow.push-gated": "fail"},
     workflow=sub(W, ('          docker push "$IMAGE:${{ github.sha }}"', '          echo "docker push $IMAGE:${{ github.sha }}"')))
case("wf-push-in-heredoc", "the push command is only written into a heredoc script that never runs", {"workflow.push-gated": "fail"},
     workflow=sub(W, ('          docker push "$IMAGE:${{ github.sha }}"', "          cat > push.sh <<'EOF'\n          docker push \"$IMAGE:${{ github.sha }}\"\n          EOF")))
case("wf-build-in-comment", "the image build exists only as a comment", {"workflow.build-test": "fail"},
     workflow=sub(W, ('          docker build --pull -t "$IMAGE:${{ github.sha }}" .', '          # docker build --pull -t "$IMAGE:${{ github.sha }}" .\n          echo building')))
case("wf-build-push-action-expr-push", "build-push-action pushes on every non-PR event, before the GPU test",
     {"workflow.push-gated": "fail"},
     workflow=sub(W, ("      - uses: actions/checkout@v4\n      - name: Build image\n",
                      "      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          push: ${{ github.event_name != 'pull_request' }}\n          tags: ghcr.io/example/gpu-inference:${{ github.sha }}\n      - name: Build image\n")))

PROBES_TO_SIDECAR = sub(K, ("          securityContext:\n            allowPrivilegeEscalation: false\n",
                            "          securityContext:\n            allowPrivilegeEscalation: false\n"))
def cut_probes(text):
    start = text.index("          # Readiness fails fast"); end = text.index("          securityContext:\n            allowPrivilegeEscalation")
    return text[:start] + text[end:], text[start:end]
NOPROBE, PROBES = cut_probes(K)
case("k8s-probes-on-sidecar", "the probes sit on a sidecar, not on the GPU container", {"deployment.probes": "fail"},
     deployment=NOPROBE + "        - name: log-shipper\n          image: fluent/fluent-bit:3.0\n" + PROBES)
case("k8s-probes-on-init-container", "the probes sit on an init container", {"deployment.probes": "fail"},
     deployment=sub(NOPROBE, ("      containers:\n", "      initContainers:\n        - name: warmup\n          image: busybox:1.36\n" + PROBES + "      containers:\n")))
case("k8s-probe-lowercase-typo", "readinessprobe (wrong case) is not a readiness probe", {"deployment.probes": "fail"},
     deployment=sub(K, ("          readinessProbe:", "          readinessprobe:")))
case("k8s-probe-without-handler", "the readiness probe has timings but no handler", {"deployment.probes": "fail"},
     deployment=sub(K, ("          readinessProbe:\n            exec:\n              command: [\"python3\", \"/app/smoke_test.py\"]\n",
                        "          readinessProbe:\n")))
case("k8s-gpu-zero", "nvidia.com/gpu limit of 0 (and request 0)", {"deployment.gpu": "fail"},
     deployment=sub(K, ('nvidia.com/gpu: "1"', 'nvidia.com/gpu: "0"')))
case("k8s-gpu-requests-only", "the GPU is only requested, not limited", {"deployment.gpu": "fail"},
     deployment=sub(K, ('              nvidia.com/gpu: "1"       # extended resource: request must equal limit\n', "")))
case("k8s-gpu-duplicate-key", "the limits mapping repeats nvidia.com/gpu (1, then 0)", {"deployment.gpu": "fail"},
     deployment=sub(K, ('              nvidia.com/gpu: "1"       # extended resource: request must equal limit\n',
                        '              nvidia.com/gpu: "1"       # extended resource: request must equal limit\n              nvidia.com/gpu: 0\n')))
case("k8s-gpu-fractional", "half a GPU is not a whole-number limit", {"deployment.gpu": "fail"},
     deployment=sub(K, ('nvidia.com/gpu: "1"', 'nvidia.com/gpu: "0.5"')))
case("k8s-gpu-in-comment", "the GPU limit is commented out", {"deployment.gpu": "fail"},
     deployment=sub(K, ('              nvidia.com/gpu: "1"       # extended', '              # nvidia.com/gpu: "1"       # extended'),
                    ('              nvidia.com/gpu: "1"\n              memory', '              # nvidia.com/gpu: "1"\n              memory')))
case("k8s-rolling-both-zero", "maxUnavailable 0 and maxSurge 0: the rollout can never progress", {"deployment.rolling": "fail"},
     deployment=sub(K, ("maxSurge: 1 ", "maxSurge: 0 ")))
case("k8s-rolling-typo", "maxUnavaliable (typo) leaves maxUnavailable unset", {"deployment.rolling": "fail"},
     deployment=sub(K, ("maxUnavailable: 0 ", "maxUnavaliable: 0 ")))
case("k8s-recreate", "strategy Recreate is not a rolling update", {"deployment.rolling": "fail"},
     deployment=sub(K, ("    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 0             # never drop below full serving capacity\n      maxSurge: 1                   # needs one spare GPU; without surge the rollout deadlocks\n",
                        "    type: Recreate\n")))
case("k8s-selector-mismatch", "the selector does not match the pod labels", {"deployment.shape": "fail"},
     deployment=sub(K, ("  selector:\n    matchLabels:\n      app: gpu-inference", "  selector:\n    matchLabels:\n      app: gpu-inference-v2")))

case("rb-commands-commented", "the rollback commands are comments", {"rollback.commands": "fail"},
     rollout=sub(RO, ("  - kubectl -n ml rollout history deployment/gpu-inference", "  - \"# kubectl -n ml rollout history deployment/gpu-inference\""),
                 ("  - kubectl -n ml rollout undo deployment/gpu-inference\n", "  - \"# kubectl -n ml rollout undo deployment/gpu-inference\"\n"),
                 ("  - kubectl -n ml rollout undo deployment/gpu-inference --to-revision=2", "  - echo kubectl -n ml rollout undo deployment/gpu-inference --to-revision=2")))
case("rb-undo-daemonset", "the undo targets a DaemonSet", {"rollback.commands": "fail"},
     rollout=sub(RO, ("  - kubectl -n ml rollout undo deployment/gpu-inference\n", "  - kubectl -n ml rollout undo daemonset/gpu-inference\n"),
                 ("  - kubectl -n ml rollout undo deployment/gpu-inference --to-revision=2", "  - kubectl -n ml rollout undo daemonset/gpu-inference --to-revision=2")))
case("rb-no-history", "no rollout history command", {"rollback.commands": "fail"},
     rollout=sub(RO, ("  - kubectl -n ml rollout history deployment/gpu-inference\n", "")))
PROMO = RO[RO.index("image_promotion_flow:"):]
def stages(text):
    head, rest = text.split("  - stage: dev", 1); dev, rest = rest.split("  - stage: staging", 1); stg, prod = rest.split("  - stage: prod", 1)
    return head, "  - stage: dev" + dev, "  - stage: staging" + stg, "  - stage: prod" + prod.rstrip("\n") + "\n"
h, dv, st, pr = stages(RO)
case("promo-wrong-order", "stages in the order prod, staging, dev", {"promotion.flow": "fail"}, rollout=h + pr + st + dv)
case("promo-two-stages", "only dev and prod", {"promotion.flow": "fail"}, rollout=h + dv + pr)
case("promo-missing-gate", "the staging stage has no gate", {"promotion.flow": "fail"},
     rollout=h + dv + "\n".join(l for l in st.split("\n") if not l.startswith("    gate:")) + pr)

case("answers-missing-workflow", "the answers file has no workflow_yaml", {"workflow.build-test": "fail", "workflow.gpu-runner": "fail", "workflow.push-gated": "fail"},
     answers_text=answers(BASE).replace(block("workflow_yaml", W), ""))
case("answers-dockerfile-is-a-list", "dockerfile given as a list of lines, not a string",
     {"dockerfile.multistage": "fail", "dockerfile.nonroot": "fail", "dockerfile.gpu-healthcheck": "fail"},
     answers_text=answers(BASE).replace(block("dockerfile", D), "dockerfile:\n" + "".join(f"  - {json.dumps(l)}\n" for l in D.strip().split("\n") if l.strip())))

REPO_FILES = {"Dockerfile": D, "smoke_test.py": BASE["smoke"], "serve.py": (R / "serve.py").read_text(),
              "requirements.txt": (R / "requirements.txt").read_text(), ".github/workflows/gpu-ci.yml": W,
              "k8s/deployment.yaml": K, "rollout.yaml": RO}
case("repo-config-turns-rules-off", "a bad Dockerfile plus a .gpulint.yaml that ignores the Dockerfile rules",
     {"dockerfile.nonroot": "fail", "dockerfile.gpu-healthcheck": "fail"},
     files={**REPO_FILES, ".gpulint.yaml": "ignore: [GL1, GL102, GL104]\nselect: [GL3]\n",
            "Dockerfile": sub(D, ("USER 10001:10001", "USER root"), ('CMD ["python3", "/app/smoke_test.py"]\n\nCMD', 'CMD curl -f http://localhost:8000/healthz\n\nCMD'))})
case("repo-missing-manifest", "the repository has no Kubernetes manifest",
     {c: "fail" for c in ("deployment.shape", "deployment.probes", "deployment.gpu", "deployment.rolling")},
     files={k: v for k, v in REPO_FILES.items() if not k.startswith("k8s/")})
case("repo-manifest-in-readme-only", "the Deployment appears only in a Markdown code block",
     {c: "fail" for c in ("deployment.shape", "deployment.probes", "deployment.gpu", "deployment.rolling")},
     files={**{k: v for k, v in REPO_FILES.items() if not k.startswith("k8s/")}, "README.md": "```yaml\n" + K + "```\n"})

# ------------------------------------------------------------------ honest, written unusually
LOWER = "\n".join((l.split(" ", 1)[0].lower() + (" " + l.split(" ", 1)[1] if " " in l else "")) if l[:1].isupper() and l.split(" ", 1)[0].isupper() else l for l in D.split("\n"))
case("ok-lowercase-instructions", "Dockerfile instructions in lower case", {}, dockerfile=LOWER)
case("ok-inline-python-healthcheck", "shell-form HEALTHCHECK with an inline CUDA tensor check, USER by name", {},
     dockerfile=sub(D, ('CMD ["python3", "/app/smoke_test.py"]\n\nCMD', "CMD python3 -c \"import torch; assert torch.cuda.is_available(); x = torch.ones(8, device='cuda'); assert float((x * 2).sum()) == 16.0\"\n\nCMD"),
                    ("USER 10001:10001", "USER app")))
case("ok-yaml-anchors", "probes and runner labels written once with anchors, aliases and merge keys", {},
     deployment=sub(K, ("          readinessProbe:\n            exec:\n              command: [\"python3\", \"/app/smoke_test.py\"]\n            timeoutSeconds: 20\n",
                        "          readinessProbe: &probe\n            exec:\n              command: [\"python3\", \"/app/smoke_test.py\"]\n            timeoutSeconds: 20\n"),
                    ("          livenessProbe:\n            exec:\n              command: [\"python3\", \"/app/smoke_test.py\"]\n            timeoutSeconds: 30\n",
                     "          livenessProbe:\n            <<: *probe\n            timeoutSeconds: 30\n")),
     workflow=sub(W, ("    if: github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository\n    runs-on: [self-hosted, gpu]",
                      "    if: github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository\n    runs-on: &gpu [self-hosted, gpu]"),
                  ("    needs: build\n    runs-on: [self-hosted, gpu]", "    needs: build\n    runs-on: *gpu")))
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: gpu-inference\n  namespace: ml\nspec:\n  selector:\n    app: gpu-inference\n  ports:\n    - port: 80\n      targetPort: 8000\n"
dep_obj = yaml.safe_load(K)
LIST = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [yaml.safe_load(SERVICE), dep_obj]}, sort_keys=False)
case("ok-kind-list", "the Deployment inside a kind: List with a Service", {}, deployment=LIST)
case("ok-flow-style-json-manifest", "the Deployment in JSON (flow style)", {}, deployment=json.dumps(dep_obj, indent=1))
case("ok-crlf-bom", "answers file saved on Windows: UTF-8 BOM and CRLF line ends", {},
     answers_text="\ufeff" + answers(BASE).replace("\n", "\r\n"))
case("ok-json-answers", "the answers file is JSON", {}, answers_name="answers.json",
     answers_text=json.dumps({"dockerfile": D, "workflow_yaml": W, "deployment_yaml": K, "smoke_test_py": BASE["smoke"],
                              **yaml.safe_load(RO)}, indent=2))
case("ok-matrix-include-runner", "runs-on resolved through a matrix with include, both legs on GPU runners", {},
     workflow=sub(W, ("    needs: build\n    runs-on: [self-hosted, gpu]",
                      "    needs: build\n    strategy:\n      matrix:\n        cuda: ['12.4']\n        include:\n          - cuda: '12.4'\n            runner: [self-hosted, gpu, a100]\n    runs-on: ${{ matrix.runner }}")))
case("ok-runner-group-labels", "runs-on in the {group, labels} form", {},
     workflow=sub(W, ("    needs: build\n    runs-on: [self-hosted, gpu]", "    needs: build\n    runs-on:\n      group: gpu-fleet\n      labels: [self-hosted, gpu]")))
ONE_JOB = """name: ci
on:
  push:
    branches: [main]
  pull_request:
jobs:
  all:
    runs-on: [self-hosted, linux, gpu]
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t ghcr.io/acme/infer:${{ github.sha }} .
      - run: docker run --rm --gpus all ghcr.io/acme/infer:${{ github.sha }} python3 /app/smoke_test.py
      - name: push
        if: github.event_name == 'push' && github.ref == 'refs/heads/main'
        run: docker push ghcr.io/acme/infer:${{ github.sha }}
"""
case("ok-single-job-step-gates", "build, test and push in one job; the push step gated by its own if:", {}, workflow=ONE_JOB)
MAIN_ONLY = sub(W, ("  push:\n    branches: [main]\n  pull_request:\n    branches: [main]\n", "  push:\n    branches: [main]\n"),
                ("    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n", ""))
case("ok-trigger-filter-gates-push", "the workflow only runs on pushes to main, so the push job needs no if:", {}, workflow=MAIN_ONLY)
case("ok-rollback-flags-anywhere", "kubectl global flags in odd places, deployment NAME form", {},
     rollout=sub(RO, ("  - kubectl -n ml rollout history deployment/gpu-inference", "  - kubectl rollout --context prod history deployment gpu-inference -n ml   # list revisions"),
                 ("  - kubectl -n ml rollout undo deployment/gpu-inference\n", "  - kubectl --namespace=ml rollout undo deploy/gpu-inference\n")))
case("ok-promotion-synonyms", "development / stage / production stage names", {},
     rollout=sub(RO, ("  - stage: dev\n", "  - stage: development\n"), ("  - stage: staging\n", "  - stage: stage\n"), ("  - stage: prod\n", "  - stage: production\n")))
case("ok-quoted-gpu-percent-rolling", "quoted GPU quantity, percentages in the rolling update", {},
     deployment=sub(K, ("maxUnavailable: 0 ", "maxUnavailable: \"0%\" "), ("maxSurge: 1 ", "maxSurge: \"25%\" ")))
case("ok-repo-containerfile-json-rollout", "a repository with a Containerfile, a multi-document manifest and a JSON rollout plan", {},
     files={**{k: v for k, v in REPO_FILES.items() if k not in ("Dockerfile", "rollout.yaml", "k8s/deployment.yaml")},
            "Containerfile": D, "deploy/app.yaml": SERVICE + "---\n" + K, "rollout.json": json.dumps(yaml.safe_load(RO), indent=2)})

import nbformat
def notebook(cells):
    nb = nbformat.v4.new_notebook(); nb.cells = cells; return nbformat.writes(nb)
def wf(path, text, flag=""):
    return nbformat.v4.new_code_cell(f"%%writefile {flag}{path}\n" + text)
def tagged(tag, text, raw=True):
    c = (nbformat.v4.new_raw_cell if raw else nbformat.v4.new_code_cell)(text); c.metadata["tags"] = [tag]; return c
md = nbformat.v4.new_markdown_cell
case("ok-notebook-writefile", "a notebook whose cells %%writefile each artifact", {}, answers_name="lab.ipynb",
     answers_text=notebook([md("# GPU lab\nStep 1: the Dockerfile"), wf("Dockerfile", D), wf("smoke_test.py", BASE["smoke"]),
                            md("Step 2: CI"), wf(".github/workflows/gpu-ci.yml", W), wf("k8s/deployment.yaml", K), wf("rollout.yaml", RO),
                            nbformat.v4.new_code_cell("!docker build -t gpu-inference .")]))
case("ok-notebook-tagged-cells", "a notebook with raw cells tagged by artifact, rollout split into two tagged cells", {},
     answers_name="lab.ipynb",
     answers_text=notebook([tagged("dockerfile", D), tagged("smoke_test", BASE["smoke"], raw=False), tagged("workflow", W), tagged("deployment", K),
                            tagged("rollback_commands", "\n".join(l[2:] for l in RO.split("image_promotion_flow:")[0].split("\n") if l.startswith("  "))),
                            tagged("image_promotion_flow", PROMO)]))
case("nb-healthcheck-curl", "a notebook whose Dockerfile cell health-checks with curl; the USER line is commented",
     {"dockerfile.gpu-healthcheck": "fail", "dockerfile.nonroot": "fail"}, answers_name="lab.ipynb",
     answers_text=notebook([wf("Dockerfile", sub(D, ('CMD ["python3", "/app/smoke_test.py"]\n\nCMD', 'CMD curl -f http://localhost:8000/healthz\n\nCMD'), ("USER 10001:10001", "# USER 10001:10001"))),
                            wf("smoke_test.py", BASE["smoke"]), wf(".github/workflows/gpu-ci.yml", W), wf("k8s/deployment.yaml", K), wf("rollout.yaml", RO)]))
# ------------------------------------------------------------------ more tricks, and more unusual honest forms
BACKTICK = "# escape=`\n" + "\n".join(l[:-1] + "`" if l.endswith("\\") else l for l in D.split("\n"))
case("ok-backtick-escape", "a Dockerfile using the `# escape=`` directive, continuations end with a backtick", {},
     dockerfile=BACKTICK)
case("df-user-in-heredoc-body", "the USER line is only a line of a RUN heredoc body (a shell command, not an instruction)",
     {"dockerfile.nonroot": "fail"},
     dockerfile=sub(D, ("USER 10001:10001", "RUN <<EOF\nUSER 10001:10001\nEOF")))
case("df-second-from-in-copy-heredoc", "single stage; the second FROM is only text a COPY heredoc writes to a file",
     {"dockerfile.multistage": "fail"},
     dockerfile=sub(SINGLE, ("WORKDIR /app", "COPY <<EOF /stages.txt\n" + RUNTIME + "\nEOF\nWORKDIR /app")))
case("df-healthcheck-exec-echo", "exec-form HEALTHCHECK that only echoes the smoke test command",
     {"dockerfile.gpu-healthcheck": "fail"},
     dockerfile=sub(D, ('CMD ["python3", "/app/smoke_test.py"]\n\nCMD', 'CMD ["echo", "python3 /app/smoke_test.py"]\n\nCMD')))
case("k8s-liveness-disabled-key", "livenessProbe renamed to x-livenessProbe to switch it off",
     {"deployment.probes": "fail"},
     deployment=sub(K, ("          livenessProbe:", "          x-livenessProbe:")))
case("k8s-gpu-limits-disabled-key", "the limits mapping renamed to _limits; only requests remain",
     {"deployment.gpu": "fail"},
     deployment=sub(K, ("            limits:", "            _limits:")))
case("wf-push-gate-commented-out", "the push job's if: is commented out, so it runs for every push and pull request",
     {"workflow.push-gated": "fail"},
     workflow=sub(W, ("    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n",
                      "    # if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n")))
case("wf-push-gate-in-string", "the main-branch gate is only a string in env:, not an if:",
     {"workflow.push-gated": "fail"},
     workflow=sub(W, ("    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n",
                      "    env:\n      GATE: \"if: github.event_name == 'push' && github.ref == 'refs/heads/main'\"\n")))
case("ok-json-deployment-file", "a repository whose Deployment is a JSON file (deployment.json)", {},
     files={**{k: v for k, v in REPO_FILES.items() if k != "k8s/deployment.yaml"},
            "k8s/deployment.json": json.dumps(yaml.safe_load(K), indent=2)})
import cases_round2  # noqa: E402  (the second round of cases, written against these helpers)
cases_round2.generate(globals())
print(len([p for p in OUT.iterdir() if p.is_dir()]), "cases")
