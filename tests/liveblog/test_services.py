import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from liveblog import services
from liveblog.live.events import blog_group_name
from liveblog.models import LiveEvent, Post
from tests.factories import LiveBlogFactory, ReporterFactory, UserFactory

pytestmark = pytest.mark.django_db

PAST = datetime(2017, 6, 9, 8, 51, tzinfo=UTC)


def _kinds(blog) -> list[tuple[int, str]]:
    return list(LiveEvent.objects.filter(blog=blog).order_by("seq").values_list("seq", "kind"))


def _file(blog, by, **kwargs) -> Post:
    kwargs.setdefault("headline", "Turnout is up")
    return services.create_post(blog=blog, by=by, **kwargs)


# Creating -----------------------------------------------------------------------------------


def test_create_post_publishes_it_at_once(reporter, blog):
    post = _file(blog, reporter, body="<p>Queues at the polling stations.</p>")

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at <= timezone.now()
    assert post.created_by == reporter
    assert list(Post.objects.visible()) == [post]
    assert _kinds(blog) == [(1, "post.published")]


def test_create_post_with_future_time_schedules_it_unseen(reporter, blog):
    post = _file(blog, reporter, published_at=timezone.now() + timedelta(hours=1))

    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    assert not Post.objects.visible().exists()
    assert _kinds(blog) == []


def test_create_post_with_past_time_publishes_it_at_that_time(reporter, blog):
    post = _file(blog, reporter, published_at=PAST)

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at == PAST


def test_create_post_keeps_a_draft_unpublished(reporter, blog):
    post = _file(blog, reporter, status=Post.Status.DRAFT)

    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert not Post.objects.visible().exists()
    assert _kinds(blog) == []


@pytest.mark.parametrize(
    ("headline", "body"),
    [("", ""), ("   ", "<p> </p>"), ("", "<script>alert(1)</script>"), ("", "<p><br></p>")],
)
def test_create_post_without_headline_or_text_is_rejected_and_writes_nothing(
    reporter, blog, headline, body
):
    with pytest.raises(ValidationError) as excinfo:
        services.create_post(blog=blog, by=reporter, headline=headline, body=body)

    assert excinfo.value.code == "empty_post"
    assert excinfo.value.messages == [services.MSG_EMPTY_POST]
    assert not Post.objects.exists()
    assert not LiveEvent.objects.exists()


def test_staff_user_outside_the_newsroom_groups_cannot_file_a_post(blog):
    with pytest.raises(PermissionDenied):
        _file(blog, UserFactory())

    assert not Post.objects.exists()


def test_reporter_without_a_byline_can_file_a_post(blog):
    post = _file(blog, ReporterFactory())

    assert post.is_visible()
    assert not post.contributors.exists()


@pytest.mark.parametrize("flag", ["is_breaking", "is_key_event", "is_pinned"])
def test_reporter_cannot_file_a_flagged_post(reporter, blog, flag):
    with pytest.raises(PermissionDenied):
        _file(blog, reporter, **{flag: True})

    assert not Post.objects.exists()
    assert not LiveEvent.objects.exists()


def test_editor_can_file_a_breaking_pinned_key_event(editor, blog):
    post = _file(blog, editor, is_breaking=True, is_key_event=True, is_pinned=True)

    post.refresh_from_db()
    assert (post.is_breaking, post.is_key_event, post.is_pinned) == (True, True, True)


def test_create_post_sets_the_contributors(reporter, other_reporter, blog):
    other_reporter.contributor.signers.add(reporter)  # linked by an editor

    post = _file(blog, reporter, contributors=[reporter.contributor, other_reporter.contributor])

    assert set(post.contributors.all()) == {reporter.contributor, other_reporter.contributor}


