"""A real `hashchat serve` child process, started, killed and restarted at will."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# A server answers within a few seconds on a quiet box; a box running the whole suite on two
# cores (network SDKs to import, other servers starting) has taken more than 30 s. Waiting costs
# nothing when it answers sooner.
STARTUP_SECONDS = 120


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """`hashchat serve` as a child process on one database and port."""

    database_url: str
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until it answers."""
        self.starts += 1
        env = {**os.environ, "HASHCHAT_POST_RATE": "1000000/1"}
        log = (self.log_dir / f"server-{self.starts}.log").open("wb")
        command = "from hashchat.cli import main; main()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", command, "serve", "--db", self.database_url, *self._where()],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log.close()
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()  # never leave a server that did not come up running behind the test
        raise RuntimeError(f"the server did not answer within {STARTUP_SECONDS} s")

    def _where(self) -> list[str]:
        return ["--host", "127.0.0.1", "--port", str(self.port)]

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed on the way out."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """End the server politely (at the end of a test)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
