"""Live-push benchmark: N WebSocket readers, K publishes, latency from save to receipt.

    .venv/bin/python bench/live_bench.py --server daphne --readers 10000 --posts 20

Starts the ASGI server (pinned to core 0) with the Redis channel layer and PostgreSQL,
opens the readers from separate client processes (pinned to the other cores), publishes
K posts through liveblog.services.create_post and reports, per publish, how many readers
got it and the latency percentiles, plus the server's RSS and CPU. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from deploy.processes import free_port, running, wait_for_port  # noqa: E402

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from liveblog.models import LiveBlog

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/liveblog_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
SLUG = "bench-live"
SERVER_LOG = Path("/tmp/live_bench_server.log")


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, 200_000) if hard != resource.RLIM_INFINITY else 200_000
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def server_env(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "bench-only",
        "DEBUG": "false",
        "SERVE_STATIC": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "LOG_LEVEL": "WARNING",
        # Every reader comes from 127.0.0.1 here.
        "LIVE_MAX_CONNECTIONS_PER_ADDRESS": "0",
    }


def prepare_database(args: argparse.Namespace) -> None:
    env = server_env(args)
    name = args.database_url.rsplit("/", 1)[1]
    if args.database_url.startswith("postgres"):
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
            stderr=subprocess.DEVNULL,
            check=False,
        )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)


@contextlib.contextmanager
def server_process(args: argparse.Namespace, port: int) -> Iterator[subprocess.Popen[bytes]]:
    if args.server == "daphne":
        cmd = [
            str(Path(sys.executable).parent / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "--websocket-max-message-size",
            "4096",
            "config.asgi:application",
        ]
    else:
        # The production server command itself (deploy/serve.sh), on this port.
        cmd = ["sh", str(REPO / "deploy" / "serve.sh")]
    env = {
        **server_env(args),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "APP_HOST": "127.0.0.1",
        "APP_PORT": str(port),
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    with running(
        ["taskset", "-c", "0", *cmd],
        env=env,
        cwd=REPO,
        log_path=SERVER_LOG,
        preexec_fn=raise_fd_limit,
    ) as process:
        try:
            wait_for_port(port, process, timeout=30)
        except RuntimeError as exc:
            raise SystemExit(f"server did not start ({exc}); see {SERVER_LOG}") from exc
        yield process


def peak_rss_mb(pid: int) -> float:
    """The server's peak RSS over its whole life so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def proc_stats(pid: int) -> tuple[float, float]:
    """(RSS in MB, CPU seconds) of a process and its children."""
    rss_kb = 0
    cpu_ticks = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss_kb += int(line.split()[1])
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            cpu_ticks += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return rss_kb / 1024, cpu_ticks / os.sysconf("SC_CLK_TCK")


# Readers -------------------------------------------------------------------------------


# A client process's queues: (connected, failures) when its readers are open; then, after
# `done`, each seq's arrival times.
Ready = Queue[tuple[int, int]]
Received = Queue[dict[int, list[float]]]


def reader_process(
    url: str, count: int, ready: Ready, done: Event, out: Received, expected: int, timeout: float
) -> None:
    raise_fd_limit()
    asyncio.run(_readers(url, count, ready, done, out, expected, timeout))


