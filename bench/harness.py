"""Shared by bench/storm.py and bench/soak.py: the production stack from deploy.stack (the
same harness tests/deploy uses), a PostgreSQL database, and reader client processes that run
deploy.readers (live.js's logic) on the cores the server does not use.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from deploy.stack import Stack, collect_static, raise_fd_limit  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/liveblog_bench"
SETTINGS = "deploy.stack_settings"


def prepare_database(database_url: str) -> None:
    """Create (if missing) and migrate the benchmark database with production settings."""
    name = database_url.rsplit("/", 1)[1]
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
        stderr=subprocess.DEVNULL,
        check=False,
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=REPO,
        env=django_env(database_url),
        check=True,
    )


def django_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


def setup_django(database_url: str, redis_url: str) -> None:
    """This process files the writes through the services, as the admin does."""
    os.environ.update(django_env(database_url))
    os.environ["REDIS_URL"] = redis_url
    import django

    django.setup()


def build_stack(
    prefix: str, *, database_url: str, readers: int, fail_timeout: str, heartbeat: float = 25.0
) -> Stack:
    """The stack in a new temporary directory (its name starts with `prefix`), nginx sized
    for `readers`."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    static = workdir / "static"
    if not (static / "staticfiles.json").exists():
        collect_static(static, settings=SETTINGS)
    return Stack.create(
        workdir,
        database_url=database_url,
        static_root=static,
        settings=SETTINGS,
        app_env={
            "STACK_HEARTBEAT_SECONDS": str(heartbeat),
            "SECURE_SSL_REDIRECT": "false",
            "API_WRITE_RATE": "100000/min",
            # Every simulated reader comes from 127.0.0.1: no per-address cap.
            "LIVE_MAX_CONNECTIONS_PER_ADDRESS": "0",
        },
        nginx_env={"NGINX_FAIL_TIMEOUT": fail_timeout, "NGINX_ACCESS_LOG": "off"},
        worker_connections=2 * readers + 1024,
        worker_processes="auto",
    )


def db_counters(database_url: str) -> dict[str, int]:
    """PostgreSQL's per-database counters: transactions and rows read (all clients)."""
    name = database_url.rsplit("/", 1)[1]
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            name,
            "-tAc",
            "select xact_commit + xact_rollback, tup_returned, tup_fetched "
            f"from pg_stat_database where datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The statistics collector reports with a short delay; callers wait a moment first.
    xacts, returned, fetched = (int(v) for v in out.split("|"))
    return {"transactions": xacts, "tup_returned": returned, "tup_fetched": fetched}


