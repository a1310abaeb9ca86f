"""Issue 6: pictures and embeds on the admin's post form (inlines saved through the services)."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from liveblog import services
from liveblog.live import events as events_module
from liveblog.media import services as media_services
from liveblog.media.admin import MSG_CHOOSE_FILE
from liveblog.models import LiveEvent, Post, PostEmbed, PostImage

from . import media_files
from .media_files import SVG, all_files, jpeg, png, upload

pytestmark = pytest.mark.django_db
media_storage = media_files.media_storage

ADD_URL = reverse("admin:liveblog_post_add")


def _change_url(post: Post) -> str:
    return reverse("admin:liveblog_post_change", args=[post.pk])


def _management(prefix: str, *, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _post_fields(blog, *, post: Post | None = None, when: datetime | None = None) -> dict:
    when = timezone.localtime(when or (post.published_at if post else timezone.now()))
    return {
        "blog": blog.pk,
        "headline": post.headline if post else "Turnout up in Bedford",
        "body": post.body if post else "<p>Queues at the polling stations.</p>",
        "contributors": [],
        "status": Post.Status.PUBLISHED,
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
        "version": post.version if post else "",
        "_save": "Save",
    }


def _image_row(
    i: int, *, file=None, alt: str = "Voters queue", image: PostImage | None = None, **extra
) -> dict:
    row = {
        f"images-{i}-alt_text": alt,
        f"images-{i}-caption": extra.pop("caption", ""),
        f"images-{i}-credit": extra.pop("credit", ""),
        f"images-{i}-order": str(extra.pop("order", i)),
        f"images-{i}-id": str(image.pk) if image else "",
    }
    if file is not None:
        row[f"images-{i}-upload"] = file
    for name, value in extra.items():
        row[f"images-{i}-{name}"] = value
    return row


def _embed_row(i: int, url: str, *, embed: PostEmbed | None = None, **extra) -> dict:
    row = {
        f"embeds-{i}-url": url,
        f"embeds-{i}-order": str(i),
        f"embeds-{i}-id": str(embed.pk) if embed else "",
    }
    for name, value in extra.items():
        row[f"embeds-{i}-{name}"] = value
    return row


@pytest.fixture
def post(reporter, blog) -> Post:
    return services.create_post(blog=blog, by=reporter, headline="Counting in Bedford")


def _errors(response) -> str:
    return response.content.decode()


def test_post_form_offers_pictures_with_alt_text_and_embeds(client, reporter, blog):
    client.force_login(reporter)

    html = client.get(ADD_URL).content.decode()

    assert 'name="images-0-upload"' in html
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html
    assert 'name="images-0-alt_text"' in html
    assert 'name="images-0-credit"' in html
    assert 'name="embeds-0-url"' in html
    assert 'enctype="multipart/form-data"' in html


def test_reporter_files_a_post_with_a_picture_and_an_embed(client, reporter, blog, media_storage):
    client.force_login(reporter)
    data = {
        **_post_fields(blog),
        **_management("images", total=1),
        **_image_row(0, file=upload(jpeg((1800, 1200))), caption="The queue", credit="BBC"),
        **_management("embeds", total=1),
        **_embed_row(0, "https://twitter.com/BBCNews/status/873?s=20"),
    }

    response = client.post(ADD_URL, data)

    assert response.status_code == 302, _errors(response)
    post = Post.objects.get()
    image = post.images.get()
    assert (image.alt_text, image.caption, image.credit) == ("Voters queue", "The queue", "BBC")
    assert sorted({r["width"] for r in image.renditions}) == [320, 640, 1024, 1600]
    assert all_files(media_storage) == set(image.stored_names)
    assert [(e.provider, e.url) for e in post.embeds.all()] == [
        ("x", "https://x.com/BBCNews/status/873")
    ]
    # One event for the whole save: published, rendered with the picture and the embed.
    events = list(LiveEvent.objects.filter(post=post).order_by("seq"))
    assert [e.kind for e in events] == [LiveEvent.Kind.POST_PUBLISHED]
    assert "<picture>" in events[0].html and "Allow X content?" in events[0].html


def test_picture_without_alt_text_is_refused_and_nothing_is_saved(
    client, reporter, blog, media_storage
):
    client.force_login(reporter)
    data = {
        **_post_fields(blog),
        **_management("images", total=1),
        **_image_row(0, file=upload(jpeg((800, 600))), alt="  "),
        **_management("embeds", total=0),
    }

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert media_services.MSG_ALT_TEXT in response.content.decode()
    assert not Post.objects.exists()
    assert all_files(media_storage) == set()


def test_alt_text_without_a_file_asks_for_the_picture(client, reporter, blog, media_storage):
    client.force_login(reporter)
    data = {
        **_post_fields(blog),
        **_management("images", total=1),
        **_image_row(0, alt="A picture I forgot to choose"),
        **_management("embeds", total=0),
    }

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert MSG_CHOOSE_FILE in response.content.decode()
    assert not Post.objects.exists()


def test_refused_upload_is_reported_on_the_form_and_leaves_the_post_untouched(
    client, reporter, post, media_storage
):
    kept = media_services.add_post_image(
        post, by=reporter, upload=upload(png((640, 480))), alt_text="A"
    )
    post.refresh_from_db()
    version, files, events = post.version, all_files(media_storage), LiveEvent.objects.count()
    client.force_login(reporter)
    data = {
        **_post_fields(post.blog, post=post),
        "headline": "Changed headline",
        **_management("images", total=2, initial=1),
        **_image_row(0, image=kept, alt="A", caption="Changed caption"),
        **_image_row(1, file=upload(SVG, name="chart.svg", content_type="image/svg+xml")),
        **_management("embeds", total=0),
    }

    response = client.post(_change_url(post), data)

    assert response.status_code == 200
    assert "SVG files are not accepted: they can carry scripts and links." in _errors(response)
    post.refresh_from_db()
    kept.refresh_from_db()
    assert (post.version, post.headline) == (version, "Counting in Bedford")
    assert list(post.images.all()) == [kept] and kept.caption == ""
    assert all_files(media_storage) == files
    assert LiveEvent.objects.count() == events


def test_one_admin_save_with_text_pictures_and_embeds_is_one_event_with_the_final_state(
    client, reporter, post, media_storage, django_capture_on_commit_callbacks, monkeypatch
):
    first = media_services.add_post_image(
        post, by=reporter, upload=upload(jpeg((900, 600))), alt_text="1"
    )
    gone = media_services.add_post_image(
        post, by=reporter, upload=upload(jpeg((700, 500))), alt_text="2"
    )
    post.refresh_from_db()
    before = LiveEvent.objects.count()
    client.force_login(reporter)
    data = {
        **_post_fields(post.blog, post=post),
        "headline": "Bedford: the count in pictures",
        **_management("images", total=4, initial=2),
        **_image_row(0, image=first, alt="Bedford count, 2am", credit="PA Media"),
        **_image_row(1, image=gone, alt="2", DELETE="on"),
        **_image_row(2, file=upload(jpeg((1200, 800))), alt="New one"),
        **_image_row(3, file=upload(png((400, 400))), alt="Another"),
        **_management("embeds", total=2),
        **_embed_row(0, "https://youtu.be/dQw4w9WgXcQ"),
        **_embed_row(1, "https://bsky.app/profile/bbcnews.bsky.social/post/3kxyzabcdefg2"),
    }

    renders = []
    real_render = events_module.render_post_fragment
    monkeypatch.setattr(
        events_module, "render_post_fragment", lambda p: renders.append(p.pk) or real_render(p)
    )
    broadcasts = []
    monkeypatch.setattr(events_module, "_broadcast", broadcasts.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_change_url(post), data)

    assert response.status_code == 302, _errors(response)
    events = list(LiveEvent.objects.order_by("seq")[before:])
    # The text, three pictures changed, one removed, two embeds added: one event, one
    # render, one broadcast.
    assert [e.kind for e in events] == [LiveEvent.Kind.POST_UPDATED]
    assert renders == [post.pk]
    assert [m["seq"] for m in broadcasts] == [events[0].seq]
    final = events[-1].html
    assert "Bedford: the count in pictures" in final
    assert final.count("<figure") == 3 and 'alt="2"' not in final
    assert "Copyright: PA Media" in final
    assert "Allow YouTube content?" in final and "Allow Bluesky content?" in final
    assert [i.alt_text for i in post.images.order_by("order")] == [
        "Bedford count, 2am",
        "New one",
        "Another",
    ]
    # The deleted picture's files went with it, after commit.
    assert all_files(media_storage) == {n for i in post.images.all() for n in i.stored_names}


def test_replacing_a_picture_in_the_admin_removes_the_old_renditions(
    client, reporter, post, media_storage, django_capture_on_commit_callbacks
):
    image = media_services.add_post_image(
        post, by=reporter, upload=upload(jpeg((900, 600))), alt_text="A"
    )
    old = set(image.stored_names)
    post.refresh_from_db()
    client.force_login(reporter)
    data = {
        **_post_fields(post.blog, post=post),
        **_management("images", total=1, initial=1),
        **_image_row(0, image=image, alt="A", file=upload(png((500, 500)))),
        **_management("embeds", total=0),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_change_url(post), data)

    assert response.status_code == 302, _errors(response)
    image.refresh_from_db()
    assert (image.width, image.height) == (500, 500)
    assert all_files(media_storage) == set(image.stored_names)
    assert not old & all_files(media_storage)


def test_look_alike_embed_link_is_refused_on_the_form(client, reporter, post):
    client.force_login(reporter)
    data = {
        **_post_fields(post.blog, post=post),
        **_management("images", total=0),
        **_management("embeds", total=1),
        **_embed_row(0, "https://twitter.com.evil.example/BBCNews/status/1"),
    }

    response = client.post(_change_url(post), data)

    assert response.status_code == 200
    assert "not one of them" in response.content.decode()
    assert not PostEmbed.objects.exists()


def test_form_posted_without_the_media_section_leaves_media_as_it_is(
    client, reporter, post, media_storage
):
    image = media_services.add_post_image(
        post, by=reporter, upload=upload(jpeg((400, 300))), alt_text="A"
    )
    post.refresh_from_db()
    client.force_login(reporter)

    response = client.post(
        _change_url(post), {**_post_fields(post.blog, post=post), "headline": "New"}
    )

    assert response.status_code == 302
    assert list(post.images.all()) == [image]
    post.refresh_from_db()
    assert post.headline == "New"


def test_reporter_cannot_change_pictures_on_someone_elses_post(
    client, other_reporter, post, media_storage
):
    media_services.add_post_image(
        post, by=post.created_by, upload=upload(jpeg((400, 300))), alt_text="A"
    )
    client.force_login(other_reporter)

    response = client.get(_change_url(post))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Pictures" in html
    assert 'name="images-0-alt_text"' not in html
    assert 'name="images-1-upload"' not in html


def test_a_picture_taller_than_webp_allows_is_refused_on_the_form(
    client, reporter, post, media_storage
):
    """Issue 14, item 8: a 1080 x 20000 PNG gave a 500 (WebP's 16,383-pixel limit)."""
    client.force_login(reporter)
    data = {
        **_post_fields(post.blog, post=post),
        **_management("images", total=1),
        **_image_row(0, file=upload(media_files.png_claiming_size(1080, 20_000), name="tall.png")),
        **_management("embeds", total=0),
    }

    response = client.post(_change_url(post), data)

    assert response.status_code == 200
    assert "1080 × 20000 pixels; a side can be at most 16,383 pixels" in _errors(response)
    assert not post.images.exists()
