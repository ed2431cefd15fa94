#!/usr/bin/env bash
# Gradescope autograder setup: runs once, as root, when the autograder image is built.
# Installs gpulint into its own virtual environment: a gpulint wheel (gpulint-*.whl) put next to
# this file in the autograder zip, else the release tag from gpulint's repository (gpulint is not
# published on PyPI).
set -euo pipefail

apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip git
python3 -m venv /autograder/venv

WHEEL=$(ls /autograder/source/gpulint-*.whl 2>/dev/null | head -n 1 || true)
if [ -n "$WHEEL" ]; then
    /autograder/venv/bin/pip install "${WHEEL}[notebook]"
else
    /autograder/venv/bin/pip install "gpulint[notebook] @ git+https://github.com/gpulint/gpulint@v0.4.0"
fi
/autograder/venv/bin/gpulint --version
