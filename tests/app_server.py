"""Run the real app in a uvicorn subprocess on a free loopback port, as a deployment would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.config import REPO_ROOT
from tests.redis_server import free_port


class AppServer:
    """`uvicorn app.main:app` configured through THRESHOLD_* environment variables, like a container."""

    def __init__(self, store_url: str, data_dir: Path, content_dir: Path = REPO_ROOT) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "THRESHOLD_SESSION_STORE": store_url,
            "THRESHOLD_CONTENT_DIR": str(content_dir),
            "THRESHOLD_DATA_DIR": str(data_dir),
            "THRESHOLD_LOG_LEVEL": "WARNING",
            "THRESHOLD_RATE_LIMIT": "100000/minute",  # every test client is 127.0.0.1; the limiter has its own tests
        }
        self.log_path = data_dir / f"app-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> AppServer:
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--no-access-log", "--timeout-graceful-shutdown", "10"]
        with self.log_path.open("ab") as log:  # a file, not a pipe: a full pipe would block the app
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited during start-up: {self.log()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the app did not answer /healthz within {timeout} s")

    def signal(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def kill(self) -> None:
        """Die at once, as a crashed container does: no shutdown, nothing flushed."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
