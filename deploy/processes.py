"""Server processes on loopback ports, for tests and benchmarks: a free port, waiting until a
process answers, and starting one that is always stopped (terminate, wait, kill) with its
output kept in a log. deploy.stack, tests/e2e, tests/live, tests/degrade and bench/ use this
and nothing else to start and stop what they run.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """A TCP port nothing on 127.0.0.1 listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def redis_command(port: int) -> list[str]:
    """A redis-server of a test's or benchmark's own on 127.0.0.1:`port`, no persistence."""
    return [
        REDIS_SERVER,
        *("--port", str(port), "--bind", "127.0.0.1"),
        *("--save", "", "--appendonly", "no"),
    ]


def _check_alive(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is not None:
        raise RuntimeError(f"{process.args!r} exited with {process.returncode}")


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    """Until something accepts connections on 127.0.0.1:`port`; RuntimeError if `process`
    exits first or nothing listens within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _check_alive(process)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within {timeout}s")


def wait_for_http(
    url: str,
    process: subprocess.Popen | None = None,
    timeout: float = 30,
    accept: Collection[int] = (200,),
) -> None:
    """Until `url` answers with a status in `accept` (e.g. a backend's /healthz)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        _check_alive(process)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status in accept:
                    return
                last = response.status
        except urllib.error.HTTPError as exc:
            if exc.code in accept:
                return
            last = exc.code
        except OSError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer {sorted(accept)} within {timeout}s (last: {last})")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, up to `timeout` seconds to exit, then SIGKILL; reaped when this returns."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGCONT)  # a frozen (SIGSTOPped) process cannot act on SIGTERM
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def running(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path = REPO,
    log_path: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[subprocess.Popen]:
    """`cmd` as a process, its stdout and stderr in `log_path` (discarded without one);
    stopped on leaving the block, however it is left."""
    log = open(log_path, "w") if log_path is not None else None  # noqa: SIM115
    try:
        process = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=dict(env),
            stdout=log if log is not None else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn,
        )
        try:
            yield process
        finally:
            stop(process)
    finally:
        if log is not None:
            log.close()