# Sanitising ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hi</p><script>alert(1)</script>", "<p>Hi</p>"),
        ('<p onclick="x()">Hi<img src="x" onerror="alert(1)"></p>', "<p>Hi</p>"),
        (
            '<p><a href="javascript:alert(1)">click</a></p>',
            '<p><a rel="noopener nofollow">click</a></p>',
        ),
        (
            '<p><a href="https://bbc.co.uk/news" target="_blank" rel="opener">BBC</a></p>',
            '<p><a href="https://bbc.co.uk/news" rel="noopener nofollow">BBC</a></p>',
        ),
        (
            '<h1 style="color:red">Big</h1><div class="x"><span>Word</span></div>',
            "BigWord",
        ),
        ("<p>Hi</p><style>p{}</style><iframe src='https://evil'></iframe>", "<p>Hi</p>"),
        (
            '<p class="MsoNormal" style="margin:0"><span lang="EN-GB">Pasted'
            "<o:p></o:p></span></p><!-- Word -->",
            "<p>Pasted</p>",
        ),
    ],
)
def test_create_post_sanitises_the_body(reporter, blog, dirty, clean):
    post = _file(blog, reporter, body=dirty)

    post.refresh_from_db()
    assert post.body == clean


def test_create_post_keeps_the_allowed_markup(reporter, blog):
    allowed = (
        "<p><strong>Con hold</strong> and <em>Lab gain</em><br>"
        '<a href="https://example.org/r" rel="noopener nofollow">results</a></p>'
        "<ul><li>Luton North</li></ul><ol><li>Bedford</li></ol>"
        "<blockquote><p>Too close to call.</p></blockquote>"
    )

    post = _file(blog, reporter, body=allowed)

    post.refresh_from_db()
    assert post.body == allowed


def test_update_post_sanitises_the_body(reporter, reporter_post):
    services.update_post(
        reporter_post,
        by=reporter,
        expected_version=reporter_post.version,
        body='<p>Fixed<script>alert(1)</script><a href="javascript:x">x</a></p>',
    )

    reporter_post.refresh_from_db()
    assert reporter_post.body == '<p>Fixed<a rel="noopener nofollow">x</a></p>'


# Updating -----------------------------------------------------------------------------------


def test_update_post_saves_the_change_and_bumps_the_version(reporter, reporter_post):
    services.update_post(
        reporter_post, by=reporter, expected_version=1, headline="Counting over in Luton"
    )

    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Counting over in Luton"
    assert reporter_post.version == 2
    assert reporter_post.updated_by == reporter


def test_update_post_from_a_stale_version_raises_conflict_and_changes_nothing(
    reporter, editor, reporter_post
):
    services.update_post(reporter_post, by=editor, expected_version=1, headline="Editor's")
    seq_before = _kinds(reporter_post.blog)

    with pytest.raises(services.PostConflict) as excinfo:
        services.update_post(reporter_post, by=reporter, expected_version=1, headline="Mine")

    assert excinfo.value.code == "conflict"
    assert excinfo.value.current.headline == "Editor's"
    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Editor's"
    assert reporter_post.version == 2
    assert _kinds(reporter_post.blog) == seq_before


def test_reporter_cannot_update_another_reporters_post(other_reporter, reporter_post):
    with pytest.raises(PermissionDenied):
        services.update_post(
            reporter_post, by=other_reporter, expected_version=1, headline="Not mine"
        )

    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Counting under way in Luton"
    assert reporter_post.version == 1
    assert LiveEvent.objects.count() == 1


def test_reporter_cannot_delete_another_reporters_post(other_reporter, reporter_post):
    with pytest.raises(PermissionDenied):
        services.delete_post(reporter_post, by=other_reporter)

    reporter_post.refresh_from_db()
    assert reporter_post.deleted_at is None
    assert reporter_post.is_visible()


@pytest.mark.parametrize("flag", ["is_breaking", "is_key_event", "is_pinned"])
def test_reporter_cannot_flag_their_own_post(reporter, reporter_post, flag):
    with pytest.raises(PermissionDenied):
        services.update_post(reporter_post, by=reporter, expected_version=1, **{flag: True})

    reporter_post.refresh_from_db()
    assert getattr(reporter_post, flag) is False
    assert reporter_post.version == 1


