"""The app as in production, in a subprocess: uvicorn, production settings, the given
database and Redis; for fault tests that stop what it depends on."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

from deploy.processes import free_port, running, wait_for_port
from deploy.stack import SERVE

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SLUG = "night"
SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from liveblog import services
from liveblog.models import Contributor, LiveBlog
from liveblog.permissions import EDITOR_GROUP
editor = get_user_model().objects.create_user("editor", password="pw-for-tests", is_staff=True)
editor.groups.add(Group.objects.get(name=EDITOR_GROUP))
Contributor.objects.create(name="Katy Lewis", role="BBC Local Live", user=editor)
blog = LiveBlog.objects.create(title="Election night", slug="night")
services.create_post(blog=blog, by=editor, headline="Polls have closed")
print(Token.objects.create(user=editor).key)
"""

Answer = tuple[int, Message, bytes]


def open_url(request: urllib.request.Request, opener=None) -> Answer:
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class App:
    def __init__(self, base: str, token: str, log: Path) -> None:
        self.base = base
        self.token = token
        self.log = log

    def get(self, path: str, **headers: str) -> Answer:
        return open_url(urllib.request.Request(self.base + path, headers=headers))

    def api_create(self, headline: str) -> Answer:
        request = urllib.request.Request(
            f"{self.base}/api/v1/blogs/{SLUG}/posts/create/",
            data=json.dumps({"headline": headline}).encode(),
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        return open_url(request)


@contextlib.contextmanager
def production_app(*, database_url: str, redis_url: str = "", **env_vars: str) -> Iterator[App]:
    """Migrate, collect static files, add an editor, a blog and a post, and serve it with the
    production command (deploy/serve.sh) on a free port; stopped (and its files removed) on
    exit, whatever happened."""
    workdir = Path(tempfile.mkdtemp(prefix="degrade-app-"))
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": "degrade-test-only-" + "x" * 40,
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "false",
            # Plain HTTP straight to uvicorn, as nginx speaks to it (nginx redirects to HTTPS).
            "SECURE_SSL_REDIRECT": "false",
            "SERVE_STATIC": "false",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "REDIS_URL": redis_url,
            "REDIS_CACHE_URL": redis_url,
            "LOG_LEVEL": "WARNING",
            **env_vars,
        }
        manage = [str(BIN / "python"), "manage.py"]
        run = {"cwd": REPO, "env": env, "check": True, "capture_output": True, "text": True}
        subprocess.run([*manage, "migrate", "--noinput"], **run)
        subprocess.run([*manage, "collectstatic", "--noinput"], **run)
        token = subprocess.run([*manage, "shell", "-c", SETUP], **run).stdout.split()[-1]
        port = free_port()
        log = workdir / "uvicorn.log"
        serve_env = {
            **env,
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "APP_HOST": "127.0.0.1",
            "APP_PORT": str(port),
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
        with running(["sh", str(SERVE)], env=serve_env, cwd=REPO, log_path=log) as server:
            wait_for_port(port, server, timeout=20)
            yield App(f"http://127.0.0.1:{port}", token, log)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
