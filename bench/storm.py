"""Reconnect storm: N readers on one server process behind nginx; kill it; a second process
is already up; every reader reconnects through nginx with ?after= and catches up.

    .venv/bin/python bench/storm.py --readers 10000 --procs 2

Reports the time from the kill until the last reader is current, the database work during
the storm (PostgreSQL's transaction and row counters for the database: the target is none
per reader, the hub's memory answers), and the delay of a post filed during the storm (p50,
p99, max over readers). The stack is deploy.stack's (the process test's). Loopback only.

To tell what bounds a run, it also reports, for the connect phase and the storm: the most
open files each nginx worker and client process held, the CPU each process used (in all and
per second, as a share of one core) and the machine's, the kernel's listen-queue overflows
(machine-wide), nginx's error log by kind, the readers' failed connection attempts, and how
late each client process's event loop ran. Each client process lets at most 500 of its
readers handshake at once (deploy.readers.Reader.handshakes says why).
"""

import argparse
import json
import os
import time
import urllib.request

from harness import (
    DEFAULT_DB,
    Clients,
    Sampler,
    build_stack,
    children,
    db_counters,
    listen_overflows,
    nginx_errors,
    pct,
    prepare_database,
    setup_django,
)

from deploy.stack import raise_fd_limit, rss_mb

SLUG = "bench-storm"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--procs", type=int, default=2, help="reader client processes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait per phase")
    parser.add_argument("--json", help="append the result as a JSON line to this file")
    args = parser.parse_args()
    raise_fd_limit()
    prepare_database(args.database_url)
    stack = build_stack(
        "storm-",
        database_url=args.database_url,
        readers=args.readers,
        fail_timeout="2s",
    )
    clients = None
    try:
        assert stack.redis and stack.nginx
        stack.redis.start()
        setup_django(args.database_url, stack.redis.url)
        from django.contrib.auth import get_user_model

        from liveblog import services
        from liveblog.models import LiveBlog

        blog, _ = LiveBlog.objects.get_or_create(slug=SLUG, defaults={"title": "Storm"})
        user, _ = get_user_model().objects.get_or_create(
            username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
        )
        first, second = stack.backends
        first.start()
        stack.nginx.start()  # `second` is down: nginx sends every reader to `first`
        url = stack.nginx.url.replace("http", "ws", 1) + f"/ws/live/{SLUG}/"
        blog.refresh_from_db()
        clients = Clients(
            url, stack.nginx.url, total=args.readers, procs=args.procs, after=blog.last_seq
        )
        workers = children(stack.nginx.pid)
        processes = {
            **{f"nginx worker {i}": pid for i, pid in enumerate(workers)},
            **{f"client {i}": pid for i, pid in enumerate(clients.pids)},
            "first": first.pid,
        }
        overflows = listen_overflows()
        sampler = Sampler(processes).start()
        ok, connect_s = clients.wait(lambda s: s["connected"] == args.readers, timeout=args.timeout)
        connect_phase = sampler.stop()
        connect_lag = clients.ask("lag")
        connect_overflows = listen_overflows() - overflows
        connected = clients.summary()["connected"]
        print(f"{connected}/{args.readers} readers on one process in {connect_s:.1f}s", flush=True)
        print("starting the second process", flush=True)
        second.start()
        time.sleep(3)  # past nginx's fail_timeout for the server that was down
        # nginx forgets a server's failures on a completed request; WebSockets complete only
        # when they close, so page loads (here: health checks) bring it back into rotation.
        # Each worker keeps its own record and the kernel picks the worker (reuseport):
        # enough requests that every worker has one (with two workers, about one run in a
        # million misses one).
        for _ in range(20):
            urllib.request.urlopen(f"{stack.nginx.url}/healthz", timeout=5).close()
        rss_first = rss_mb(first.pid)
        time.sleep(1)
        before = db_counters(args.database_url)

        print("killing the first", flush=True)
        error_log = stack.workdir / "nginx-error.log"
        errors_before = nginx_errors(error_log)
        drops_before = clients.summary()["drops"]
        clients.ask("lag")  # from here on
        processes = {
            **{k: v for k, v in processes.items() if k != "first"},
            "second": second.pid,
        }
        overflows = listen_overflows()
        sampler = Sampler(processes).start()
        killed_at = time.monotonic()
        first.kill()
        time.sleep(0.5)
        post_started = time.monotonic()
        services.create_post(blog=blog, by=user, headline="During the storm", body="<p>Hold.</p>")
        blog.refresh_from_db(fields=["last_seq"])
        latest = blog.last_seq
        ok, _ = clients.wait(
            lambda s: s["connected"] == args.readers and s["min_seq"] >= latest,
            timeout=args.timeout,
        )
        current_s = time.monotonic() - killed_at
        storm_phase = sampler.stop()
        storm_lag = clients.ask("lag")
        storm_overflows = listen_overflows() - overflows
        storm_errors = {
            k: v - errors_before.get(k, 0)
            for k, v in nginx_errors(error_log).items()
            if v - errors_before.get(k, 0)
        }
        time.sleep(1.5)  # the statistics collector's delay
        after = db_counters(args.database_url)
        summary = clients.summary()
        delays = [t - post_started for t in clients.times([latest]).get(latest, [])]
        # A post once the storm is over, for comparison.
        calm_started = time.monotonic()
        services.create_post(blog=blog, by=user, headline="After the storm", body="<p>Calm.</p>")
        blog.refresh_from_db(fields=["last_seq"])
        clients.wait(lambda s: s["min_seq"] >= blog.last_seq, timeout=args.timeout)
        calm = [t - calm_started for t in clients.times([blog.last_seq]).get(blog.last_seq, [])]
        lost = sum(clients.ask("lost", blog.last_seq))
        result = {
            "readers": args.readers,
            "all_current": ok,
            "seconds_until_last_reader_current": round(current_s, 2),
            "db_transactions": after["transactions"] - before["transactions"],
            "db_rows_returned": after["tup_returned"] - before["tup_returned"],
            "db_rows_fetched": after["tup_fetched"] - before["tup_fetched"],
            "post_delay_p50": round(pct(delays, 0.5), 3),
            "post_delay_p99": round(pct(delays, 0.99), 3),
            "post_delay_max": round(max(delays), 3) if delays else None,
            "post_received_by": len(delays),
            "calm_post_delay_p99": round(pct(calm, 0.99), 3),
            "lost": lost,
            "duplicates": summary["duplicates"],
            "reloads": summary["reloads"],
            "rss_first_mb": round(rss_first),
            "rss_second_mb": round(rss_mb(second.pid)),
        }
        result["db_transactions_per_reader"] = round(result["db_transactions"] / args.readers, 4)
        result["connect_phase"] = {
            "all_connected": connected == args.readers,
            "connected": connected,
            "seconds": round(connect_s, 1),
            "listen_overflows": connect_overflows,
            "nginx_errors": errors_before,
            "processes": connect_phase,
            "client_loops": connect_lag,
        }
        result["storm_phase"] = {
            "failed_reconnect_attempts": summary["drops"] - drops_before - args.readers,
            "connects": summary["connects"],
            "listen_overflows": storm_overflows,
            "nginx_errors": storm_errors,
            "processes": storm_phase,
            "client_loops": storm_lag,
        }
        print(json.dumps(result, indent=1))
        if args.json:
            with open(args.json, "a") as fh:
                fh.write(json.dumps(result) + "\n")
    finally:
        if clients is not None:
            clients.close()
        stack.close()


if __name__ == "__main__":
    main()
