import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from liveblog import services
from liveblog.models import Post
from tests.liveblog.media import media_files

media_storage = media_files.media_storage


def token_client(user) -> APIClient:
    """A client that signs in the way apps do: `Authorization: Token <key>`."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def reporter_api(reporter):
    return token_client(reporter)


@pytest.fixture
def other_reporter_api(other_reporter):
    return token_client(other_reporter)


@pytest.fixture
def editor_api(editor):
    return token_client(editor)


@pytest.fixture
def outsider(db):
    """Signed in, but in no newsroom group."""
    return get_user_model().objects.create_user(username="reader", password="pw-for-tests")


@pytest.fixture
def reporter_draft(reporter, blog) -> Post:
    return services.create_post(
        blog=blog, by=reporter, headline="Embargoed until 10pm", status=Post.Status.DRAFT
    )


def api(path: str) -> str:
    return f"/api/v1/{path}"
