"""The real-world corpus under tests/data/corpus matches its manifest, byte for byte.

Every file the manifest lists exists with the recorded SHA-256, every file in the corpus is
listed, and each row carries the columns the review relies on (origin, kind, role, GPU verdict).
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
MANIFEST = CORPUS / "MANIFEST.tsv"
COLUMNS = ["repo", "path", "commit", "sha256", "kind", "role", "gpu", "note"]
KINDS = {"dockerfile", "workflow", "gitlab", "cloudbuild", "tekton", "kubernetes", "rollout", "other"}
# The corpus's own files: not project artifacts.
OWN_FILES = {"MANIFEST.tsv", "README.md", ".gitignore"}
REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
COMMIT = re.compile(r"^([0-9a-f]{40})?$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _rows() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == COLUMNS, f"manifest header is {reader.fieldnames}"
        return list(reader)


def _corpus_path(row: dict[str, str]) -> Path:
    return CORPUS / row["repo"].replace("/", "__") / row["path"]


ROWS = _rows() if MANIFEST.is_file() else []


def test_manifest_present_and_not_empty():
    assert MANIFEST.is_file(), f"missing {MANIFEST}"
    assert len(ROWS) >= 150


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['repo']}:{row['path']}")
def test_listed_file_matches_recorded_bytes(row):
    path = _corpus_path(row)
    assert path.is_file(), f"{path} is listed but missing"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"], f"{path} differs from its recorded bytes"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['repo']}:{row['path']}")
def test_row_is_well_formed(row):
    assert REPO_NAME.match(row["repo"]), row["repo"]
    assert row["path"] and not row["path"].startswith("/") and ".." not in row["path"].split("/")
    assert COMMIT.match(row["commit"]), row["commit"]
    assert SHA256.match(row["sha256"]), row["sha256"]
    assert row["kind"] in KINDS, row["kind"]
    assert row["role"].strip(), "role is written before any lint run"
    assert row["gpu"].split(":")[0].strip() in {"yes", "no", "unclear"}, row["gpu"]


def test_every_corpus_file_is_listed():
    listed = {_corpus_path(row).relative_to(CORPUS).as_posix() for row in ROWS}
    present = {
        path.relative_to(CORPUS).as_posix()
        for path in CORPUS.rglob("*")
        if path.is_file() and path.relative_to(CORPUS).as_posix() not in OWN_FILES
    }
    assert present - listed == set(), "files in the corpus without a manifest row"
    assert listed - present == set(), "manifest rows without a file"


def test_rows_are_unique():
    keys = [(row["repo"], row["path"]) for row in ROWS]
    assert len(keys) == len(set(keys))


def test_corpus_stays_small():
    total = sum(path.stat().st_size for path in CORPUS.rglob("*") if path.is_file())
    assert total < 5 * 1024 * 1024, f"corpus is {total} bytes"
