#!/bin/sh
set -eu
python3 /app/smoke_test.py
exit 0
