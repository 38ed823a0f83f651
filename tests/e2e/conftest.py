"""Starts the local runtime (`python -m local.runtime`) on free loopback ports for the e2e
tests, exactly as `make dev` does, and stops it afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port, moto_port = _free_port(), _free_port()
    log = tmp_path_factory.mktemp("runtime") / "runtime.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_", "JWT_"))}
    env.update(
        {
            "INITIAL_CREDITS": "5000",
            "IMPORT_SYNC_MAX_ROWS": "500",
            "LOGIN_RATE_LIMIT_PER_MINUTE": "1000",
            "SANDBOX_CALL_SECONDS": "1",
            "LOCAL_SCHEDULE_SECONDS": "3",
            "PYTHONPATH": str(ROOT),
        }
    )
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "local.runtime",
                "--port",
                str(port),
                "--moto-port",
                str(moto_port),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"local runtime did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