def test_reporter_can_save_their_post_with_flags_left_as_they_are(reporter, editor, blog):
    post = _file(blog, editor, is_breaking=True)
    Post.objects.filter(pk=post.pk).update(created_by=reporter)  # filed for the reporter

    services.update_post(
        post, by=reporter, expected_version=1, headline="Tweaked", is_breaking=True
    )

    post.refresh_from_db()
    assert post.headline == "Tweaked"
    assert post.is_breaking is True


def test_editor_can_change_and_flag_a_reporters_post(editor, reporter_post):
    services.update_post(
        reporter_post,
        by=editor,
        expected_version=1,
        headline="Luton count latest",
        is_breaking=True,
        is_key_event=True,
        is_pinned=True,
    )

    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Luton count latest"
    assert (reporter_post.is_breaking, reporter_post.is_key_event) == (True, True)
    assert reporter_post.is_pinned is True


def test_update_post_that_would_leave_it_empty_is_rejected_and_changes_nothing(
    reporter, reporter_post
):
    with pytest.raises(ValidationError) as excinfo:
        services.update_post(
            reporter_post, by=reporter, expected_version=1, headline="", body="<p></p>"
        )

    assert excinfo.value.code == "empty_post"
    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Counting under way in Luton"
    assert reporter_post.version == 1


def test_update_post_to_a_future_time_schedules_it_and_hides_it(reporter, reporter_post):
    services.update_post(
        reporter_post,
        by=reporter,
        expected_version=1,
        published_at=timezone.now() + timedelta(hours=2),
    )

    reporter_post.refresh_from_db()
    assert reporter_post.status == Post.Status.SCHEDULED
    assert not Post.objects.visible().exists()
    assert _kinds(reporter_post.blog) == [(1, "post.published"), (2, "post.deleted")]


def test_update_post_of_a_deleted_post_is_refused(reporter, reporter_post):
    services.delete_post(reporter_post, by=reporter)

    with pytest.raises(ValidationError) as excinfo:
        services.update_post(reporter_post, by=reporter, expected_version=2, headline="Back")

    assert excinfo.value.code == "deleted"


# Pinning and deleting -----------------------------------------------------------------------


def test_pin_post_unpins_the_previously_pinned_post(editor, blog):
    first = _file(blog, editor, is_pinned=True)
    second = _file(blog, editor)

    services.pin_post(second, by=editor)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_pinned is False
    assert second.is_pinned is True
    assert _kinds(blog)[-2:] == [(3, "post.unpinned"), (4, "post.pinned")]


def test_reporter_cannot_pin_a_post(reporter, reporter_post):
    with pytest.raises(PermissionDenied):
        services.pin_post(reporter_post, by=reporter)

    reporter_post.refresh_from_db()
    assert reporter_post.is_pinned is False


def test_unpin_post_records_an_unpinned_event(editor, blog):
    post = _file(blog, editor, is_pinned=True)

    services.unpin_post(post, by=editor)

    post.refresh_from_db()
    assert post.is_pinned is False
    assert _kinds(blog) == [(1, "post.published"), (2, "post.unpinned")]


def test_delete_post_soft_deletes_and_unpins(editor, blog):
    post = _file(blog, editor, is_pinned=True)

    services.delete_post(post, by=editor)

    post.refresh_from_db()
    assert post.deleted_at is not None
    assert post.is_pinned is False
    assert Post.objects.filter(pk=post.pk).exists()
    assert not Post.objects.visible().exists()
    assert _kinds(blog) == [(1, "post.published"), (2, "post.deleted")]


def test_editor_can_delete_a_reporters_post(editor, reporter_post):
    services.delete_post(reporter_post, by=editor)

    reporter_post.refresh_from_db()
    assert reporter_post.deleted_at is not None
    assert reporter_post.updated_by == editor


def test_reporter_can_delete_their_own_post(reporter, reporter_post):
    services.delete_post(reporter_post, by=reporter)

    reporter_post.refresh_from_db()
    assert reporter_post.deleted_at is not None