class RawReader(asyncio.Protocol):
    """A minimal WebSocket client: handshake, then count text frames and read their seq.

    The readers share one core in this benchmark; a full client library per message
    would measure the clients, not the server.
    """

    def __init__(
        self, host: str, path: str, received: dict[int, list[float]], opened: asyncio.Future[bool]
    ) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: http://{host}\r\n\r\n"
        ).encode()
        self.received = received
        self.opened = opened
        self.buffer = b""
        self.handshaken = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # a TCP connection's
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during handshake"))

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer + data
        if not self.handshaken:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.transport.close()
                return
            self.handshaken = True
            if not self.opened.done():
                self.opened.set_result(True)
            buffer = buffer[end + 4 :]
        pos = 0
        size = len(buffer)
        while size - pos >= 2:
            opcode = buffer[pos] & 0x0F
            length = buffer[pos + 1] & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length = int.from_bytes(buffer[pos + 2 : pos + 4], "big")
                head = 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(buffer[pos + 2 : pos + 10], "big")
                head = 10
            if size - pos < head + length:
                break
            start = pos + head
            if opcode == 1 and buffer.startswith(b'{"seq":', start):
                comma = buffer.index(b",", start + 7)
                seq = int(buffer[start + 7 : comma])
                self.received.setdefault(seq, []).append(now)
            elif opcode == 9:  # ping: answer with a masked pong (zero mask)
                payload = buffer[start : start + length]
                self.transport.write(bytes([0x8A, 0x80 | length]) + b"\0\0\0\0" + payload)
            pos = start + length
        self.buffer = buffer[pos:]


async def _readers(
    url: str, count: int, ready: Ready, done: Event, out: Received, expected: int, timeout: float
) -> None:
    loop = asyncio.get_running_loop()
    rest = url.split("://", 1)[1]
    hostport, path = rest.split("/", 1)
    host, port = hostport.split(":")
    received: dict[int, list[float]] = {}
    connected = 0
    failures = 0
    transports: list[asyncio.BaseTransport] = []

    async def one() -> None:
        nonlocal connected, failures
        for attempt in range(5):
            opened: asyncio.Future[bool] = loop.create_future()
            try:
                transport, _ = await loop.create_connection(
                    functools.partial(RawReader, hostport, "/" + path, received, opened),
                    host,
                    int(port),
                )
                await asyncio.wait_for(opened, 60)
                transports.append(transport)
                connected += 1
                return
            except Exception:
                await asyncio.sleep(0.5 + attempt)
        failures += 1

    tasks: list[asyncio.Task[None]] = []
    for i in range(count):
        tasks.append(asyncio.create_task(one()))
        if i % 100 == 99:
            await asyncio.sleep(0.02)
    await asyncio.gather(*tasks)
    # The client must not add its own collector pauses to the latencies it measures.
    gc.freeze()
    gc.disable()
    ready.put((connected, failures))
    await loop.run_in_executor(None, done.wait)
    # Give stragglers a moment after the publisher says it is done.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(received) >= expected and all(len(v) >= connected for v in received.values()):
            break
        await asyncio.sleep(0.1)
    out.put({seq: times for seq, times in received.items()})
    out.close()
    out.join_thread()
    os._exit(0)


# Publisher -----------------------------------------------------------------------------


def setup_django(args: argparse.Namespace) -> None:
    os.environ.update({k: v for k, v in server_env(args).items() if k.isupper()})
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def ensure_blog() -> tuple[LiveBlog, User]:
    from django.contrib.auth import get_user_model

    from liveblog.models import LiveBlog

    blog, _ = LiveBlog.objects.get_or_create(slug=SLUG, defaults={"title": "Bench"})
    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    return blog, user


