"""Run inside the image by gpulint live: report the NVIDIA devices this container really has, then run
gpulint's reference smoke test (smoke_test.py beside this file) and exit with its status.

Standard library only, and Python 3.6 syntax, so that it runs with whatever Python the image has.
The first line printed is ``GPULINT-PROBE {json}``; what follows is the reference smoke test's own output.
"""
import glob
import importlib.util
import json
import os
import platform
import runpy
import sys

MARK = "GPULINT-PROBE "


def devices():
    numbered = [p for p in glob.glob("/dev/nvidia*") if p[len("/dev/nvidia"):].isdigit()]
    wsl = [p for p in ("/dev/dxg",) if os.path.exists(p)]
    return sorted(numbered) + wsl


def main():
    info = {
        "python": platform.python_version(),
        "executable": sys.executable,
        "devices": devices(),
        "modules": {name: importlib.util.find_spec(name) is not None for name in ("pynvml", "torch")},
        "env": {name: os.environ.get(name) for name in ("NVIDIA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES")},
        "uid": os.getuid() if hasattr(os, "getuid") else None,
    }
    sys.stdout.write(MARK + json.dumps(info, sort_keys=True) + "\n")
    sys.stdout.flush()
    if sys.argv[1:] == ["--probe-only"]:
        return
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smoke_test.py")
    sys.argv = [script]
    runpy.run_path(script, run_name="__main__")  # the reference exits with its own status


if __name__ == "__main__":
    main()
