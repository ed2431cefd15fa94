"""What a grade was computed from: the gpulint version, a hash of the rubric, a hash of the
submission's graded files. Two grades with the same three are the same grade, byte for byte;
``grade --batch --compare`` uses them to say why a grade changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from gpulint import __version__ as GPULINT_VERSION
from gpulint.grading.rubric import Rubric

if TYPE_CHECKING:
    from gpulint.grading.submission import Submission

__all__ = ["GPULINT_VERSION", "canonical_rubric", "rubric_hash", "submission_hash"]


def canonical_rubric(rubric: Rubric) -> dict:
    """The rubric as parsed, defaults filled in: YAML comments, key order, quoting and explicit
    defaults make no difference, every setting that can change a grade or its feedback does."""
    return {
        "name": rubric.name,
        "title": rubric.title,
        "description": rubric.description,
        "require": list(rubric.require),
        "honor_suppressions": rubric.honor_suppressions,
        "gpu_runner_labels": list(rubric.gpu_runner_labels),
        "visibility": rubric.visibility,
        "hide_findings": rubric.hide_findings,
        "criteria": [
            {
                "id": c.id, "title": c.title, "points": c.points, "rules": list(c.rules),
                "pass_feedback": c.pass_feedback, "fail_feedback": c.fail_feedback,
                "description": c.description, "visibility": c.visibility, "live": c.live,
                "fail_on": c.fail_on.value,
            }
            for c in rubric.criteria
        ],
    }


def rubric_hash(rubric: Rubric) -> str:
    """``sha256:`` and the hex digest of the canonical rubric as sorted, compact UTF-8 JSON."""
    text = json.dumps(canonical_rubric(rubric), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def submission_hash(path: Path, submission: Submission | None) -> str:
    """``sha256:`` over the files gpulint graded: the file itself (answers file, notebook), or each
    file read in a folder as its relative path and its bytes, in path order. Files gpulint does not
    read (a README, ``.git/``) do not change it. Empty when the submission could not be read."""
    if submission is None:
        return ""
    digest = hashlib.sha256()
    path = Path(path)
    if path.is_dir():
        root = submission.result.root
        for rel in sorted(set(submission.result.files)):
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(_file_digest(Path(root) / rel) + b"\0")
    else:
        digest.update(_file_digest(path))
    return "sha256:" + digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except OSError as error:  # gone or unreadable since it was graded: say so in the hash input
        return f"unreadable: {error.strerror or error}".encode()
