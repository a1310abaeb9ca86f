"""A service that refuses a save or a delete the admin's forms passed (a race, a permission)
shows its reason and changes nothing; never a 500 (issue 12, "Bug first", for every admin)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from liveblog import services
from liveblog.media import services as media_services
from liveblog.models import Post

from .media_files import jpeg, upload
from .test_admin_media import _change_url, _image_row, _management, _post_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(reporter, blog) -> Post:
    return services.create_post(blog=blog, by=reporter, headline="Counting in Bedford")


def test_a_picture_refused_while_saving_shows_the_reason_and_saves_nothing(
    client, reporter, post, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ValidationError(services.MSG_DELETED)

    monkeypatch.setattr(media_services, "add_post_image", refuse)
    client.force_login(reporter)
    data = {
        **_post_fields(post.blog, post=post),
        "headline": "Changed headline",
        **_management("images", total=1),
        **_image_row(0, file=upload(jpeg())),
        **_management("embeds", total=0),
    }

    response = client.post(_change_url(post), data)

    assert response.status_code == 200
    assert f"Nothing was saved: {services.MSG_DELETED}" in response.content.decode()
    post.refresh_from_db()
    assert post.headline == "Counting in Bedford"


def test_a_delete_refused_by_the_service_says_why_and_deletes_nothing(
    client, editor, post, monkeypatch
):
    def refuse(*args, **kwargs):
        raise PermissionDenied(services.MSG_NOT_YOURS)

    monkeypatch.setattr(services, "delete_post", refuse)
    client.force_login(editor)
    url = reverse("admin:liveblog_post_delete", args=[post.pk])

    response = client.post(url, {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert f"Nothing was deleted: {services.MSG_NOT_YOURS}" in response.content.decode()
    post.refresh_from_db()
    assert post.deleted_at is None
