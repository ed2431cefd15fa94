"""Hypothesis strategies and the property shared by tests/test_properties.py and the fuzz target:
linting any bytes never raises, and every finding's line and column lie inside its file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
REFERENCE = {
    "Dockerfile": (REPO / "reference" / "Dockerfile").read_bytes(),
    ".github/workflows/gpu-ci.yml": (REPO / "reference" / ".github" / "workflows" / "gpu-ci.yml").read_bytes(),
    "k8s/deployment.yaml": (REPO / "reference" / "k8s" / "deployment.yaml").read_bytes(),
    "rollout.yaml": (REPO / "reference" / "rollout.yaml").read_bytes(),
    "smoke_test.py": (REPO / "reference" / "smoke_test.py").read_bytes(),
}
# Bytes that mean something to YAML, shell, Dockerfiles and GitHub expressions.
SPECIAL = [b"\n", b"\r\n", b"\r", b"\t", b" ", b"  ", b":", b"- ", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"<<: ",
           b"#", b"'", b'"', b"\\", b"`", b"|", b"||", b"&&", b";", b"$", b"${{ ", b" }}", b"<<EOF\n", b"\nEOF\n",
           b"---\n", b"...\n", b"!!binary ", b"? ", b"\x00", b"\xff", b"\xef\xbb\xbf", b"0", b"-1", b"1e9",
           b"FROM ", b"USER ", b"RUN ", b"HEALTHCHECK ", b"CMD ", b"nvidia.com/gpu", b"if: ", b"run: ",
           b"readinessProbe:", b"kubectl rollout undo ", b"docker push ", b"true", b"null", b"~"]


@st.composite
def mutated_artifact(draw) -> tuple[str, bytes]:
    """One reference artifact after a few random edits (insert, delete, duplicate, truncate)."""
    name = draw(st.sampled_from(sorted(REFERENCE)))
    data = bytearray(REFERENCE[name])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "truncate", "byte"]))
        at = draw(st.integers(0, len(data)))
        if op == "insert":
            piece = draw(st.one_of(st.sampled_from(SPECIAL), st.binary(max_size=8)))
            data[at:at] = piece
        elif op == "delete":
            data[at:at + draw(st.integers(1, 40))] = b""
        elif op == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 80)))
            data[at:at] = data[at:end]
        elif op == "truncate":
            del data[at:]
        elif data and at < len(data):
            data[at] = draw(st.integers(0, 255))
    return name, bytes(data)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                     st.text(max_size=20), st.sampled_from(["RollingUpdate", "apps/v1", "Deployment", "nvidia.com/gpu",
                                                            "self-hosted", "gpu", "main", "docker push x", "0", "1"]))
_keys = st.one_of(st.text(max_size=12), st.sampled_from(
    ["apiVersion", "kind", "metadata", "name", "spec", "template", "containers", "resources", "limits",
     "nvidia.com/gpu", "readinessProbe", "livenessProbe", "exec", "command", "strategy", "rollingUpdate",
     "maxSurge", "maxUnavailable", "on", "jobs", "runs-on", "steps", "run", "uses", "if", "needs", "with",
     "matrix", "include", "rollback_commands", "image_promotion_flow", "items", "selector", "matchLabels"]))
yaml_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(_keys, inner, max_size=5)), max_leaves=30)


@st.composite
def random_yaml(draw) -> tuple[str, bytes]:
    """Random YAML documents, in block or flow style, under a name that makes them a workflow,
    a manifest or a rollout plan."""
    docs = draw(st.lists(yaml_values, min_size=1, max_size=3))
    flow = draw(st.booleans())
    text = yaml.safe_dump_all(docs, default_flow_style=flow, allow_unicode=True)
    name = draw(st.sampled_from([".github/workflows/ci.yml", "k8s/deployment.yaml", "rollout.yaml", "any.yaml"]))
    return name, text.encode("utf-8")


def lines_of(data: bytes) -> list[str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    return text.lstrip("\ufeff").split("\n")  # gpulint counts lines by LF (a CRLF ends one line)


def check_bytes(name: str, data: bytes) -> None:
    """Lint one file holding ``data``; raise AssertionError if a finding points outside it."""
    from gpulint.engine.run import run

    with tempfile.TemporaryDirectory(prefix="gpulint-prop-") as tmp:
        path = Path(tmp) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        result = run([Path(tmp)])
        lines = lines_of(data)
        for finding in result.findings:
            where = (finding.rule, finding.path, finding.line, finding.column, finding.message)
            assert finding.path == name, where
            assert 1 <= finding.line <= len(lines), where
            assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1, where
