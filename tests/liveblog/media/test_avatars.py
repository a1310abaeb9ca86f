"""Contributor avatars go through the image pipeline (issue 14, item 11): they were stored
byte for byte, GPS EXIF and polyglot payloads included."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liveblog import services
from liveblog.models import Contributor
from tests.liveblog.media import media_files
from tests.liveblog.media.media_files import (
    CAMERA_MAKE,
    HTML_PAYLOAD,
    SVG,
    all_files,
    open_stored,
    photo_with_gps,
    polyglot_jpeg,
    stored_bytes,
    upload,
)

pytestmark = pytest.mark.django_db

media_storage = media_files.media_storage
ADD_URL = reverse("admin:liveblog_contributor_add")


def _add_in_admin(client, editor, data: bytes, name: str = "me.jpg"):
    client.force_login(editor)
    return client.post(
        ADD_URL,
        {"name": "Andy Holmes", "role": "Political reporter", "avatar_upload": upload(data, name)},
    )


def test_avatar_with_gps_exif_is_stored_re_encoded_without_it(client, editor, media_storage):
    response = _add_in_admin(client, editor, photo_with_gps())

    assert response.status_code == 302
    avatar = Contributor.objects.get(name="Andy Holmes").avatar
    stored = stored_bytes(media_storage, avatar.name)
    assert stored != photo_with_gps()
    assert CAMERA_MAKE.encode() not in stored
    assert not open_stored(media_storage, avatar.name).getexif()


def test_polyglot_avatar_is_stored_as_clean_pixels(client, editor, media_storage):
    response = _add_in_admin(client, editor, polyglot_jpeg())

    assert response.status_code == 302
    avatar = Contributor.objects.get(name="Andy Holmes").avatar
    assert HTML_PAYLOAD not in stored_bytes(media_storage, avatar.name)
    assert avatar.name.startswith("avatars/") and avatar.name.endswith(".jpg")


def test_large_avatar_is_kept_at_most_400_pixels(editor, media_storage):
    contributor = Contributor(name="Andy Holmes")

    services.save_contributor(contributor, by=editor, avatar=upload(media_files.jpeg((1600, 800))))

    assert open_stored(media_storage, contributor.avatar.name).size == (400, 200)


def test_svg_avatar_is_refused_on_the_form_and_nothing_is_stored(client, editor, media_storage):
    response = _add_in_admin(client, editor, SVG, name="me.svg")

    assert response.status_code == 200
    assert "SVG files are not accepted" in response.content.decode()
    assert not Contributor.objects.filter(name="Andy Holmes").exists()
    assert all_files(media_storage) == set()


def test_avatar_over_the_size_limits_is_refused(editor, media_storage):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.save_contributor(
            Contributor(name="Andy Holmes"),
            by=editor,
            avatar=upload(media_files.png_claiming_size(1, 60_000), "tall.png"),
        )

    assert refused.value.code == "too_long"
    assert all_files(media_storage) == set()


def test_replacing_an_avatar_deletes_the_old_file_after_commit(
    editor, media_storage, django_capture_on_commit_callbacks
):
    contributor = Contributor(name="Andy Holmes")
    services.save_contributor(contributor, by=editor, avatar=upload(media_files.jpeg()))
    old = contributor.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        services.save_contributor(contributor, by=editor, avatar=upload(media_files.png()))

    assert all_files(media_storage) == {contributor.avatar.name}
    assert contributor.avatar.name != old


def test_a_raw_file_assigned_to_the_model_is_never_stored(editor, media_storage):
    contributor = Contributor(name="Andy Holmes")
    contributor.avatar = SimpleUploadedFile("me.jpg", polyglot_jpeg())

    services.save_contributor(contributor, by=editor)

    assert not Contributor.objects.get(pk=contributor.pk).avatar
    assert all_files(media_storage) == set()


def test_an_avatar_written_for_a_save_that_then_fails_is_deleted_again(
    editor, media_storage, monkeypatch
):
    from liveblog.services import contributors

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(contributors, "_save", fail)

    with pytest.raises(RuntimeError):
        services.save_contributor(
            Contributor(name="Andy Holmes"), by=editor, avatar=upload(media_files.jpeg())
        )

    assert all_files(media_storage) == set()
