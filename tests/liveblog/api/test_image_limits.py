"""Image dimensions through the API (issue 14, item 8): refused with a message, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liveblog.models import PostImage
from tests.liveblog.api.conftest import api
from tests.liveblog.media.media_files import media_storage, png_claiming_size  # noqa: F401

pytestmark = pytest.mark.django_db


def test_image_longer_than_webp_allows_is_400_with_the_pipelines_message(
    reporter_api,
    reporter_post,
    media_storage,  # noqa: F811
):
    # A 1 x 60000 PNG gave a 500 ("Image size exceeds WebP limit of 16383 pixels").
    data = {"file": SimpleUploadedFile("a.png", png_claiming_size(1, 60_000)), "alt_text": "A"}

    response = reporter_api.post(
        api(f"blogs/ge2017/posts/{reporter_post.pk}/images/"), data, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_long"
    assert "a side can be at most 16,383 pixels" in response.json()["detail"]
    assert not PostImage.objects.exists()
