"""Soak: readers behind nginx on two production processes for a long while, with churn,
writes of every kind, one Redis restart and one backend restart.

    make soak                       # 2,000 readers, 10 minutes
    .venv/bin/python bench/soak.py --readers 200 --minutes 1

Every second one write through the services (publish, edit, delete, result correction in
turn); every minute a tenth of the readers reconnect (a page reload, with ?after=). Redis is
killed and restarted at 30% of the run, one backend at 60%. Reports lost and duplicated
events over all readers, the p99 delivery delay per minute, the RSS of the process that ran
the whole soak at start and end, and the RSS of a fresh process holding as many readers
(the leak check: within 10%). The stack is deploy.stack's (the process test's).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from harness import (
    DEFAULT_DB,
    REPO,
    Clients,
    build_stack,
    django_env,
    pct,
    prepare_database,
    setup_django,
)

from deploy.stack import established, raise_fd_limit, rss_mb

if TYPE_CHECKING:  # Django is set up at run time, before the models are imported
    from results.models import ConstituencyResult

DEMO_SLUG = "general-election-2017"


class Writer:
    """One write per call, through the services: publish, edit, delete, correct a result."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from liveblog.models import LiveBlog
        from results.models import PostResultCard

        self.blog = LiveBlog.objects.get(slug=DEMO_SLUG)
        self.user = get_user_model().objects.get(username="editor")
        card = PostResultCard.objects.filter(post__blog=self.blog, result__isnull=False).first()
        self.result = card.result if card else None
        self.posts: list = []
        self.n = 0

    def write(self) -> str:
        from liveblog import services

        kind = ["publish", "edit", "delete", "correct"][self.n % 4]
        self.n += 1
        if kind == "edit" and self.posts:
            post = self.posts[-1]
            services.update_post(
                post, by=self.user, expected_version=None, headline=f"Edit {self.n}"
            )
        elif kind == "delete" and len(self.posts) > 1:
            services.delete_post(self.posts.pop(0), by=self.user)
        elif kind == "correct" and self.result is not None:
            self.correct(self.result)
        else:
            kind = "publish"
            self.posts.append(
                services.create_post(
                    blog=self.blog,
                    by=self.user,
                    headline=f"Soak {self.n}",
                    body="<p>Counting continues.</p>",
                )
            )
        return kind

    def correct(self, result: "ConstituencyResult") -> None:
        from results import services as results
        from results.services import CandidateEntry

        result.refresh_from_db()
        rows = list(result.candidacies.order_by("-votes"))
        delta = 1 if self.n % 8 < 4 else -1  # the winner's votes up and down by one
        entries = [
            CandidateEntry(
                name=c.name,
                party=c.party,
                votes=c.votes + (delta if i == 0 else 0),
                sitting_mp=c.sitting_mp,
                won_tie_break=c.won_tie_break,
                previous_share=c.previous_share,
            )
            for i, c in enumerate(rows)
        ]
        results.correct_result(
            result,
            candidates=entries,
            electorate=result.electorate,
            invalid_votes=result.invalid_votes,
            by=self.user,
            note="soak",
        )

    def latest_seq(self) -> int:
        self.blog.refresh_from_db(fields=["last_seq"])
        return self.blog.last_seq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readers", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--procs", type=int, default=1, help="reader client processes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--json", help="append the result as a JSON line to this file")
    args = parser.parse_args()
    raise_fd_limit()
    prepare_database(args.database_url)
    subprocess.run(
        [sys.executable, "manage.py", "load_demo", "--force"],
        cwd=REPO,
        env=django_env(args.database_url),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stack = build_stack(
        "soak-",
        database_url=args.database_url,
        readers=args.readers,
        fail_timeout="10s",
    )
    clients = fresh_clients = None
    fresh = None
    try:
        stack.start()
        assert stack.redis and stack.nginx
        setup_django(args.database_url, stack.redis.url)
        writer = Writer()
        start_seq = writer.latest_seq()
        url = stack.nginx.url.replace("http", "ws", 1) + f"/ws/live/{DEMO_SLUG}/"
        clients = Clients(
            url,
            stack.nginx.url,
            total=args.readers,
            procs=args.procs,
            after=start_seq,
            silence_timeout=60.0,
        )
        clients.wait(lambda s: s["connected"] == args.readers, timeout=300)
        soaked = stack.backends[0]  # runs the whole soak; backends[1] is restarted
        rss_start = rss_mb(soaked.pid)
        duration = args.minutes * 60
        started = time.monotonic()
        written: list[tuple[int, float, str]] = []
        redis_done = backend_done = False
        next_churn = started + 60
        while (now := time.monotonic()) - started < duration:
            elapsed = now - started
            if not redis_done and elapsed >= 0.3 * duration:
                print(f"{elapsed:6.0f}s  Redis restart", flush=True)
                stack.restart_redis()
                redis_done = True
            if not backend_done and elapsed >= 0.6 * duration:
                print(f"{elapsed:6.0f}s  backend restart", flush=True)
                stack.restart_backend(1)
                backend_done = True
            if now >= next_churn:
                clients.ask("churn", 0.1)
                next_churn += 60
            t = time.monotonic()
            kind = writer.write()
            written.append((writer.latest_seq(), t, kind))
            time.sleep(max(0.0, 1.0 - (time.monotonic() - t)))
        latest = writer.latest_seq()
        ok, _ = clients.wait(
            lambda s: s["min_seq"] >= latest and s["connected"] == args.readers, timeout=120
        )
        summary = clients.summary()
        lost = sum(clients.ask("lost", latest))
        times = clients.times([seq for seq, _, _ in written])
        per_minute: dict[int, list[float]] = {}
        for seq, t, _ in written:
            per_minute.setdefault(int((t - started) // 60), []).extend(
                x - t for x in times.get(seq, [])
            )
        rss_end = rss_mb(soaked.pid)
        held = established(soaked.port)

        # The leak check: a fresh process holding as many readers as the soaked one.
        fresh = stack.new_backend()
        fresh.start()
        fresh_url = fresh.url.replace("http", "ws", 1) + f"/ws/live/{DEMO_SLUG}/"
        fresh_clients = Clients(fresh_url, fresh.url, total=held, procs=args.procs, after=latest)
        fresh_clients.wait(lambda s: s["connected"] == held, timeout=300)
        time.sleep(2)
        rss_fresh = rss_mb(fresh.pid)

        result = {
            "readers": args.readers,
            "minutes": args.minutes,
            "writes": len(written),
            "seqs": latest - start_seq,
            "all_current": ok,
            "lost": lost,
            "duplicated": summary["duplicates"],
            "reloads": summary["reloads"],
            "connects": summary["connects"],
            "p99_by_minute": {m: round(pct(v, 0.99), 3) for m, v in sorted(per_minute.items())},
            "rss_start_mb": round(rss_start),
            "rss_end_mb": round(rss_end),
            "readers_on_soaked_process": held,
            "rss_fresh_same_readers_mb": round(rss_fresh),
            "leak_within_10pct": rss_end <= 1.10 * rss_fresh,
        }
        print(json.dumps(result, indent=1))
        if args.json:
            with open(args.json, "a") as fh:
                fh.write(json.dumps(result) + "\n")
    finally:
        for c in (clients, fresh_clients):
            if c is not None:
                c.close()
        if fresh is not None:
            fresh.stop()
        stack.close()


if __name__ == "__main__":
    main()
