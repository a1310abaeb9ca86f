"""Reader page benchmark (issues 7 and 10): the anonymous live page of a blog with 1,000
posts (20 shown, each with a picture and a result card) under the production settings, with
REDIS_URL set, served by one uvicorn worker pinned to one core, measured with wrk.

    .venv/bin/python bench/page_bench.py [--duration 10] [--rounds 3] [--connections 50]
                                         [--threads 2] [--database-url postgres://.../bench]
                                         [--redis-url redis://127.0.0.1:PORT/0]

Builds the database (SQLite in a temporary directory by default) and collects the static
files, starts a Redis of its own on a free port unless --redis-url is given (never point it at
a Redis other processes use: nothing is flushed, but the page tokens land there), then in
one sitting starts two uvicorn processes, one at a time, each pinned to core 0
(`taskset -c 0`), and runs `wrk -t2 -c50` pinned to core 1 on loopback against:

- bare:        bench/bare_django.py, a one-file Django project without middleware whose view
               returns "ok" (the reference of issue 10);
- ok (stack):  a view returning "ok" through the product's whole middleware stack;
- page:        the live page as anonymous readers get it (from the process's page store,
               the blog's token from Redis);
- page 304:    the live page with a current If-None-Match;
- uncached:    the live page view rendered on every request (what the store saves).

Prints a Markdown table with requests per second and the page figures as a share of the
bare view. Targets (issue 10): page >= 1,000 req/s per core, 304 >= 1,100. Needs wrk and
redis-server: `apt-get install -y wrk redis-server`.
"""

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))

from deploy.processes import (  # noqa: E402
    free_port,
    redis_command,
    running,
    wait_for_http,
    wait_for_port,
)

SLUG = "bench"
POSTS = 1000
SHOWN = 20


def env_for(database_url: str, redis_url: str, workdir: Path, *, log_level: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(REPO)]),
        "DJANGO_SETTINGS_MODULE": "page_bench_settings",
        "SECRET_KEY": "bench-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        # Plain HTTP on loopback, as nginx speaks to uvicorn (prod redirects to HTTPS).
        "SECURE_SSL_REDIRECT": "false",
        "SERVE_STATIC": "false",
        "DATABASE_URL": database_url,
        # Production shape: the channel layer and the cache (throttles, page tokens) on Redis.
        "REDIS_URL": redis_url,
        "REDIS_CACHE_URL": redis_url,
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        # INFO, as in production, writes the JSON access line of every request (to the
        # server's log file here); WARNING measures without it.
        "LOG_LEVEL": log_level,
    }


# The database ---------------------------------------------------------------------------------


def build_database(env: dict[str, str]) -> None:
    """Migrate and fill the database; runs in this process with the server's settings."""
    os.environ.update(env)
    sys.path[:0] = [str(BENCH), str(REPO)]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    _fill()


