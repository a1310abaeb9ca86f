"""One event per change: inside `one_event_per_post()` a post changed several times gets one
event of the net kind, rendered once with its final state; outside, each service call is
its own event; a block that fails records nothing."""

import pytest
from django.db import transaction

from liveblog import services
from liveblog.live import events
from liveblog.media import services as media_services
from liveblog.models import LiveEvent, Post


def _events_since(seq: int) -> list[LiveEvent]:
    return list(LiveEvent.objects.filter(seq__gt=seq).order_by("seq"))


@pytest.fixture
def renders(monkeypatch):
    seen: list[int] = []
    real = events.render_post_fragment
    monkeypatch.setattr(events, "render_post_fragment", lambda p: seen.append(p.pk) or real(p))
    return seen


def test_outside_a_block_each_change_is_its_own_event(blog, editor, renders):
    post = services.create_post(blog=blog, by=editor, headline="One")
    services.update_post(post, by=editor, expected_version=post.version, headline="Two")
    media_services.add_post_embed(post, by=editor, url="https://x.com/BBCNews/status/873")
    assert [e.kind for e in _events_since(0)] == ["post.published", "post.updated", "post.updated"]
    assert renders == [post.pk] * 3


def test_a_block_records_one_event_per_post_with_the_final_state(blog, editor, renders):
    post = services.create_post(blog=blog, by=editor, headline="Before")
    seq = blog.last_seq
    renders.clear()
    with events.one_event_per_post():
        services.update_post(post, by=editor, expected_version=post.version, headline="After")
        media_services.add_post_embed(post, by=editor, url="https://x.com/BBCNews/status/873")
        with events.one_event_per_post():  # nested: joins the outer block
            services.update_post(post, by=editor, expected_version=post.version, body="<p>x</p>")
        assert _events_since(seq) == []  # nothing until the block ends
    (event,) = _events_since(seq)
    assert event.kind == "post.updated"
    assert "After" in event.html and "Allow X content?" in event.html and "<p>x</p>" in event.html
    assert renders == [post.pk]


def test_the_kind_is_that_of_the_net_change(blog, editor):
    with events.one_event_per_post():
        draft = services.create_post(blog=blog, by=editor, headline="D", status=Post.Status.DRAFT)
        services.publish_post(draft, by=editor)
        services.update_post(draft, by=editor, expected_version=draft.version, headline="Pub")
    assert [(e.kind, e.post_id) for e in _events_since(0)] == [("post.published", draft.pk)]

    seq = blog.last_seq
    with events.one_event_per_post():
        services.update_post(draft, by=editor, expected_version=draft.version, headline="E")
        services.delete_post(draft, by=editor)
    assert [(e.kind, e.html) for e in _events_since(seq)] == [("post.deleted", "")]


def test_a_pin_in_a_block_unpins_the_other_post_and_pins_this_one(blog, editor):
    first = services.create_post(blog=blog, by=editor, headline="First", is_pinned=True)
    second = services.create_post(blog=blog, by=editor, headline="Second")
    seq = blog.last_seq
    with events.one_event_per_post():
        services.update_post(second, by=editor, expected_version=second.version, headline="2nd")
        services.pin_post(second, by=editor)
    assert [(e.kind, e.post_id, e.data) for e in _events_since(seq)] == [
        ("post.pinned", second.pk, {"pinned": True}),
        ("post.unpinned", first.pk, {"pinned": False}),
    ]


def test_a_post_readers_never_saw_gets_no_event(blog, editor):
    with events.one_event_per_post():
        draft = services.create_post(blog=blog, by=editor, headline="D", status=Post.Status.DRAFT)
        services.update_post(draft, by=editor, expected_version=draft.version, headline="D2")
    assert _events_since(0) == []


def test_a_block_that_fails_rolls_back_and_records_nothing(blog, editor, renders):
    post = services.create_post(blog=blog, by=editor, headline="Kept")
    seq = blog.last_seq
    with pytest.raises(RuntimeError), events.one_event_per_post():
        services.update_post(post, by=editor, expected_version=post.version, headline="Lost")
        raise RuntimeError("the save failed after the first change")
    post.refresh_from_db()
    assert post.headline == "Kept"
    assert _events_since(seq) == []
    # And the next block starts clean.
    with events.one_event_per_post():
        services.update_post(post, by=editor, expected_version=post.version, headline="Next")
    assert [e.kind for e in _events_since(seq)] == ["post.updated"]


def test_a_block_is_its_own_transaction_and_broadcasts_after_commit(
    blog, editor, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(events, "_broadcast", sent.append)
    post = services.create_post(blog=blog, by=editor, headline="x")
    with django_capture_on_commit_callbacks(execute=True), events.one_event_per_post():
        assert transaction.get_connection().in_atomic_block
        services.update_post(post, by=editor, expected_version=post.version, headline="y")
        media_services.add_post_embed(post, by=editor, url="https://x.com/BBCNews/status/9")
        assert sent == []
    assert [m["kind"] for m in sent] == ["post.updated"]
