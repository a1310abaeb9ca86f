"""Issue 14 item 10: a Content-Security-Policy on every page, and HSTS, the HTTPS redirect
and secure cookies in production settings."""

import importlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import override_settings

from liveblog import services
from liveblog.media import services as media_services
from liveblog.media.embeds import PROVIDERS, parse_embed_url

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        self.handlers += [name for name in attributes if name.startswith("on")]
        if any(
            (value or "").strip().lower().startswith("javascript:") for value in attributes.values()
        ):
            self.handlers.append(f"javascript: URL in <{tag}>")


def inline_scripts(html: str) -> list[dict]:
    """Script elements the browser would run that are not loaded from a file."""
    parser = Scripts()
    parser.feed(html)
    runnable = [
        s
        for s in parser.scripts
        if s.get("type") not in ("application/ld+json", "application/json")
    ]
    return [s for s in runnable if not s.get("src")] + [{"handler": h} for h in parser.handlers]


@pytest.fixture
def page_with_everything(blog, reporter):
    post = services.create_post(
        blog=blog, by=reporter, headline="Reaction", body="<p>Turnout is high.</p>"
    )
    media_services.add_post_embed(post, by=reporter, url=PROVIDERS["x"].example)
    return blog


def test_the_reader_page_has_a_policy_without_inline_script(client, page_with_everything):
    response = client.get(f"/live/{page_with_everything.slug}/")

    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert inline_scripts(response.content.decode()) == []


@pytest.mark.parametrize("path", ["/", "/no-such-page/", "/api/v1/blogs/"])
def test_other_public_responses_carry_the_policy(client, blog, path):
    response = client.get(path)

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert inline_scripts(response.content.decode()) == []


@pytest.mark.parametrize("key", sorted(PROVIDERS))
def test_frames_of_every_embed_provider_are_allowed_and_nothing_else(client, blog, key):
    frame_src = parse_embed_url(PROVIDERS[key].example).frame_src
    origin = re.match(r"https://[^/]+", frame_src).group(0)

    directives = policy(client.get("/"))

    assert origin in directives["frame-src"]
    assert all(source.startswith("https://") for source in directives["frame-src"])


def test_the_admin_post_form_runs_its_one_inline_script_by_nonce(client, reporter, blog):
    client.force_login(reporter)

    response = client.get("/admin/liveblog/post/add/")

    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = inline_scripts(response.content.decode())
    assert scripts, "the prose editor's import map is an inline script"
    assert [s.get("nonce") for s in scripts] == [nonce] * len(scripts)


def test_the_nonce_is_new_for_every_response(client, reporter, blog):
    client.force_login(reporter)

    first = client.get("/admin/liveblog/post/add/")["Content-Security-Policy"]
    second = client.get("/admin/liveblog/post/add/")["Content-Security-Policy"]

    assert re.search(r"'nonce-[^']+'", first)
    assert first != second


def test_the_api_docs_page_loads_its_script_from_a_file(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert inline_scripts(response.content.decode()) == []


# --- Production settings ------------------------------------------------------------------


@pytest.fixture
def production():
    prod = importlib.import_module("config.settings.prod")
    names = [
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ]
    with override_settings(**{name: getattr(prod, name) for name in names}):
        yield prod


def test_production_redirects_plain_http_to_https(client, production, blog):
    response = client.get(f"/live/{blog.slug}/")

    assert response.status_code == 301
    assert response["Location"] == f"https://testserver/live/{blog.slug}/"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/healthz/", "/readyz/"])
def test_production_does_not_redirect_health_checks(client, production, path):
    response = client.get(path)

    assert response.status_code != 301


def test_production_behind_the_tls_proxy_serves_with_hsts(client, production, blog):
    response = client.get(f"/live/{blog.slug}/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_cookies_are_secure_by_default(production):
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True


TEMPLATE_DIRS = [REPO / "templates", *REPO.glob("*/templates")]
# A <script> element without src that is not a data block, or an inline event handler.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
    r"|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


def test_no_template_of_ours_has_an_inline_script_or_event_handler():
    templates = [path for folder in TEMPLATE_DIRS for path in folder.glob("**/*.html")]
    offenders = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path in templates
        for match in INLINE_SCRIPT.finditer(path.read_text())
    ]

    assert len(templates) > 10
    assert offenders == []


def test_the_header_kept_per_process_is_the_one_django_csp_builds(client, blog):
    from csp.utils import build_policy

    assert client.get("/")["Content-Security-Policy"] == build_policy()


def test_the_api_docs_alone_allow_inline_styles_and_data_images(client):
    docs = policy(client.get("/api/v1/docs/"))
    page = policy(client.get("/"))

    assert docs["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "data:" in docs["img-src"]
    assert "'unsafe-inline'" not in page["style-src"]
    assert "data:" not in page["img-src"]
