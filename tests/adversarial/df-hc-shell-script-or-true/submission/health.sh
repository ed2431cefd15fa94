#!/bin/sh
# GPU health
python3 /app/smoke_test.py || true
