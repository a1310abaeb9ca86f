import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from liveblog import services
from liveblog.models import Post
from tests.liveblog.media_files import jpeg
from tests.results.conftest import MK_SOUTH, small_election, small_files  # noqa: F401

pytestmark = pytest.mark.django_db


def test_schema_generation_has_no_warnings_and_validates(tmp_path):
    GENERATOR_STATS.reset()

    # --fail-on-warn raises on any warning or error; --validate checks it against OpenAPI 3.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yml")

    assert "openapi: 3." in (tmp_path / "s.yml").read_text()


def test_schema_is_served_at_api_v1_schema(client):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/blogs/{slug}/posts/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    parser = _Assets()
    parser.feed(html)
    assert any("swagger-ui" in url for url in parser.urls)
    for url in parser.urls:
        assert url.startswith("/"), f"{url} is not served by us"
    # The inline script builds the UI from the schema URL, also ours.
    assert not re.search(r"https?://(?!testserver)", html)


# Every operation in the schema, exercised --------------------------------------------------------
# A valid request for each operation id; an operation added to the API without an entry here
# fails the walk below, so the schema and the tests cannot drift apart.


def _post(reporter, blog, **fields) -> Post:
    return services.create_post(blog=blog, by=reporter, headline="Counting", **fields)


REQUESTS = {
    "blogs_list": lambda ctx: None,
    "blogs_retrieve": lambda ctx: None,
    "blogs_key_events_list": lambda ctx: None,
    "blogs_posts_list": lambda ctx: None,
    "blogs_posts_retrieve": lambda ctx: None,
    "blogs_posts_create": lambda ctx: ({"headline": "Exit poll"}, "json"),
    "blogs_posts_update": lambda ctx: ({"version": ctx["post"].version, "headline": "x"}, "json"),
    "blogs_posts_delete": lambda ctx: ({}, "json"),
    "blogs_posts_publish": lambda ctx: ({}, "json"),
    "blogs_posts_approve": lambda ctx: ({}, "json"),
    "blogs_posts_return": lambda ctx: ({"note": "Name the source"}, "json"),
    "blogs_posts_discard": lambda ctx: ({}, "json"),
    "blogs_posts_images_create": lambda ctx: (
        {"file": SimpleUploadedFile("a.jpg", jpeg((400, 300))), "alt_text": "Counters"},
        "multipart",
    ),
    "elections_scoreboard_retrieve": lambda ctx: None,
    "elections_constituencies_retrieve": lambda ctx: None,
}


def _operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_in_the_schema_has_a_request_in_this_walk():
    assert {op["operationId"] for _, _, op in _operations()} == set(REQUESTS)


def test_every_operation_in_the_schema_answers_as_documented(
    editor_api,
    reporter,
    blog,
    small_election,  # noqa: F811
    media_storage,
):
    assert small_election.slug == blog.slug == "ge2017"
    for path, method, operation in _operations():
        # A fresh post per operation: a draft to publish, a submitted one for the approval
        # queue's answers, a published one otherwise.
        status = {
            "blogs_posts_publish": Post.Status.DRAFT,
            "blogs_posts_approve": Post.Status.SUBMITTED,
            "blogs_posts_return": Post.Status.SUBMITTED,
            "blogs_posts_discard": Post.Status.SUBMITTED,
        }.get(operation["operationId"])
        post = _post(reporter, blog, **({"status": status} if status else {}))
        ctx = {"post": post}
        url = path.format(slug="ge2017", post_id=post.pk, ons_id=MK_SOUTH)
        request = REQUESTS[operation["operationId"]](ctx)
        if method == "get":
            response = editor_api.get(url)
        else:
            data, fmt = request
            response = getattr(editor_api, method)(url, data, format=fmt)

        assert 200 <= response.status_code < 300, (path, method, response.content[:300])
        assert str(response.status_code) in operation["responses"], (path, method)
