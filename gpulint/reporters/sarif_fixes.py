"""SARIF ``fixes``: a finding's automatic fix as artifact changes (SARIF 2.1.0, section 3.55).

Each edit is a replacement whose ``deletedRegion`` is the text it replaces (an empty region at
the insertion point for an insertion) and whose ``insertedContent`` is the new text. Regions use
1-based lines and columns counted in Unicode code points, as the rest of gpulint's SARIF does.
Whether a person must review the fix is in the fix's properties (``applicability``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from gpulint.reporters.links import repo_path


def sarif_fixes(finding: Any, base_id: str) -> list[dict]:
    fix = finding.autofix
    if fix is None:
        return []
    changes: dict[str, list[dict]] = {}
    for edit in fix.edits:
        begin, stop = edit.source.position(edit.start), edit.source.position(edit.end)
        region = {"startLine": begin.line, "startColumn": begin.column, "endLine": stop.line, "endColumn": stop.column}
        replacement: dict[str, Any] = {"deletedRegion": region}
        if edit.content:
            replacement["insertedContent"] = {"text": edit.content}
        changes.setdefault(edit.path, []).append(replacement)
    return [{
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": {"uri": quote(repo_path(path), safe="/"),
                                                  "uriBaseId": base_id},
                             "replacements": replacements} for path, replacements in changes.items()],
        "properties": {"applicability": fix.applicability.value},
    }]
