#!/usr/bin/env python3
"""Write gpulint/rules/index.json, every rule's metadata, from the rules themselves.

    python scripts/gen_rule_index.py          # rewrite the index
    python scripts/gen_rule_index.py --check  # exit 1 if it is out of date

The engine reads the index to import only the rules a run needs; run this after adding a rule or
changing a rule's id, name, kind, severity, criterion, aliases, summary, fix or documentation.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gpulint.rules.base import load_rules  # noqa: E402
from gpulint.engine.rule_index import INDEX_PATH, render_index  # noqa: E402


def main() -> int:
    text = render_index(load_rules())
    if "--check" in sys.argv[1:]:
        current = INDEX_PATH.read_text(encoding="utf-8") if INDEX_PATH.exists() else ""
        if current != text:
            print(f"{INDEX_PATH.relative_to(REPO)} is out of date: run scripts/gen_rule_index.py", file=sys.stderr)
            return 1
        return 0
    INDEX_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX_PATH.relative_to(REPO)} ({text.count(chr(10) + '  {')} rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
