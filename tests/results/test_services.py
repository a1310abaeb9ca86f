"""Declaring and correcting results (issue 5): revisions, live posts, scoreboard."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from liveblog import services as liveblog_services
from liveblog.models import LiveBlog, LiveEvent, Post
from results import services
from results.figures import result_figures
from results.models import (
    Constituency,
    ConstituencyResult,
    Election,
    Party,
    PostResultCard,
    ResultRevision,
)
from results.selectors import get_result_figures, get_scoreboard

from .conftest import entries_of

pytestmark = pytest.mark.django_db


def _post_with_card(blog, by, result, **kwargs) -> Post:
    post = liveblog_services.create_post(blog=blog, by=by, headline="MK South", **kwargs)
    PostResultCard.objects.create(post=post, result=result)
    return post


def test_correction_keeps_a_revision_saying_who_changed_what(mk_south, editor):
    services.correct_result(
        mk_south,
        candidates=entries_of(mk_south, LAB=28927),
        electorate=mk_south.electorate,
        invalid_votes=mk_south.invalid_votes,
        by=editor,
        note="On-the-night figure",
    )

    revision = ResultRevision.objects.filter(result=mk_south).latest("number")
    assert (revision.number, revision.kind, revision.by, revision.note) == (
        2,
        "corrected",
        editor,
        "On-the-night figure",
    )
    assert revision.changes == [
        "Status: declared → corrected",
        "Hannah O'Neill (LAB) votes: 28,987 → 28,927",
    ]
    mk_south.refresh_from_db()
    assert mk_south.status == ConstituencyResult.Status.CORRECTED
    assert get_result_figures(mk_south).majority == 1725


def test_correction_that_changes_the_winner_flips_hold_to_gain_and_the_scoreboard(
    mk_south, small_election, editor
):
    before = {r.party.code: r.seats for r in get_scoreboard(small_election).parties}

    services.correct_result(
        mk_south,
        candidates=entries_of(mk_south, LAB=31000),
        electorate=mk_south.electorate,
        by=editor,
    )

    assert get_result_figures(mk_south).headline == "LAB GAIN FROM CON"
    board = get_scoreboard(small_election)
    after = {r.party.code: (r.seats, r.change) for r in board.parties}
    assert before["CON"] == 2 and after["CON"] == (1, -1)
    assert after["LAB"] == (1, 1)
    assert board.declared == 2


def test_correction_updates_every_visible_post_that_shows_the_result(
    mk_south, editor, blog, django_capture_on_commit_callbacks
):
    other_blog = LiveBlog.objects.create(title="Bucks live", slug="bucks")
    shown = [_post_with_card(blog, editor, mk_south), _post_with_card(other_blog, editor, mk_south)]
    draft = _post_with_card(blog, editor, mk_south, status=Post.Status.DRAFT)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.correct_result(
            mk_south, candidates=entries_of(mk_south, LAB=28927), electorate=92417, by=editor
        )

    events = LiveEvent.objects.filter(kind=LiveEvent.Kind.POST_UPDATED).order_by("id")
    assert [e.post_id for e in events] == [p.pk for p in shown]
    assert all("28,927" in e.html and "1,725" in e.html for e in events)
    assert not LiveEvent.objects.filter(post=draft).exists()
    assert len(callbacks) == 2


def test_failed_correction_changes_nothing(
    mk_south, editor, blog, django_capture_on_commit_callbacks
):
    _post_with_card(blog, editor, mk_south)
    events_before = LiveEvent.objects.count()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as exc,
    ):
        services.correct_result(
            mk_south, candidates=entries_of(mk_south, LAB=30652), electorate=92417, by=editor
        )

    assert exc.value.code == "tie"
    assert "tie for first place" in exc.value.messages[0]
    assert callbacks == []
    assert LiveEvent.objects.count() == events_before
    assert ResultRevision.objects.filter(result=mk_south).count() == 1
    assert get_result_figures(mk_south).candidates[1].votes == 28987


def test_a_recorded_tie_break_decides_a_tie(mk_south, editor):
    entries = entries_of(mk_south, LAB=30652)
    entries = [
        services.CandidateEntry(**{**e.__dict__, "won_tie_break": e.party.code == "LAB"})
        for e in entries
    ]

    services.correct_result(mk_south, candidates=entries, electorate=92417, by=editor)

    figures = get_result_figures(mk_south)
    assert (figures.winner.name, figures.majority) == ("Hannah O'Neill", 0)


def test_negative_votes_are_refused(mk_south, editor):
    with pytest.raises(ValidationError) as exc:
        services.correct_result(
            mk_south, candidates=entries_of(mk_south, GRN=-1), electorate=92417, by=editor
        )

    assert exc.value.code == "negative_votes"


def test_a_correction_that_changes_nothing_records_nothing(mk_south, editor):
    services.correct_result(
        mk_south,
        candidates=entries_of(mk_south),
        electorate=mk_south.electorate,
        invalid_votes=mk_south.invalid_votes,
        by=editor,
    )

    assert ResultRevision.objects.filter(result=mk_south).count() == 1
    mk_south.refresh_from_db()
    assert mk_south.status == ConstituencyResult.Status.DECLARED


def test_reporters_cannot_correct_results(mk_south, reporter):
    with pytest.raises(PermissionDenied):
        services.correct_result(
            mk_south, candidates=entries_of(mk_south, LAB=1), electorate=92417, by=reporter
        )


@pytest.fixture
def awaiting(mk_south, editor):
    night = Election.objects.create(
        name="Election night", slug="night", date=mk_south.election.date
    )
    return services.create_result(
        election=night,
        constituency=Constituency.objects.get(pk=mk_south.constituency_id),
        previous_winner=Party.objects.get(code="CON"),
        electorate=92417,
        by=editor,
    )


def test_declaring_files_a_breaking_post_with_the_card(
    awaiting, mk_south, editor, blog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.declare_result(
            awaiting,
            candidates=entries_of(mk_south, LAB=28927),
            electorate=92417,
            invalid_votes=122,
            by=editor,
            announce_in=blog,
        )

    post = Post.objects.get(blog=blog)
    assert post.headline == "Conservatives hold Milton Keynes South"
    assert post.is_breaking and post.is_visible()
    assert post.body == "<p>Iain Stewart (Con) holds Milton Keynes South.</p>"
    assert list(post.result_cards.values_list("result_id", flat=True)) == [awaiting.pk]
    (event,) = LiveEvent.objects.filter(blog=blog)
    assert event.kind == LiveEvent.Kind.POST_PUBLISHED
    assert "CON</span> HOLD" in event.html and "1,725" in event.html
    revision = ResultRevision.objects.get(result=awaiting)
    assert (revision.kind, revision.by) == ("declared", editor)


def test_declaring_without_a_blog_files_no_post(awaiting, mk_south, editor):
    services.declare_result(awaiting, candidates=entries_of(mk_south), electorate=92417, by=editor)

    assert Post.objects.count() == 0
    assert result_figures(ConstituencyResult.objects.for_card().get(pk=awaiting.pk)).headline == (
        "CON HOLD"
    )


def test_declaring_a_declared_result_is_refused(mk_south, editor):
    with pytest.raises(ValidationError) as exc:
        services.declare_result(
            mk_south, candidates=entries_of(mk_south), electorate=92417, by=editor
        )

    assert exc.value.code == "declared"


def test_a_gain_headline_names_both_parties(awaiting, mk_south, editor):
    services.declare_result(
        awaiting, candidates=entries_of(mk_south, LAB=40000), electorate=92417, by=editor
    )

    assert services.announcement_headline(get_result_figures(awaiting)) == (
        "Labour gain Milton Keynes South from Conservatives"
    )


def test_scoreboard_counts_awaiting_seats_in_the_total_only(awaiting, editor):
    board = get_scoreboard(awaiting.election)

    assert (board.declared, board.total) == (0, 1)


def test_scoreboard_runs_three_queries_for_two_seats(small_election, django_assert_num_queries):
    with django_assert_num_queries(3):
        board = get_scoreboard(small_election)

    assert board.declared == 2


def test_the_announcement_headline_reads_nothing_more(mk_south, django_assert_num_queries):
    figures = get_result_figures(mk_south)

    with django_assert_num_queries(0):
        headline = services.announcement_headline(figures)

    assert headline == "Conservatives hold Milton Keynes South"
