"""Starts the local runtime (`python -m local.runtime`) on free loopback ports for the e2e
tests, exactly as `make dev` does, and stops it afterwards. Every runtime here keeps its data
in a temporary state directory of the test session, never the developer's `.local-state/`."""

from __future__ import annotations

import contextlib
import os
import signal
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


class Runtime:
    """One `python -m local.runtime` process on its own ports, with its state in `state_dir`
    and its output in `log`."""

    def __init__(self, state_dir: Path, log: Path) -> None:
        self.state_dir = state_dir
        self.log = log
        self.port, self.moto_port = _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *extra: str) -> str:
        """Start it (with extra arguments such as `--reset`) and wait until it serves."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "TABLE_", "JWT_", "LOCAL_STATE"))
        }
        env.update(
            {
                "INITIAL_CREDITS": "5000",
                "IMPORT_SYNC_MAX_ROWS": "500",
                "LOGIN_RATE_LIMIT_PER_MINUTE": "1000",
                "SANDBOX_CALL_SECONDS": "1",
                "LOCAL_SCHEDULE_SECONDS": "3",
                # this checkout's layer first: a worktree's runtime must not run the package
                # the venv was installed from (another checkout's)
                "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "engage"), str(ROOT)]),
            }
        )
        command = [sys.executable, "-m", "local.runtime", "--port", str(self.port)]
        command += ["--moto-port", str(self.moto_port), "--state-dir", str(self.state_dir)]
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [*command, *extra], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"local runtime did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.5)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        """Stop it as Ctrl-C (or `sig`) does and wait until the process has ended; returns
        its exit code."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """End it at once (SIGKILL) if it still runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=15)


@pytest.fixture
def fresh_runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A runtime of the test's own (not started), with a new state directory."""
    runtime = Runtime(tmp_path / "state", tmp_path / "runtime.log")
    try:
        yield runtime
    finally:
        runtime.kill()


@pytest.fixture(scope="session")
def session_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """The session's shared runtime, started."""
    home = tmp_path_factory.mktemp("runtime")
    runtime = Runtime(home / "state", home / "runtime.log")
    try:
        runtime.start()
        yield runtime
    finally:
        if runtime.proc is not None and runtime.proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                runtime.stop(signal.SIGTERM, timeout=15)
        runtime.kill()


@pytest.fixture(scope="session")
def base_url(session_runtime: Runtime) -> str:
    """The URL of the session's shared runtime."""
    return session_runtime.url
