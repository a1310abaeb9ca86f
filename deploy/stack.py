"""The production stack as local processes: Redis, uvicorn backends (deploy/serve.sh) and
Debian's nginx (deploy/nginx/render.sh), on loopback ports.

tests/deploy and the benchmarks in bench/ start the stack through this module and nothing
else, so what they prove is the image's command and the compose stack's nginx template.
Every process is started by PID and stopped by PID; `Stack.close()` stops them all.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from deploy.processes import (
    REPO,
    free_port,
    redis_command,
    stop,
    wait_for_http,
    wait_for_port,
)

SERVE = REPO / "deploy" / "serve.sh"
RENDER = REPO / "deploy" / "nginx" / "render.sh"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


# /healthz answers 200 while the process serves (liveness; it touches nothing).
HEALTHY = (200,)


def raise_fd_limit() -> None:
    _soft, hard = resource_limits()
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def resource_limits() -> tuple[int, int]:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1_048_576
    return soft, min(hard, 1_048_576)


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def established(port: int) -> int:
    """How many established TCP connections a local server port holds (e.g. from nginx)."""
    out = subprocess.run(
        ["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return len([line for line in out.splitlines() if line.strip()])


@dataclass
class Managed:
    """One process this module started, known by its PID."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    cwd: Path = REPO
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=raise_fd_limit,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL, then reap: the process is gone when this returns."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        if self.process is not None:
            stop(self.process, timeout)


@dataclass
class Redis(Managed):
    port: int = 0

    @classmethod
    def create(cls, workdir: Path, port: int | None = None) -> Redis:
        port = port or free_port()
        args = [*redis_command(port), "--dir", str(workdir)]
        return cls("redis", args, dict(os.environ), workdir / f"redis-{port}.log", port=port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        super().start()
        wait_for_port(self.port, process=self.process)


@dataclass
class Backend(Managed):
    """A production uvicorn process: deploy/serve.sh, the image's command."""

    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 60) -> None:
        super().start()
        wait_for_http(f"{self.url}/healthz", process=self.process, timeout=timeout, accept=HEALTHY)


@dataclass
class Nginx(Managed):
    port: int = 0
    config: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()
        wait_for_http(f"{self.url}/nginx-healthz", process=self.process)

    def wait_for_error(self, *words: str, timeout: float) -> bool:
        """Until nginx's error log has a line with all `words` (e.g. a timed-out upstream)."""
        log = self.log.parent / "nginx-error.log"
        deadline = time.monotonic() + timeout
        while True:
            text = log.read_text() if log.exists() else ""
            if any(all(w in line for w in words) for line in text.splitlines()):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def render_nginx(upstreams: list[str], extra: Mapping[str, str]) -> str:
    """The site configuration, from the template compose uses (deploy/nginx/render.sh)."""
    env = {**os.environ, **extra, "NGINX_UPSTREAMS": ",".join(upstreams)}
    return subprocess.run(
        ["sh", str(RENDER)], env=env, capture_output=True, text=True, check=True
    ).stdout


