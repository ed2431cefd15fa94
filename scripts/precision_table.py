"""Precision per rule of `gpulint check` on the two reviewed corpora, from tests/data/verdicts.tsv.

    python scripts/precision_table.py            # markdown tables, as in docs/real-world.md

Every error and warning gpulint reports now is matched with its reviewed verdict (right, wrong,
debatable); precision is right / (right + wrong), "strict" counts debatable as not right.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPORA = {
    "corpus": REPO / "tests" / "data" / "corpus",
    "realworld": Path(os.environ.get("GPULINT_REALWORLD", REPO.parent / "shared" / "realworld")),
}


def lint_corpus(root: Path) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """`gpulint check --format json` of a corpus as its projects are checked on their own: a corpus
    inside this repository is copied out first, so this repository's folders above it (`tests/`)
    and configuration never bear on how its files are judged, and each of its `Owner__repo`
    folders becomes a repository of its own (an empty `.git`), so no fact crosses projects."""
    with tempfile.TemporaryDirectory(prefix="gpulint-corpus-") as temp:
        if root.resolve().is_relative_to(REPO):
            copy = Path(temp) / root.name
            shutil.copytree(root, copy, symlinks=True)
            for project in copy.iterdir():
                if project.is_dir() and "__" in project.name:
                    (project / ".git").mkdir(exist_ok=True)
            root = copy
        proc = subprocess.run([sys.executable, "-m", "gpulint", "check", str(root), "--format", "json"],
                              capture_output=True, text=True, cwd=REPO, timeout=300,
                              env=dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1"))
    return proc, json.loads(proc.stdout)["findings"] if proc.stdout.strip() else []


def main() -> int:
    with (REPO / "tests" / "data" / "verdicts.tsv").open(encoding="utf-8", newline="") as handle:
        verdicts = {(r["corpus"], r["path"], r["rule"], int(r["line"]), r["severity"]): r["verdict"]
                    for r in csv.DictReader(handle, delimiter="\t")}
    for corpus, root in CORPORA.items():
        if not root.is_dir():
            print(f"{root}: not found, skipped", file=sys.stderr)
            continue
        table: dict[tuple[str, str], Counter] = defaultdict(Counter)
        _, found = lint_corpus(root)
        for f in (f for f in found if not f["suppressed"] and f["severity"] in ("error", "warning")):
            verdict = verdicts.get((corpus, f["path"], f["rule"], f["line"], f["severity"]), "unreviewed")
            table[(f["rule"], f["severity"])][verdict] += 1
            table[("**all**", f["severity"])][verdict] += 1
        print(f"\n### {corpus}\n")
        print("| rule | severity | findings | right | wrong | debatable | unreviewed | precision | strict |")
        print("|---|---|---|---|---|---|---|---|---|")
        for (rule, severity), counts in sorted(table.items(), key=lambda kv: (kv[0][0].startswith("*"), kv[0])):
            total = sum(counts.values())
            right, wrong, debatable = counts["right"], counts["wrong"], counts["debatable"]
            precision = f"{right / (right + wrong):.0%}" if right + wrong else "n/a"
            print(f"| {rule} | {severity} | {total} | {right} | {wrong} | {debatable} | {counts['unreviewed']} | "
                  f"{precision} | {right / total:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
