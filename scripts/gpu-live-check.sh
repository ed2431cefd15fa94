#!/usr/bin/env bash
# Live mode on a GPU machine without Docker or network: the reference through the host engine with
# --require-gpu, and the reference smoke test on its own, with this machine's Python (which must have
# torch with CUDA and nvidia-ml-py). Prints both results; exits non-zero when either fails.
#
#   scripts/gpu-live-check.sh [PYTHON]      # default: python3 on PATH
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${1:-python3}"

echo "== $PY: $("$PY" -c 'import sys; print(sys.version.split()[0])')"
"$PY" -c 'import torch, pynvml; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available())' \
    || { echo "gpu-live-check: $PY needs torch and nvidia-ml-py" >&2; exit 2; }
"$PY" -c 'import yaml, jsonschema, rich, bashlex, pathspec' \
    || { echo "gpu-live-check: $PY lacks gpulint's dependencies (pip install -e . where there is an index)" >&2; exit 2; }
nvidia-smi -L 2>/dev/null || true

echo "== the reference smoke test, with the GPUs"
"$PY" reference/smoke_test.py; smoke=$?
echo "exit $smoke"
echo "== the reference smoke test, with CUDA_VISIBLE_DEVICES='' (must fail: exit 3)"
CUDA_VISIBLE_DEVICES= "$PY" reference/smoke_test.py; hidden=$?
echo "exit $hidden"

echo "== gpulint live reference/ --engine host --require-gpu --format json"
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m gpulint live reference/ --engine host --require-gpu \
    --format json -o gpu-live-check.json; live=$?
cat gpu-live-check.json
echo "== the same, as text"
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m gpulint live reference/ --engine host --require-gpu
echo "gpu-live-check: reference exit $smoke, hidden exit $hidden, live exit $live (report: gpu-live-check.json)"
[ "$smoke" = 0 ] && [ "$hidden" = 3 ] && [ "$live" = 0 ]