def nginx_main_config(
    workdir: Path, site: Path, *, worker_connections: int, worker_processes: str = "1"
) -> str:
    """What the nginx image's nginx.conf (as the Dockerfile raises its connection and file
    limits) provides around the site, for a private prefix."""
    user = ""
    if os.geteuid() == 0:  # workers must read the temp dirs and files under workdir
        name = pwd.getpwuid(0).pw_name
        user = f"user {name};"
    temp = workdir / "nginx-temp"
    # The nginx image runs a worker per core ("auto"); each worker keeps its own record of
    # failed backends, so the fault test uses one worker, where a frozen backend found by one
    # request is skipped by the next. The benchmarks need "auto": a worker is bound by the
    # file limit (20,000 here, two per proxied reader) and alone stalls near 10,000 readers.
    return f"""{user}
worker_processes {worker_processes};
worker_rlimit_nofile {2 * worker_connections + 64};
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


@dataclass
class Stack:
    """Redis, N backends and nginx in front, all on loopback, in `workdir`."""

    workdir: Path
    app_env: dict[str, str]
    backends: list[Backend] = field(default_factory=list)
    redis: Redis | None = None
    nginx: Nginx | None = None

    @classmethod
    def create(
        cls,
        workdir: Path,
        *,
        database_url: str,
        static_root: Path,
        backends: int = 2,
        settings: str = "config.settings.prod",
        app_env: Mapping[str, str] | None = None,
        nginx_env: Mapping[str, str] | None = None,
        worker_connections: int = 4096,
        worker_processes: str = "1",
    ) -> Stack:
        workdir.mkdir(parents=True, exist_ok=True)
        redis = Redis.create(workdir)
        env = production_env(
            settings=settings,
            database_url=database_url,
            redis_url=redis.url,
            static_root=static_root,
            media_root=workdir / "media",
        )
        env.update(app_env or {})
        stack = cls(workdir=workdir, app_env=env, redis=redis)
        for _ in range(backends):
            stack.backends.append(stack.new_backend())
        (workdir / "media").mkdir(exist_ok=True)
        (workdir / "nginx-temp").mkdir(exist_ok=True)
        site = workdir / "liveblog.conf"
        site.write_text(
            render_nginx(
                [f"127.0.0.1:{b.port}" for b in stack.backends],
                {
                    "NGINX_HTTP_PORT": str(free_port()),
                    "NGINX_STATIC_ROOT": str(static_root),
                    "NGINX_MEDIA_ROOT": str(workdir / "media"),
                    "NGINX_ACCESS_LOG": str(workdir / "nginx-access.log"),
                    **(nginx_env or {}),
                },
            )
        )
        port = int(_listen_port(site.read_text()))
        main = workdir / "nginx.conf"
        main.write_text(
            nginx_main_config(
                workdir,
                site,
                worker_connections=worker_connections,
                worker_processes=worker_processes,
            )
        )
        stack.nginx = Nginx(
            "nginx",
            [NGINX, "-p", str(workdir), "-c", str(main)],
            dict(os.environ),
            workdir / "nginx.log",
            port=port,
            config=site,
        )
        return stack

    def new_backend(self, port: int | None = None) -> Backend:
        port = port or free_port()
        env = {**self.app_env, "APP_HOST": "127.0.0.1", "APP_PORT": str(port)}
        return Backend(
            f"backend-{port}", ["sh", str(SERVE)], env, self.workdir / f"app-{port}.log", port=port
        )

    def start(self) -> Stack:
        assert self.redis is not None and self.nginx is not None
        self.redis.start()
        for backend in self.backends:
            backend.start()
        self.nginx.start()
        return self

    def restart_backend(self, index: int) -> Backend:
        """A new process on the same port (what a container restart does)."""
        old = self.backends[index]
        old.kill()
        backend = self.new_backend(old.port)
        self.backends[index] = backend
        backend.start()
        return backend

    def restart_redis(self) -> None:
        assert self.redis is not None
        self.redis.kill()
        self.redis.start()

    def close(self) -> None:
        for proc in [self.nginx, *self.backends, self.redis]:
            if proc is not None:
                try:
                    proc.stop()
                except Exception:  # stop the rest whatever happens
                    proc.kill()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _listen_port(site: str) -> str:
    for line in site.splitlines():
        words = line.split()
        if words[:1] == ["listen"]:
            return words[1].rstrip(";")
    raise ValueError("no listen directive in the rendered site")


def production_env(
    *,
    settings: str,
    database_url: str,
    redis_url: str,
    static_root: Path,
    media_root: Path,
) -> dict[str, str]:
    """Environment of a production process on loopback (plain HTTP: no secure cookies)."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": "stack-test-secret-key-not-for-production-use-0123456789",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": "",
        "SECURE_COOKIES": "false",
        "SERVE_STATIC": "false",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def collect_static(static_root: Path, *, settings: str = "config.settings.prod") -> None:
    """collectstatic as the image build does (hashed names and staticfiles.json)."""
    env = production_env(
        settings=settings,
        database_url="sqlite:///unused.sqlite3",
        redis_url="",
        static_root=static_root,
        media_root=static_root.parent / "media",
    )
    env.pop("REDIS_URL")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
    )
