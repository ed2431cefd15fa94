"""``--format json``: a public contract read by other tools and by the grader."""

from __future__ import annotations

import json

from gpulint import __version__


def summary(result) -> dict:
    counts = result.counts()
    return {
        "errors": counts["error"],
        "warnings": counts["warning"],
        "infos": counts["info"],
        "suppressed": sum(1 for f in result.findings if f.suppressed),
        "files": len(result.files),
        "elapsed_seconds": round(result.elapsed, 3),
        # only with --baseline: the findings the baseline recorded, left out of "findings"
        **({"baselined": result.baselined} if getattr(result, "baselined", None) is not None else {}),
    }


def render(result) -> str:
    document = {
        "version": __version__,
        "findings": [f.to_dict() for f in result.findings],
        "summary": summary(result),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