def listen_overflows() -> int:
    """The kernel's count of connections dropped because a listen queue was full (all
    sockets on the machine: TcpExt ListenOverflows)."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=True):
        if names.startswith("TcpExt:"):
            row = dict(zip(names.split()[1:], values.split()[1:], strict=True))
            return int(row["ListenOverflows"])
    return 0


def children(pid: int) -> list[int]:
    """The PIDs of a process's children (e.g. nginx's workers)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """CPU seconds the whole machine has spent busy and stolen (by the hypervisor) so far."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


class Sampler:
    """Samples named processes in a thread: the most open files each held, and the CPU
    each used, between `start()` and `stop()` (to tell which process bounds a phase)."""

    def __init__(self, pids: dict[str, int], every: float = 0.1) -> None:
        self.pids = pids
        self.every = every
        self.peak_files = dict.fromkeys(pids, 0)
        self._cpu0: dict[str, float] = {}
        # Share of a core per second, per process; "machine busy" is every process on the
        # machine (other benchmarks and tests too), in cores.
        self.per_second: dict[str, list[float]] = {
            name: [] for name in [*pids, "machine busy", "machine stolen"]
        }
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._cpu0 = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def _run(self) -> None:
        last = dict(self._cpu0)
        mark = self._t0
        machine = machine_cpu()
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                self.peak_files[name] = max(self.peak_files[name], open_files(pid))
            if (now := time.monotonic()) - mark >= 1.0:
                for name, pid in self.pids.items():
                    cpu = cpu_seconds(pid)
                    self.per_second[name].append(round((cpu - last[name]) / (now - mark), 2))
                    last[name] = cpu
                busy, stolen = machine_cpu()
                self.per_second["machine busy"].append(round((busy - machine[0]) / (now - mark), 2))
                self.per_second["machine stolen"].append(
                    round((stolen - machine[1]) / (now - mark), 2)
                )
                machine = (busy, stolen)
                mark = now
            self._stop.wait(self.every)

    def stop(self) -> dict[str, dict[str, Any]]:
        """Per process: peak open files, CPU seconds, and CPU as a share of one core."""
        cpu = {name: cpu_seconds(pid) - self._cpu0[name] for name, pid in self.pids.items()}
        wall = time.monotonic() - self._t0
        self._stop.set()
        self._thread.join(timeout=5)
        machine: dict[str, dict[str, Any]] = {
            name: {"per_second": self.per_second[name][:30]}
            for name in ("machine busy", "machine stolen")
        }
        return machine | {
            name: {
                "peak_files": self.peak_files[name],
                "cpu_s": round(cpu[name], 2),
                "core_share": round(cpu[name] / wall, 2) if wall else 0.0,
                # Share of a core in each second of the phase (the first 30).
                "per_second": self.per_second[name][:30],
            }
            for name in self.pids
        }


def nginx_errors(log: Path) -> dict[str, int]:
    """nginx's error log, counted by kind of failure."""
    kinds = {
        "upstream timed out": "upstream timed out",
        "connection refused": "Connection refused",
        "no live upstreams": "no live upstreams",
        "too many open files": "Too many open files",
        "worker_connections are not enough": "worker_connections are not enough",
        "upstream prematurely closed": "upstream prematurely closed",
        "reset by peer": "reset by peer",
    }
    text = log.read_text(errors="replace") if log.exists() else ""
    counts = dict.fromkeys(kinds, 0)
    other = 0
    for line in text.splitlines():
        if "[warn]" in line or "[notice]" in line:
            continue
        for kind, words in kinds.items():
            if words in line:
                counts[kind] += 1
                break
        else:
            other += 1
    counts["other errors"] = other
    return {k: v for k, v in counts.items() if v}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


# Reader client processes ------------------------------------------------------------------


def _client(
    conn: Connection, url: str, origin: str, count: int, after: int, opts: dict[str, float]
) -> None:
    raise_fd_limit()
    asyncio.run(_client_loop(conn, url, origin, count, after, opts))