# Scheduling ---------------------------------------------------------------------------------


def test_publish_scheduled_posts_publishes_only_the_due_ones(reporter, blog):
    soon = timezone.now() + timedelta(minutes=5)
    due = _file(blog, reporter, headline="Due", published_at=soon)
    _file(blog, reporter, headline="Later", published_at=soon + timedelta(hours=5))
    _file(blog, reporter, headline="Draft", status=Post.Status.DRAFT, published_at=PAST)
    # The clock passes the due post's time.
    Post.objects.filter(pk=due.pk).update(published_at=PAST)

    published = services.publish_scheduled_posts()

    assert published == [due]
    statuses = dict(Post.objects.values_list("headline", "status"))
    assert statuses == {"Due": "published", "Later": "scheduled", "Draft": "draft"}
    assert list(Post.objects.visible()) == [due]
    assert _kinds(blog) == [(1, "post.published")]


# Events -------------------------------------------------------------------------------------


def test_each_reader_visible_change_records_the_next_seq_of_its_blog(reporter, editor, blog):
    other_blog = LiveBlogFactory()
    first = _file(blog, reporter)
    _file(other_blog, reporter)
    second = _file(blog, editor, is_pinned=True)
    services.update_post(first, by=reporter, expected_version=1, headline="Edited")
    services.pin_post(first, by=editor)
    services.unpin_post(first, by=editor)
    services.delete_post(second, by=editor)
    _file(blog, reporter, status=Post.Status.DRAFT)  # readers see nothing: no event

    assert _kinds(blog) == [
        (1, "post.published"),
        (2, "post.published"),
        (3, "post.updated"),
        (4, "post.unpinned"),
        (5, "post.pinned"),
        (6, "post.unpinned"),
        (7, "post.deleted"),
    ]
    assert _kinds(other_blog) == [(1, "post.published")]
    blog.refresh_from_db()
    assert blog.last_seq == 7


def test_event_carries_the_rendered_post(reporter, reporter_post):
    event = LiveEvent.objects.get(post=reporter_post)

    assert f'id="post-{reporter_post.pk}"' in event.html
    assert "Counting under way in Luton" in event.html


@pytest.mark.django_db(transaction=True)
async def test_change_is_broadcast_to_the_blogs_group_after_commit(reporter, blog):
    # One event loop for the listener (the pub/sub layer is per loop); the save runs in a
    # worker thread, whose on-commit broadcast is sent through this loop.
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(blog_group_name(blog.pk), channel)

    post = await database_sync_to_async(_file)(blog, reporter)

    message = await asyncio.wait_for(layer.receive(channel), timeout=3)
    assert message["type"] == "live.event"
    assert (message["blog_id"], message["seq"]) == (blog.pk, 1)
    assert json.loads(message["frame"])["kind"] == "post.published"
    assert await database_sync_to_async(LiveEvent.objects.filter(post=post, seq=1).exists)()
    await layer.group_discard(blog_group_name(blog.pk), channel)


def test_change_rolled_back_records_and_broadcasts_nothing(
    reporter, reporter_post, django_capture_on_commit_callbacks
):
    blog = reporter_post.blog
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.update_post(reporter_post, by=reporter, expected_version=1, headline="Rolled back")
        raise RuntimeError("the caller's transaction fails later")

    assert callbacks == []
    assert _kinds(blog) == [(1, "post.published")]
    blog.refresh_from_db()
    assert blog.last_seq == 1
    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Counting under way in Luton"


def test_pinning_while_someone_edits_does_not_fail_on_their_version(editor, blog):
    post = _file(blog, editor)
    stale = Post.objects.get(pk=post.pk)
    services.update_post(post, by=editor, expected_version=post.version, headline="Edited")

    services.pin_post(stale, by=editor)

    post.refresh_from_db()
    assert (post.is_pinned, post.headline, post.version) == (True, "Edited", 3)
