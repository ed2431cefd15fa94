"""Baselines: record today's findings, then report only new ones (adopting gpulint on an old
repository without fixing everything first).

A baseline is a JSON file: ``{"gpulint_baseline": 1, "findings": [{"fingerprint", "rule", "path",
"line", "message"}]}``. Findings are matched by fingerprint (``gpulint.core.fingerprint``), so a
recorded finding stays recorded when lines are inserted above it or the file is edited elsewhere;
``rule``, ``path``, ``line`` and ``message`` are there for the people reviewing the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gpulint import __version__
from gpulint.core.errors import UsageError
from gpulint.core.fingerprint import fingerprints

FORMAT = 1


def write_baseline(result: Any, path: Path) -> int:
    """Record the run's unsuppressed findings in ``path``; the number recorded."""
    entries = [{"fingerprint": fingerprint, "rule": f.rule, "path": f.path, "line": f.line, "message": f.message}
               for f, fingerprint in zip(result.findings, fingerprints(result.findings)) if not f.suppressed]
    document = {"gpulint_baseline": FORMAT, "gpulint_version": __version__, "findings": entries}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> set[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"baseline file not found: {path} (write one with --write-baseline {path})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"cannot read the baseline {path}: {error}") from None
    if not isinstance(document, dict) or document.get("gpulint_baseline") != FORMAT \
            or not isinstance(document.get("findings"), list):
        raise UsageError(f"{path} is not a gpulint baseline (write one with --write-baseline {path})")
    found = set()
    for entry in document["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise UsageError(f"{path}: every finding of a baseline needs a \"fingerprint\" string")
        found.add(entry["fingerprint"])
    return found


def apply_baseline(result: Any, path: Path) -> int:
    """Drop the findings the baseline records; the number dropped (kept on ``result.baselined``)."""
    known = read_baseline(path)
    kept = [f for f, fingerprint in zip(result.findings, fingerprints(result.findings)) if fingerprint not in known]
    result.baselined = len(result.findings) - len(kept)
    result.findings = kept
    return result.baselined
