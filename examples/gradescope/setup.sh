#!/usr/bin/env bash
# Gradescope autograder setup: runs once, as root, when the autograder image is built.
# Installs gpulint into its own virtual environment. To pin a build, put a gpulint wheel
# (gpulint-*.whl) next to this file in the autograder zip; otherwise it is installed from PyPI.
set -euo pipefail

apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 -m venv /autograder/venv

WHEEL=$(ls /autograder/source/gpulint-*.whl 2>/dev/null | head -n 1 || true)
if [ -n "$WHEEL" ]; then
    /autograder/venv/bin/pip install "${WHEEL}[notebook]"
else
    /autograder/venv/bin/pip install "gpulint[notebook]"
fi
/autograder/venv/bin/gpulint --version
