#!/usr/bin/env python3
"""Regenerate docs/img/gradebook.png: the HTML gradebook of the tests' generated class of 200
submissions, opened in headless Chromium (/usr/bin/chromium) and photographed from the top.

    python scripts/gradebook_screenshot.py [--output docs/img/gradebook.png]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from chromium import Chromium  # noqa: E402
from gradebook_class import make_class  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs/img/gradebook.png")
    parser.add_argument("--height", type=int, default=1800, help="pixels of the page to show (default 1800)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gpulint-gradebook-") as tmp:
        submissions, report = Path(tmp) / "submissions", Path(tmp) / "report.html"
        make_class(submissions, 200)
        subprocess.run([sys.executable, "-m", "gpulint", "grade", str(submissions), "--batch", "--format", "html",
                        "-o", str(report)], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        with Chromium() as browser:
            page = browser.open(report.as_uri(), width=1280, height=args.height)
            png = browser.screenshot(page)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(png)
    print(f"{args.output}: {len(png)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
