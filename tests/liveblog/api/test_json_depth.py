"""Issue 14, item 9: deeply nested JSON to an API write is a clear 400, not RecursionError."""

import pytest

from liveblog.api.parsers import MAX_JSON_DEPTH, MSG_TOO_DEEP, json_depth_exceeds
from liveblog.models import Post

pytestmark = pytest.mark.django_db

CREATE = "/api/v1/blogs/ge2017/posts/create/"


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_five_thousand_deep_is_a_400_saying_why(reporter_api, blog, opening):
    body = opening * 5000

    response = reporter_api.post(CREATE, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": MSG_TOO_DEEP, "code": "parse_error"}
    assert not Post.objects.exists()


def test_json_at_the_depth_limit_is_parsed_as_usual(reporter_api, blog):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    body = f'{{"headline": "Exit poll", "contributors": {nested}}}'

    response = reporter_api.post(CREATE, body, content_type="application/json")

    # Parsed, then refused by the serializer for what it says, not for how deep it is.
    assert response.status_code == 400
    assert "contributors" in response.json()["fields"]


def test_brackets_inside_strings_do_not_count(reporter_api, blog):
    body = '{"body": "<p>' + "[{" * 5000 + '</p>"}'

    response = reporter_api.post(CREATE, body, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["body"].startswith("<p>[{[{")


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[]", False),
        ("[" * 33, True),
        ('"\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["', False),
        ("[" * 32 + "]" * 32 + "[" * 32, False),
    ],
)
def test_depth_counts_brackets_outside_strings_only(text, deep):
    assert json_depth_exceeds(text, MAX_JSON_DEPTH) is deep


def test_unknown_or_bytes_to_bytes_charset_is_a_400(reporter_api, blog):
    response = reporter_api.post(CREATE, b"{}", content_type="application/json; charset=bz2_codec")

    assert response.status_code == 400
