"""Result cards in posts: the card services lock the post and version it as the media
services do (liveblog.media.services), with the same refusals."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liveblog import services as liveblog_services
from liveblog.models import LiveEvent, Post
from results import services
from results.cards import list_shown_cards
from results.models import PostResultCard

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(blog, reporter):
    return liveblog_services.create_post(blog=blog, by=reporter, headline="Milton Keynes")


def _version(post: Post) -> int:
    return Post.objects.values_list("version", flat=True).get(pk=post.pk)


def test_attaching_a_card_makes_a_new_version_of_the_post(post, reporter, mk_south):
    before = _version(post)

    services.attach_result_card(post, mk_south, by=reporter)

    assert _version(post) == before + 1
    assert post.version == before + 1  # the caller's post is current
    assert Post.objects.get(pk=post.pk).updated_by == reporter


def test_moving_a_card_and_detaching_it_make_a_version_each(post, reporter, mk_south):
    card = services.attach_result_card(post, mk_south, by=reporter)
    before = _version(post)

    services.update_result_card(card, by=reporter, order=3)
    services.detach_result_card(card, by=reporter)

    assert _version(post) == before + 2
    assert not PostResultCard.objects.filter(post=post).exists()


def test_attaching_the_same_card_again_changes_nothing(post, reporter, mk_south):
    services.attach_result_card(post, mk_south, by=reporter)
    before, events = _version(post), LiveEvent.objects.count()

    services.attach_result_card(post, mk_south, by=reporter)

    assert (_version(post), LiveEvent.objects.count()) == (before, events)


def test_a_card_on_a_deleted_post_is_refused_as_its_media_are(post, reporter, mk_south):
    card = services.attach_result_card(post, mk_south, by=reporter)
    liveblog_services.delete_post(post, by=reporter)
    before = _version(post)

    for change in (
        lambda: services.attach_scoreboard_card(post, mk_south.election, by=reporter),
        lambda: services.update_result_card(card, by=reporter, order=2),
        lambda: services.detach_result_card(card, by=reporter),
    ):
        with pytest.raises(ValidationError) as exc:
            change()
        assert exc.value.messages == [liveblog_services.MSG_DELETED]

    assert _version(post) == before
    assert list(PostResultCard.objects.filter(post=post)) == [card]


def test_another_reporters_post_is_refused_with_the_post_message(
    post, reporter, other_reporter, mk_south
):
    card = services.attach_result_card(post, mk_south, by=reporter)
    before, events = _version(post), LiveEvent.objects.count()

    for change in (
        lambda: services.attach_scoreboard_card(post, mk_south.election, by=other_reporter),
        lambda: services.update_result_card(card, by=other_reporter, order=2),
        lambda: services.detach_result_card(card, by=other_reporter),
    ):
        with pytest.raises(PermissionDenied, match=liveblog_services.MSG_NOT_YOURS):
            change()

    assert (_version(post), LiveEvent.objects.count()) == (before, events)
    assert PostResultCard.objects.get(post=post).order == card.order


def test_a_card_change_reads_the_post_under_a_row_lock_first(post, reporter, mk_south):
    with CaptureQueriesContext(connection) as ctx:
        services.attach_result_card(post, mk_south, by=reporter)

    first = next(q["sql"] for q in ctx.captured_queries if "liveblog_post" in q["sql"])
    assert first.startswith("SELECT") and 'FROM "liveblog_post"' in first
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in first


# What a card shows ------------------------------------------------------------------------


def test_a_scoreboard_card_fetched_on_its_own_reads_its_scoreboard_once_when_asked(
    post, reporter, small_election, django_assert_num_queries
):
    services.attach_scoreboard_card(post, small_election, by=reporter)
    card = PostResultCard.objects.select_related("election").get(post=post)

    with django_assert_num_queries(3):  # the scoreboard's results, candidacies, parties
        board = card.scoreboard
    with django_assert_num_queries(0):
        assert card.scoreboard is board

    assert (board.election, board.declared) == (small_election, 2)


def test_a_constituency_card_has_no_scoreboard_and_reads_nothing_for_it(
    post, reporter, mk_south, django_assert_num_queries
):
    services.attach_result_card(post, mk_south, by=reporter)
    card = PostResultCard.objects.get(post=post)

    with django_assert_num_queries(0):
        assert card.scoreboard is None


def test_posts_loaded_together_share_one_scoreboard_per_election(blog, reporter, small_election):
    for headline in ("One", "Two"):
        post = liveblog_services.create_post(blog=blog, by=reporter, headline=headline)
        services.attach_scoreboard_card(post, small_election, by=reporter)

    posts = list(Post.objects.with_bylines())

    one, two = (p.result_cards.all()[0] for p in posts)
    assert one.scoreboard is two.scoreboard


def test_shown_cards_are_worked_out_without_queries_for_a_post_loaded_with_its_cards(
    post, reporter, mk_south, small_election, django_assert_num_queries
):
    services.attach_result_card(post, mk_south, by=reporter)
    services.attach_scoreboard_card(post, small_election, by=reporter)
    loaded = Post.objects.with_bylines().get(pk=post.pk)

    with django_assert_num_queries(0):
        shown = list_shown_cards(loaded)

    assert [(s.figures.headline if s.figures else None) for s in shown] == ["CON HOLD", None]
    assert shown[1].scoreboard.declared == 2
    assert shown[1].board_id == f"post-{post.pk}-scoreboard"
