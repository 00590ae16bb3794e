"""Services a fault test owns: a private ``redis-server`` on a free port, which the test
may stop, restart or bring back from an older snapshot. The machine's own Redis and
PostgreSQL are never touched."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, up: bool, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if (probe.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not come {'up' if up else 'down'} in {seconds} s")


class PrivateRedis:
    """A ``redis-server`` of the test's own, on a free port, keeping its data in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)),
                *("--save", "", "--appendonly", "no", "--dbfilename", "dump.rdb", "--loglevel", "warning"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, up=True)

    def stop(self) -> None:
        """Gone at once, as a crash would leave it (nothing saved on the way out)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None
            wait_for_port(self.port, up=False)

    def snapshot(self) -> Path:
        """Save what it holds now to disk and keep a copy: an older backup to restore."""
        subprocess.run(["redis-cli", "-p", str(self.port), "SAVE"], check=True, capture_output=True)
        kept = self.directory / "snapshot.rdb"
        shutil.copy(self.directory / "dump.rdb", kept)
        return kept

    def restore(self, snapshot: Path) -> None:
        """Come back from ``snapshot``, as a server restarted from an old backup does."""
        self.stop()
        shutil.copy(snapshot, self.directory / "dump.rdb")
        self.start()


def procfile_line(name: str) -> str:
    """The command of the Procfile's ``name`` process, exactly as written."""
    procfile = Path(__file__).resolve().parent.parent / "Procfile"
    for line in procfile.read_text().splitlines():
        process, _, command = line.partition(":")
        if process.strip() == name:
            return command.strip()
    raise KeyError(f"no {name!r} process in the Procfile")


class ProcfileProcess:
    """One Procfile line run as the platform runs it (``sh -c``, ``PORT`` set), in its own
    process group so that stopping it stops every worker it started."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self) -> dict:
        root = Path(__file__).resolve().parent.parent
        venv_bin = root / ".venv" / "bin"
        env = {**self.env, "PATH": f"{venv_bin}:{self.env.get('PATH', '')}"}
        return {"args": ["sh", "-c", procfile_line(self.name)], "cwd": root, "env": env}

    def start(self, *, seconds: float = 30) -> None:
        """Start a process that serves (``web``) and wait until it listens."""
        self.process = subprocess.Popen(
            **self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for_port(self.port, up=True, seconds=seconds)

    def launch(self, log: Path, *, ready: str, seconds: float = 60) -> None:
        """Start a process that serves no port (``worker``, ``beat``), its output in
        ``log``, and wait until the log says ``ready``."""
        with log.open("w") as out:
            self.process = subprocess.Popen(
                **self._command(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + seconds
        while ready not in log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)

    def run(self, *, seconds: float = 300) -> subprocess.CompletedProcess:
        """Run a process that ends (``release``) to its end."""
        return subprocess.run(**self._command(), capture_output=True, text=True, timeout=seconds, check=False)

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
            self.process = None