def _fill() -> None:
    import io

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from PIL import Image

    from liveblog import services
    from liveblog.media import images
    from liveblog.models import Contributor, LiveBlog, Post, PostImage
    from liveblog.permissions import EDITOR_GROUP
    from results.importers.hoc import import_results_csv
    from results.models import ConstituencyResult, PostResultCard

    if LiveBlog.objects.filter(slug=SLUG).exists():
        return
    data = REPO / "data"
    import_results_csv(
        [
            data / "HoC-GE2017-results-by-candidate.csv",
            data / "HoC-GE2017-constituency-results.csv",
        ],
        election="ge2017",
        name="General election 2017",
        date=date(2017, 6, 8),
        previous="ge2015",
        speaker_party="CON",
    )
    editor = get_user_model().objects.create_user(username="bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR_GROUP))
    contributors = [
        Contributor.objects.create(name=name, role="BBC Local Live", user=user)
        for name, user in (("Katy Lewis", editor), ("Luke Ashmead", None), ("Alex Pope", None))
    ]
    blog = LiveBlog.objects.create(
        title="General election 2017: live results", slug=SLUG, description="Every result."
    )
    start = datetime(2017, 6, 8, 21, 0, tzinfo=UTC)
    body = (
        "<p>Counting is under way across the county. Turnout looks higher than in 2015, "
        "according to the returning officer, and the first boxes arrived at <strong>22:40"
        "</strong>.</p><p>Our reporters are at every count; "
        '<a href="https://example.org/results">full results</a> follow.</p>'
    )
    posts = Post.objects.bulk_create(
        Post(
            blog=blog,
            headline=f"Update {n}: the count in constituency {n}",
            body=body,
            published_at=start + timedelta(minutes=n),
            status=Post.Status.PUBLISHED,
            is_key_event=n % 50 == 0,
            created_by=editor,
            updated_by=editor,
        )
        for n in range(POSTS - 1)
    )
    through = Post.contributors.through
    through.objects.bulk_create(
        through(post_id=p.pk, contributor_id=contributors[i % 3].pk) for i, p in enumerate(posts)
    )
    # The newest post through the services, so the blog has a seq and an event.
    newest = services.create_post(
        blog=blog,
        by=editor,
        headline="Exit poll: hung parliament",
        body=body,
        contributors=contributors[:2],
        published_at=start + timedelta(minutes=POSTS),
    )
    shown = [
        newest,
        *sorted(posts, key=lambda p: p.published_at or start, reverse=True)[: SHOWN - 1],
    ]

    # One picture through the real pipeline, shown in each of the 20 posts on the page.
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), (20, 90, 160)).save(out, "JPEG", quality=90)
    out.seek(0)
    storage = PostImage._meta.get_field("original").storage
    stored = images.store_image(images.decode_image(out), storage=storage)
    results = list(ConstituencyResult.objects.declared().order_by("pk")[:SHOWN])
    for post, result in zip(shown, results, strict=True):
        image = PostImage(
            post=post,
            alt_text="Counters at the count",
            caption="The count",
            credit="BBC",
            width=stored.width,
            height=stored.height,
            renditions=stored.renditions,
        )
        image.original.name = stored.original
        image.save()
        PostResultCard.objects.create(post=post, result=result)
    # One more event, as an editor's change would make; the page then carries seq 2.
    services.update_post(newest, by=editor, expected_version=None, headline=newest.headline)


# Servers and wrk ------------------------------------------------------------------------------


