"""Issue 6: the Pillow pipeline, the image services and pictures on the reader page."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image, ImageCms

from liveblog import services
from liveblog.media import images
from liveblog.media import services as media_services
from liveblog.models import LiveEvent, Post, PostImage
from tests.factories import PostFactory

from . import media_files
from .media_files import (
    BLUE,
    CAMERA_MAKE,
    EPS,
    HTML_PAYLOAD,
    PDF,
    RED,
    SVG,
    all_files,
    animated_gif,
    bmp,
    jpeg,
    open_stored,
    photo_with_gps,
    png,
    png_claiming_size,
    polyglot_jpeg,
    stored_bytes,
    upload,
)

pytestmark = pytest.mark.django_db
media_storage = media_files.media_storage


def _decode(data: bytes) -> images.DecodedImage:
    return images.decode_image(io.BytesIO(data))


def _refusal(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _decode(data)
    return caught.value


def _close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=False))


@pytest.fixture
def post(reporter, blog) -> Post:
    return services.create_post(blog=blog, by=reporter, headline="Counting in Bedford")


def _add(post: Post, by, data: bytes, **fields) -> PostImage:
    fields.setdefault("alt_text", "Ballot boxes arrive at the count")
    return media_services.add_post_image(post, by=by, upload=upload(data), **fields)


# Decoding: what is refused ------------------------------------------------------------------


@pytest.mark.parametrize(("data", "kind"), [(SVG, "SVG"), (PDF, "PDF"), (EPS, "EPS")])
def test_vector_and_document_files_are_refused_by_name(data, kind):
    error = _refusal(data)

    assert error.code == "refused_format"
    assert error.messages == [images.MSG_VECTOR % {"kind": kind}]


def test_svg_with_an_image_extension_is_still_refused():
    error = _refusal(b"\n  " + SVG)

    assert error.code == "refused_format"


def test_format_outside_the_allow_list_is_refused_even_if_pillow_reads_it():
    error = _refusal(bmp())

    assert error.code == "not_an_image"
    assert error.messages == [images.MSG_NOT_AN_IMAGE]


def test_truncated_jpeg_is_refused_as_damaged():
    data = jpeg((640, 480))

    error = _refusal(data[: len(data) // 2])

    assert error.code == "corrupt"
    assert error.messages == [images.MSG_CORRUPT]


def test_image_over_the_pixel_limit_is_refused_before_decoding(settings):
    settings.LIVEBLOG_IMAGE_MAX_PIXELS = 100 * 100

    error = _refusal(png((101, 100)))

    assert error.code == "too_many_pixels"
    assert "(101 × 100)" in error.messages[0]
    assert "0.01 megapixels" in error.messages[0]


def test_header_claiming_a_huge_picture_is_refused_as_a_decompression_bomb():
    # 900 megapixels claimed by a file of a few dozen bytes.
    error = _refusal(png_claiming_size(30_000, 30_000))

    assert error.code == "too_many_pixels"


def test_decompression_bomb_warning_is_treated_as_an_error(monkeypatch, settings):
    # Pillow warns (but would decode) between MAX_IMAGE_PIXELS and twice that.
    settings.LIVEBLOG_IMAGE_MAX_PIXELS = 10**9
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 150 * 100)

    error = _refusal(png((200, 100)))

    assert error.code == "too_many_pixels"


def test_file_over_the_byte_limit_is_refused_without_reading_it(settings):
    settings.LIVEBLOG_IMAGE_MAX_BYTES = 1024
    file = upload(jpeg((800, 600), quality=100))
    assert file.size > 1024

    with pytest.raises(ValidationError) as caught:
        images.decode_image(file)

    assert caught.value.code == "too_big"
    assert file.tell() == 0


def test_empty_file_is_refused():
    assert _refusal(b"").code == "empty"


# Decoding: what is cleaned ------------------------------------------------------------------


def test_exif_orientation_is_applied_before_the_exif_is_dropped():
    # Orientation 6: the camera was turned; readers must see it upright (portrait), with
    # the left (blue) half of the sensor image at the top.
    decoded = _decode(photo_with_gps(orientation=6))

    assert decoded.image.size == (200, 400)
    assert _close(decoded.image.getpixel((100, 20)), BLUE)
    assert _close(decoded.image.getpixel((100, 380)), RED)
    assert not decoded.image.getexif()
    assert decoded.image.info == {}


def test_exif_with_gps_is_stripped_from_every_stored_file(media_storage):
    decoded = _decode(photo_with_gps(orientation=1))

    stored = images.store_image(decoded, storage=media_storage)

    assert len(stored.names) == 5  # the original, then WebP and JPEG at 320 and 400 px
    for name in stored.names:
        raw = stored_bytes(media_storage, name)
        assert b"Exif" not in raw, name
        assert CAMERA_MAKE.encode() not in raw, name
        assert not open_stored(media_storage, name).getexif(), name


def test_polyglot_jpeg_with_html_is_stored_as_clean_pixels(media_storage):
    data = polyglot_jpeg()
    assert HTML_PAYLOAD in data and Image.open(io.BytesIO(data)).format == "JPEG"

    stored = images.store_image(_decode(data), storage=media_storage)

    for name in stored.names:
        raw = stored_bytes(media_storage, name)
        assert b"<script" not in raw.lower(), name
        assert b"<html" not in raw.lower(), name
        assert raw != data


def test_animated_gif_keeps_its_first_frame_as_a_still(media_storage):
    decoded = _decode(animated_gif())

    stored = images.store_image(decoded, storage=media_storage)

    assert decoded.source_format == "GIF"
    assert _close(decoded.image.getpixel((10, 10)), BLUE)
    assert {r["format"] for r in stored.renditions} == {"webp", "jpeg"}
    assert all(getattr(open_stored(media_storage, n), "n_frames", 1) == 1 for n in stored.names)


def test_transparency_is_kept_in_webp_and_put_on_white_in_jpeg(media_storage):
    decoded = _decode(png((400, 300), mode="RGBA", color=(0, 0, 255, 0)))

    stored = images.store_image(decoded, storage=media_storage)

    by_format = {r["format"]: r["name"] for r in stored.renditions}
    assert open_stored(media_storage, by_format["webp"]).mode == "RGBA"
    assert open_stored(media_storage, by_format["jpeg"]).getpixel((5, 5)) == (255, 255, 255)
    assert stored.original.endswith(".png")


# Renditions and storage ---------------------------------------------------------------------


def test_renditions_are_webp_and_jpeg_at_the_standard_widths(media_storage):
    stored = images.store_image(_decode(jpeg((2000, 1000))), storage=media_storage)

    assert sorted((r["width"], r["format"]) for r in stored.renditions) == [
        (w, f) for w in (320, 640, 1024, 1600) for f in ("jpeg", "webp")
    ]
    for r in stored.renditions:
        image = open_stored(media_storage, r["name"])
        assert image.format == {"webp": "WEBP", "jpeg": "JPEG"}[r["format"]]
        assert image.size == (r["width"], r["width"] // 2) == (r["width"], r["height"])
    assert open_stored(media_storage, stored.original).size == (2000, 1000)


def test_small_picture_is_never_upscaled():
    assert images.widths_for(500) == [320, 500]
    assert images.widths_for(200) == [200]
    assert images.widths_for(1600) == [320, 640, 1024, 1600]
    assert images.widths_for(4000) == [320, 640, 1024, 1600]


def test_stored_names_are_random_and_never_from_the_upload(post, reporter, media_storage):
    first = media_services.add_post_image(
        post,
        by=reporter,
        upload=upload(jpeg((700, 400)), name="../../secret-source-name.jpg"),
        alt_text="A count",
    )
    second = _add(post, reporter, jpeg((700, 400)))

    names = set(first.stored_names) | set(second.stored_names)
    assert all_files(media_storage) == names
    assert not any("secret" in name or ".." in name for name in names)
    folder = re.compile(r"liveblog/images/[0-9a-f]{32}/(original\.jpg|\d+w\.(webp|jpg))")
    assert all(folder.fullmatch(name) for name in names)
    assert first.original.name.rsplit("/", 1)[0] != second.original.name.rsplit("/", 1)[0]


# Services -----------------------------------------------------------------------------------


def test_add_post_image_stores_the_picture_and_broadcasts_the_post_once(
    post, reporter, media_storage, django_capture_on_commit_callbacks
):
    before = LiveEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        image = _add(post, reporter, jpeg((1200, 800)), caption="The count", credit="BBC")

    assert (image.width, image.height) == (1200, 800)
    assert image.alt_text == "Ballot boxes arrive at the count"
    assert all_files(media_storage) == set(image.stored_names)
    events = list(LiveEvent.objects.order_by("seq")[before:])
    assert [e.kind for e in events] == [LiveEvent.Kind.POST_UPDATED]
    assert events[0].post_id == post.pk
    assert 'alt="Ballot boxes arrive at the count"' in events[0].html
    post.refresh_from_db()
    assert post.version == 2


def test_image_on_a_draft_is_stored_without_telling_readers(reporter, blog, media_storage):
    draft = services.create_post(
        blog=blog, by=reporter, headline="Embargoed", status=Post.Status.DRAFT
    )
    before = LiveEvent.objects.count()

    _add(draft, reporter, jpeg((400, 300)))

    assert LiveEvent.objects.count() == before
    assert draft.images.count() == 1


def test_alt_text_is_required(post, reporter, media_storage):
    with pytest.raises(ValidationError) as caught:
        _add(post, reporter, jpeg((400, 300)), alt_text="   ")

    assert caught.value.messages == [media_services.MSG_ALT_TEXT]
    assert all_files(media_storage) == set()


def test_rejected_upload_leaves_the_post_and_its_other_images_untouched(
    post, reporter, media_storage
):
    kept = _add(post, reporter, jpeg((800, 600)))
    post.refresh_from_db()
    version, files, events = post.version, all_files(media_storage), LiveEvent.objects.count()

    with pytest.raises(ValidationError):
        _add(post, reporter, SVG, alt_text="A chart")

    post.refresh_from_db()
    assert post.version == version
    assert list(post.images.all()) == [kept]
    assert all_files(media_storage) == files
    assert LiveEvent.objects.count() == events


def test_files_written_for_a_change_that_then_fails_are_deleted_again(
    post, reporter, media_storage
):
    # The post is deleted between the reporter opening it and the picture being saved.
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())

    with pytest.raises(ValidationError) as caught:
        _add(post, reporter, jpeg((800, 600)))

    assert caught.value.code == "deleted"
    assert all_files(media_storage) == set()
    assert not PostImage.objects.exists()


def test_reporter_cannot_add_pictures_to_someone_elses_post(post, other_reporter, media_storage):
    with pytest.raises(PermissionDenied):
        _add(post, other_reporter, jpeg((400, 300)))

    assert all_files(media_storage) == set()


def test_removing_an_image_deletes_its_renditions_after_commit(
    post, reporter, media_storage, django_capture_on_commit_callbacks
):
    gone = _add(post, reporter, jpeg((1200, 800)))
    kept = _add(post, reporter, jpeg((700, 500)))
    before = LiveEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        media_services.remove_post_image(gone, by=reporter)
    # Until the transaction commits the files stay: a rollback must not lose the picture.
    assert set(gone.stored_names) <= all_files(media_storage)
    for callback in callbacks:
        callback()

    assert all_files(media_storage) == set(kept.stored_names)
    assert list(post.images.all()) == [kept]
    assert LiveEvent.objects.count() == before + 1


def test_replacing_an_image_swaps_its_files_and_removes_the_old_renditions(
    post, reporter, media_storage, django_capture_on_commit_callbacks
):
    image = _add(post, reporter, jpeg((1200, 800)), caption="Before")
    old_names = set(image.stored_names)

    with django_capture_on_commit_callbacks(execute=True):
        media_services.update_post_image(
            image, by=reporter, upload=upload(png((500, 500))), caption="After"
        )

    image.refresh_from_db()
    assert (image.width, image.height, image.caption) == (500, 500, "After")
    assert all_files(media_storage) == set(image.stored_names)
    assert not old_names & all_files(media_storage)


def test_refused_replacement_keeps_the_current_picture(post, reporter, media_storage):
    image = _add(post, reporter, jpeg((1200, 800)))
    files = all_files(media_storage)

    with pytest.raises(ValidationError):
        media_services.update_post_image(image, by=reporter, upload=upload(PDF), caption="New")

    image.refresh_from_db()
    assert image.caption == ""
    assert all_files(media_storage) == files


# Reader page --------------------------------------------------------------------------------


def test_reader_page_shows_the_picture_with_srcset_sizes_dimensions_and_caption(
    client, post, reporter, media_storage
):
    image = _add(
        post,
        reporter,
        jpeg((2000, 1000)),
        alt_text="Iain Stewart at the Milton Keynes count",
        caption="Iain Stewart held Milton Keynes South",
        credit="BBC",
    )

    html = client.get(post.blog.get_absolute_url()).content.decode()

    figure = html.split('<figure class="post-image">', 1)[1].split("</figure>", 1)[0]
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="[^"]+">', figure)
    assert webp is not None
    assert [part.rsplit(" ", 1)[1] for part in webp[1].split(", ")] == [
        "320w",
        "640w",
        "1024w",
        "1600w",
    ]
    img = re.search(r"<img [^>]+>", figure)[0]
    assert 'alt="Iain Stewart at the Milton Keynes count"' in img
    assert 'width="2000" height="1000"' in img
    assert 'loading="lazy"' in img
    assert re.search(r'srcset="[^"]+\.jpg 320w, [^"]+\.jpg 640w, ', img)
    folder = image.original.name.rsplit("/", 1)[0]
    assert f'src="{media_storage.url(folder)}/1024w.jpg"' in img
    assert "Image caption, </span>" in figure
    assert "Iain Stewart held Milton Keynes South" in figure
    assert "Copyright: BBC" in figure


def test_reader_page_runs_the_same_queries_however_many_pictures_and_embeds(
    client, blog, reporter, media_storage
):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(blog.get_absolute_url())
        assert response.status_code == 200
        return len(queries)

    first = PostFactory(blog=blog, created_by=reporter)
    media_services.add_post_embed(first, by=reporter, url="https://x.com/BBCNews/status/1")
    _add(first, reporter, jpeg((400, 300)))
    one = page_queries()
    for _ in range(5):
        post = PostFactory(blog=blog, created_by=reporter)
        _add(post, reporter, jpeg((400, 300)))
        _add(post, reporter, jpeg((300, 300)))
        media_services.add_post_embed(post, by=reporter, url="https://youtu.be/dQw4w9WgXcQ")
        media_services.add_post_embed(post, by=reporter, url="https://x.com/BBCNews/status/2")

    assert page_queries() == one


def test_colour_profile_is_applied_and_not_kept(media_storage):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = jpeg((400, 300), color=(200, 40, 40), icc_profile=profile)

    stored = images.store_image(_decode(data), storage=media_storage)

    for name in stored.names:
        image = open_stored(media_storage, name)
        assert "icc_profile" not in image.info, name
        assert _close(image.convert("RGB").getpixel((10, 10)), (200, 40, 40)), name


# Dimensions and the work per upload (issue 14, item 8) --------------------------------------


@pytest.mark.parametrize("size", [(1, 60_000), (1080, 20_000), (17_000, 400)])
def test_a_side_longer_than_webp_allows_is_refused_from_the_header(size):
    # The file holds one pixel: a refusal other than "too long" would mean it was decoded.
    error = _refusal(png_claiming_size(*size))

    assert error.code == "too_long"
    assert f"{size[0]} × {size[1]} pixels" in error.messages[0]
    assert "at most 16,383 pixels" in error.messages[0]


def test_a_png_just_under_the_general_pixel_limit_is_refused_by_the_lossless_budget():
    error = _refusal(png_claiming_size(7745, 7745))

    assert error.code == "too_many_pixels"
    assert "the limit is 24 megapixels" in error.messages[0]


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    from PIL import JpegImagePlugin

    sizes_at_load = []
    real_load = JpegImagePlugin.JpegImageFile.load

    def spy(self):
        sizes_at_load.append(self.size)
        return real_load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy)

    decoded = _decode(jpeg((8400, 600)))

    assert sizes_at_load[0] == (4200, 300)
    assert (decoded.width, decoded.height) == (4000, 286)


def test_a_tall_picture_within_the_limits_is_kept_at_most_4000_pixels_long(media_storage):
    decoded = _decode(png((300, 6000), mode="L", color=128))

    stored = images.store_image(decoded, storage=media_storage)

    assert (stored.width, stored.height) == (200, 4000)
    assert all(r["height"] <= 4000 for r in stored.renditions)