def publish(blog: LiveBlog, user: User, n: int) -> tuple[int, float]:
    from liveblog import services

    started = time.monotonic()
    post = services.create_post(
        blog=blog,
        by=user,
        headline=f"Bench update {n}",
        body="<p>Counting continues in Milton Keynes South; a recount has been called.</p>",
    )
    blog.refresh_from_db(fields=["last_seq"])
    assert post.pk
    return blog.last_seq, started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between posts")
    parser.add_argument("--procs", type=int, default=4, help="reader client processes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument(
        "--settle", type=float, default=0.0, help="seconds to wait after the last reader connected"
    )
    parser.add_argument("--json", help="append the result as a JSON line to this file")
    args = parser.parse_args()
    raise_fd_limit()

    prepare_database(args)
    setup_django(args)
    blog, user = ensure_blog()
    publish(blog, user, -1)  # warm the publisher (imports, template, connections)
    port = free_port()
    with server_process(args, port) as server:
        rss_start, _ = proc_stats(server.pid)
        cores = os.cpu_count() or 2
        client_cores = ",".join(str(c) for c in range(1, cores)) or "0"
        # The publisher and the readers stay off the server's core.
        os.sched_setaffinity(0, {int(c) for c in client_cores.split(",")})
        url = f"ws://127.0.0.1:{port}/ws/live/{SLUG}/"
        ctx = mp.get_context("spawn")
        ready, out, done = ctx.Queue(), ctx.Queue(), ctx.Event()
        share = [
            args.readers // args.procs + (i < args.readers % args.procs) for i in range(args.procs)
        ]
        timeout = 30.0
        procs = []
        connect_started = time.monotonic()
        for count in share:
            p = ctx.Process(
                target=reader_process, args=(url, count, ready, done, out, args.posts, timeout)
            )
            p.start()
            subprocess.run(
                ["taskset", "-p", "-c", client_cores, str(p.pid)],
                stdout=subprocess.DEVNULL,
                check=False,
            )
            procs.append(p)
        connected = failed = 0
        for _ in procs:
            c, f = ready.get(timeout=900)
            connected += c
            failed += f
        connect_seconds = time.monotonic() - connect_started
        time.sleep(args.settle)
        rss_idle, cpu_before = proc_stats(server.pid)

        published: list[tuple[int, float]] = []
        for n in range(args.posts):
            published.append(publish(blog, user, n))
            time.sleep(args.interval)
        done.set()
        received: dict[int, list[float]] = {}
        for _ in procs:
            for seq, times in out.get(timeout=120).items():
                received.setdefault(int(seq), []).extend(times)
        rss_after, cpu_after = proc_stats(server.pid)
        rss_peak = peak_rss_mb(server.pid)
        for p in procs:
            p.join(timeout=10)

    rows = []
    all_latencies: list[float] = []
    for seq, started in published:
        times = received.get(seq, [])
        latencies = sorted(t - started for t in times)
        all_latencies += latencies
        rows.append((seq, len(times), latencies))

    def pct(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        return values[min(len(values) - 1, round(q * (len(values) - 1)))]

    all_latencies.sort()
    delivered = sum(got for _, got, _ in rows)
    expected = connected * len(published)
    summary = {
        "server": args.server,
        "readers": args.readers,
        "connected": connected,
        "failed_connects": failed,
        "connect_seconds": round(connect_seconds, 1),
        "settle_seconds": args.settle,
        "posts": len(published),
        "delivered_pct": round(100 * delivered / expected, 3) if expected else 0,
        "p50": pct(all_latencies, 0.50),
        "p95": pct(all_latencies, 0.95),
        "p99": pct(all_latencies, 0.99),
        "max": all_latencies[-1] if all_latencies else float("nan"),
        "rss_idle_mb": round(rss_idle),
        "rss_after_mb": round(rss_after),
        # Peak over the whole run (connects included), what the memory target is about.
        "rss_peak_mb": round(rss_peak),
        "rss_start_mb": round(rss_start),
        "rss_peak_kb_per_reader": round(1024 * (rss_peak - rss_start) / max(1, connected), 1),
        "server_cpu_s": round(cpu_after - cpu_before, 2),
        "cpu_per_reader_msg_us": round(1e6 * (cpu_after - cpu_before) / max(1, delivered), 1),
    }
    print(
        f"\n{args.server}: {connected}/{args.readers} readers connected in "
        f"{connect_seconds:.1f}s ({failed} failed)"
    )
    print("| seq | readers that got it | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|---|")
    for seq, got, lat in rows:
        print(
            f"| {seq} | {got}/{connected} | {pct(lat, 0.5):.3f} s | {pct(lat, 0.95):.3f} s | "
            f"{pct(lat, 0.99):.3f} s | {(lat[-1] if lat else float('nan')):.3f} s |"
        )
    print(json.dumps(summary))
    if args.json:
        with open(args.json, "a") as fh:
            fh.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