@contextlib.contextmanager
def redis_server(port: int) -> Iterator[str]:
    """A redis-server of the benchmark's own on core 1 (with wrk); yields its URL."""
    with running(["taskset", "-c", "1", *redis_command(port)], env=os.environ) as process:
        try:
            wait_for_port(port, process, timeout=10)
        except RuntimeError as exc:
            raise SystemExit(f"redis-server did not start: {exc}") from exc
        yield f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def uvicorn_server(app: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """One uvicorn worker on core 0, flags as in production (no access log here: the
    benchmark measures the application, not the terminal); yields its base URL."""
    port = free_port()
    uvicorn = str(Path(sys.executable).parent / "uvicorn")
    cmd = [
        uvicorn,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--ws",
        "websockets-sansio",
        app,
    ]
    base = f"http://127.0.0.1:{port}"
    with running(["taskset", "-c", "0", *cmd], env=env, cwd=REPO, log_path=log) as process:
        try:
            wait_for_http(f"{base}/bench/ok/", process, timeout=30)
        except RuntimeError as exc:
            raise SystemExit(f"{app} did not start ({exc}); see {log}") from exc
        yield base


def wrk(
    url: str, *, duration: int, connections: int, threads: int, headers: dict[str, str]
) -> float:
    cmd = ["taskset", "-c", "1", "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    output = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise SystemExit(f"{url}: wrk printed no request rate\n{output}")
    return float(rate.group(1))


def check_page(base: str) -> str:
    """Fetch the page once and check it shows what the benchmark claims and answers a
    conditional request with 304; return its ETag."""
    with urllib.request.urlopen(f"{base}/live/{SLUG}/") as response:
        html = response.read().decode()
        etag: str = response.headers["ETag"]
    shown = len(re.findall(r'data-post-id="\d+"', html))
    pictures = html.count('class="post-image"')
    cards = html.count('<section class="result-card')
    if (shown, pictures) != (SHOWN, SHOWN) or cards < SHOWN:
        raise SystemExit(f"page shows {shown} posts, {pictures} pictures, {cards} cards")
    request = urllib.request.Request(f"{base}/live/{SLUG}/", headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(request).close()
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return etag
        raise
    raise SystemExit("a current If-None-Match was not answered with 304")


def measure(
    targets: dict[str, tuple[str, dict[str, str]]], args: argparse.Namespace
) -> dict[str, list[float]]:
    def run(url: str, headers: dict[str, str], duration: int) -> float:
        return wrk(
            url,
            duration=duration,
            connections=args.connections,
            threads=args.threads,
            headers=headers,
        )

    for url, headers in targets.values():
        run(url, headers, 2)  # warm up
    # Rounds interleave the targets, so a change in the machine's load during the run does
    # not fall on one target only; the median of the rounds is reported.
    runs: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, (url, headers) in targets.items():
            runs[name].append(run(url, headers, args.duration))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per target (median)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    parser.add_argument("--redis-url", default="", help="default: a redis-server of its own")
    parser.add_argument(
        "--log-level", default="INFO", help="the server's LOG_LEVEL (INFO: an access line each)"
    )
    args = parser.parse_args()

    for tool in ("wrk", "taskset", "redis-server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install -y wrk redis-server)")
    if (os.cpu_count() or 1) < 2:
        print("warning: one CPU; server and wrk share it", file=sys.stderr)

    workdir = Path(tempfile.mkdtemp(prefix="page_bench_"))
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        redis_url = args.redis_url or cleanup.enter_context(redis_server(free_port()))
        database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        env = env_for(database_url, redis_url, workdir, log_level=args.log_level)
        print(f"building the database ({database_url}) ...", file=sys.stderr)
        if database_url.startswith("postgres"):
            # A database of its own; filled once, reused by later runs.
            name = database_url.rsplit("/", 1)[1]
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
                stderr=subprocess.DEVNULL,
                check=False,
            )
        build = subprocess.run(
            [sys.executable, str(Path(__file__)), "build"],
            env={**env, "PAGE_BENCH_BUILD": "1"},
            cwd=REPO,
        )
        if build.returncode:
            raise SystemExit("building the database failed")

        figures: dict[str, float] = {}
        with uvicorn_server("bare_django:application", env, workdir / "bare.log") as base:
            runs = measure({"bare": (f"{base}/bench/ok/", {})}, args)
        with uvicorn_server("config.asgi:application", env, workdir / "product.log") as base:
            etag = check_page(base)
            runs |= measure(
                {
                    "ok (stack)": (f"{base}/bench/ok/", {}),
                    "page": (f"{base}/live/{SLUG}/", {}),
                    "page 304": (f"{base}/live/{SLUG}/", {"If-None-Match": etag}),
                    "uncached": (f"{base}/bench/uncached/{SLUG}/", {}),
                },
                args,
            )
        for name, r in runs.items():
            figures[name] = statistics.median(r)
            print(f"{name}: {' '.join(f'{x:.0f}' for x in r)}", file=sys.stderr)

    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print()
    print(
        f"Live page, {POSTS} posts ({SHOWN} shown with pictures and result cards), {engine}, "
        f"production settings with REDIS_URL set, LOG_LEVEL={args.log_level}; "
        "one uvicorn worker on one core "
        f"(taskset -c 0), wrk -t{args.threads} -c{args.connections} -d{args.duration}s on "
        f"loopback (core 1, with Redis); requests/s, median of {args.rounds} interleaved runs."
    )
    print()
    print(
        '| bare Django view | "ok" through the stack | page | page / bare | 304 | 304 / bare '
        "| uncached page |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    f = figures
    print(
        f"| {f['bare']:.0f} | {f['ok (stack)']:.0f} | {f['page']:.0f} "
        f"| {f['page'] / f['bare']:.0%} | {f['page 304']:.0f} | {f['page 304'] / f['bare']:.0%} "
        f"| {f['uncached']:.0f} |"
    )


if __name__ == "__main__":
    if os.environ.get("PAGE_BENCH_BUILD") == "1" and sys.argv[1:] == ["build"]:
        build_database(dict(os.environ))
    else:
        main()
