"""A finding's identity across edits: what SARIF's ``partialFingerprints`` and baselines key on.

The key is the rule, the file and the text of the offending line (without its indentation), plus
how many identical keys came before it in the file: never the line number, so inserting or
deleting lines elsewhere in the file keeps every finding's fingerprint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote


def fingerprints(findings: Iterable[Any]) -> list[str]:
    """One sha256 hex digest per finding, in order (pass findings in their sorted order)."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        text = finding.source.line_text(finding.line).strip() if finding.source is not None else ""
        key = "\0".join((finding.rule, quote(finding.path, safe="/"), text))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        out.append(hashlib.sha256(f"{key}\0{occurrence}".encode()).hexdigest())
    return out
