#!/usr/bin/env python3
"""Minimal inference-service stand-in: warm up CUDA once, then serve GET /healthz on :8000.

It refuses to start without a working GPU. /healthz only says the HTTP process is
alive; whether the GPU still computes is smoke_test.py's job (HEALTHCHECK, probes).
"""
from __future__ import annotations

import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch

PORT = int(os.environ.get("PORT", "8000"))


def warm_up() -> str:
    """Create the CUDA context and run one kernel, so the first request doesn't pay for it."""
    if not torch.cuda.is_available():
        raise SystemExit("serve: CUDA is not available; refusing to start")
    x = torch.ones(1024, 1024, device="cuda")
    (x @ x).sum().item()  # .item() synchronizes: the kernel really ran
    return torch.cuda.get_device_name(0)


class Handler(BaseHTTPRequestHandler):
    device = "unknown"

    def do_GET(self) -> None:
        if self.path != "/healthz":
            self.send_error(404)
            return
        body = json.dumps({"status": "ok", "device": self.device}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    Handler.device = warm_up()
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    # Kubernetes sends SIGTERM on rollout: stop the accept loop and exit cleanly.
    # shutdown() blocks until serve_forever() returns, so it must run off the main thread.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"serve: listening on :{PORT} with {Handler.device}", flush=True)
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main()