async def _client_loop(
    conn: Connection, url: str, origin: str, count: int, after: int, opts: dict[str, float]
) -> None:
    from deploy.readers import Reader

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handshakes = asyncio.Semaphore(int(opts["concurrent_handshakes"]))
    readers = [
        Reader(
            url,
            origin=origin,
            last_seq=after,
            handshake_timeout=opts["handshake_timeout"],
            silence_timeout=opts["silence_timeout"],
            handshakes=handshakes,
        )
        for _ in range(count)
    ]
    lags: list[float] = []

    async def watch_lag() -> None:
        """How late this loop wakes: a busy client delays its own readers' handshakes."""
        while True:
            started = loop.time()
            await asyncio.sleep(0.05)
            lags.append(loop.time() - started - 0.05)

    lag_task = asyncio.create_task(watch_lag())
    tasks = []
    for i, reader in enumerate(readers):
        tasks.append(asyncio.create_task(reader.run(stop)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    while True:
        command, arg = await loop.run_in_executor(None, conn.recv)
        if command == "summary":
            conn.send(
                {
                    "readers": len(readers),
                    "connected": sum(r.connected for r in readers),
                    "min_seq": min(r.last_seq for r in readers),
                    "duplicates": sum(r.duplicates for r in readers),
                    "reloads": sum(r.reloads for r in readers),
                    "gaps": sum(r.gaps for r in readers),
                    "connects": sum(r.connects for r in readers),
                    "drops": sum(r.drops for r in readers),
                }
            )
        elif command == "times":
            conn.send(
                {seq: [r.applied_at[seq] for r in readers if seq in r.applied_at] for seq in arg}
            )
        elif command == "lost":
            # A reader applies only seq = last + 1: what it lacks is what it is behind by.
            conn.send(sum(max(0, arg - r.last_seq) for r in readers))
        elif command == "churn":
            chosen = readers[: int(len(readers) * arg)]
            readers[:] = readers[len(chosen) :] + chosen  # the next churn takes others
            await asyncio.gather(*(r.churn() for r in chosen), return_exceptions=True)
            conn.send(len(chosen))
        elif command == "lag":
            # Since the last "lag": the worst delay, and the seconds spent more than 1 s late.
            worst = max(lags, default=0.0)
            late = sum(0.05 + lag for lag in lags if lag > 1.0)
            lags.clear()
            conn.send({"max_loop_lag_s": round(worst, 2), "seconds_over_1s_late": round(late, 1)})
        elif command == "stop":
            lag_task.cancel()
            stop.set()
            await asyncio.gather(*(r.churn() for r in readers), return_exceptions=True)
            await asyncio.wait(tasks, timeout=10)
            conn.send("stopped")
            return


class Clients:
    """`total` readers of `url` spread over `procs` client processes."""

    def __init__(
        self,
        url: str,
        origin: str,
        *,
        total: int,
        procs: int,
        after: int,
        handshake_timeout: float = 5.0,
        silence_timeout: float = 60.0,
        concurrent_handshakes: int = 500,
        cores: str | None = None,
    ) -> None:
        ctx = mp.get_context("spawn")
        opts = {
            "handshake_timeout": handshake_timeout,
            "silence_timeout": silence_timeout,
            # Per client process (deploy.readers.Reader.handshakes says why).
            "concurrent_handshakes": concurrent_handshakes,
        }
        self.conns = []
        self.procs = []
        for i in range(procs):
            count = total // procs + (i < total % procs)
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_client, args=(child, url, origin, count, after, opts))
            proc.start()
            if cores:
                subprocess.run(
                    ["taskset", "-p", "-c", cores, str(proc.pid)],
                    stdout=subprocess.DEVNULL,
                    check=False,
                )
            self.conns.append(parent)
            self.procs.append(proc)

    @property
    def pids(self) -> list[int]:
        """The client processes' PIDs (they are running)."""
        return [proc.pid for proc in self.procs if proc.pid is not None]

    def ask(self, command: str, arg: Any = None) -> list[Any]:
        for conn in self.conns:
            conn.send((command, arg))
        return [conn.recv() for conn in self.conns]

    def summary(self) -> dict[str, int]:
        parts = self.ask("summary")
        total = {k: sum(p[k] for p in parts) for k in parts[0] if k != "min_seq"}
        total["min_seq"] = min(p["min_seq"] for p in parts)
        return total

    def wait(
        self, predicate: Callable[[dict[str, int]], bool], *, timeout: float, every: float = 0.2
    ) -> tuple[bool, float]:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if predicate(self.summary()):
                return True, time.monotonic() - started
            time.sleep(every)
        return False, time.monotonic() - started

    def times(self, seqs: list[int]) -> dict[int, list[float]]:
        merged: dict[int, list[float]] = {}
        for part in self.ask("times", seqs):
            for seq, values in part.items():
                merged.setdefault(seq, []).extend(values)
        return merged

    def close(self) -> None:
        try:
            self.ask("stop")
        finally:
            for proc in self.procs:
                proc.join(timeout=15)
                if proc.is_alive():
                    proc.kill()
