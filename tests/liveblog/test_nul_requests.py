"""Issue 14, item 5: NUL in a request is a 400 with a clear message before any query.

PostgreSQL refuses NUL in text, so `%00` reaching a lookup was a 500 (the results API, the
admin's autocomplete and changelist filters). Run these with DATABASE_URL on PostgreSQL.
"""

import pytest

from liveblog.models import Post
from liveblog.request_guards import MSG_NUL_IN_REQUEST
from liveblog.text import MSG_NUL
from tests.liveblog.api.conftest import reporter_api  # noqa: F401
from tests.liveblog.media.media_files import media_storage, png, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_nul_in_an_api_path_is_a_400_in_the_apis_error_shape(client, db):
    response = client.get("/api/v1/elections/ge2017/constituencies/%00/")

    assert response.status_code == 400
    assert response.json() == {"detail": MSG_NUL_IN_REQUEST, "code": "null_character"}


def test_nul_in_a_query_parameter_of_a_reader_page_is_a_400_page_saying_why(client, blog):
    response = client.get("/live/ge2017/?before=1%00")

    assert response.status_code == 400
    assert MSG_NUL_IN_REQUEST in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/liveblog/post/?q=%00",
        "/admin/liveblog/post/?status=%00",
        "/admin/liveblog/post/?blog__id__exact=%00",
        "/admin/autocomplete/?term=%00&app_label=liveblog&model_name=post&field_name=contributors",
        "/admin/autocomplete/?term=a&app_label=liveblog%00&model_name=post&field_name=blog",
        "/admin/liveblog/post/add/?headline=%00",
        "/admin/liveblog/post/%00/change/",
    ],
)
def test_nul_anywhere_in_an_admin_url_is_a_400(editor_client, url):
    response = editor_client.get(url)

    assert response.status_code == 400
    assert MSG_NUL_IN_REQUEST in response.content.decode()


def test_nul_in_an_urlencoded_form_field_is_a_400_and_saves_nothing(editor_client, blog):
    response = editor_client.post(
        "/admin/liveblog/post/add/",
        "blog=1&headline=Exit%00poll&status=published",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert not Post.objects.exists()


def test_nul_in_a_cookie_is_a_400(client, db):
    # Quoted cookie values may carry octal escapes; "\000" is NUL once parsed.
    response = client.get("/", HTTP_COOKIE='sessionid="\\000abcdefghijkl"')

    assert response.status_code == 400


def test_a_percent_sign_followed_by_00_is_not_nul(client, blog):
    # %2500 is the text "%00": nothing wrong with it, and the page says the cursor is bad.
    response = client.get("/live/ge2017/?before=%2500")

    assert response.status_code == 400
    assert MSG_NUL_IN_REQUEST not in response.content.decode()
    assert client.get("/live/ge2017/?q=%2500").status_code == 200


async def test_nul_is_refused_on_the_async_path_too(async_client, db):
    response = await async_client.get("/api/v1/blogs/%00/")

    assert response.status_code == 400
    assert response.json()["code"] == "null_character"


def test_nul_in_a_multipart_field_is_refused_by_the_serializer(
    reporter_api,  # noqa: F811
    reporter_post,
    media_storage,  # noqa: F811
):
    # Multipart bodies are left to the view (no upload parsed before it is checked).
    response = reporter_api.post(
        f"/api/v1/blogs/ge2017/posts/{reporter_post.pk}/images/",
        {"file": upload(png((40, 30)), "count.png", "image/png"), "alt_text": "Count\x00ing"},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"alt_text": [MSG_NUL]}
    assert not reporter_post.images.exists()
