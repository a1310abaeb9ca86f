"""Issue 5: the national scoreboard as a card in posts, kept current by declarations and
corrections, and editors pinning a result or the scoreboard to the top of a live blog."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liveblog import services as liveblog_services
from liveblog.live.events import render_post_fragment
from liveblog.models import LiveBlog, LiveEvent, Post
from results import services
from results.admin import MSG_PIN_CHOOSE_BLOG
from results.models import MSG_CARD_KIND, Constituency, ConstituencyResult, Election, Party

from .conftest import MK_SOUTH, entries_of

pytestmark = pytest.mark.django_db


# Every test here runs on the official 2017 results (imported once for the module).
@pytest.fixture
def mk_south(election_2017):
    return ConstituencyResult.objects.get(election=election_2017, constituency__ons_id=MK_SOUTH)


RESULTS_CHANGELIST = reverse("admin:results_constituencyresult_changelist")
ELECTIONS_CHANGELIST = reverse("admin:results_election_changelist")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _fragment(post: Post) -> str:
    return render_post_fragment(Post.objects.with_bylines().get(pk=post.pk))


def _scoreboard_post(blog, by, election, **kwargs) -> Post:
    post = liveblog_services.create_post(
        blog=blog, by=by, headline="The national picture", **kwargs
    )
    services.attach_scoreboard_card(post, election, by=by)
    return post


def _post_time(post: Post) -> str:
    return post.blog.localtime(post.published_at).strftime("%H:%M %Z")


def _updated_post_ids(since: int) -> list[int]:
    return list(
        LiveEvent.objects.filter(pk__gt=since, kind=LiveEvent.Kind.POST_UPDATED)
        .order_by("id")
        .values_list("post_id", flat=True)
    )


def _last_event_id() -> int:
    return LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


# The scoreboard card ---------------------------------------------------------------------------


def test_scoreboard_card_in_a_post_shows_the_2017_national_table(election_2017, editor, blog):
    post = _scoreboard_post(blog, editor, election_2017)

    html = _fragment(post)

    text = _text(html)
    assert text.startswith(f"{_post_time(post)} The national picture UK results Party CON")
    assert "Party CON Conservative LAB Labour SNP" in text
    assert "Seats 318 262 35 12 10 13" in text
    assert "Change −13 +30 −21 +4 +2 −2" in text
    assert "After 650 of 650 seats" in text
    assert '<a href="/results/ge2017/">' in html
    # Its heading id is the post's own, so two posts with the scoreboard stay valid HTML.
    assert f'aria-labelledby="post-{post.pk}-scoreboard-ge2017"' in html
    assert f'<caption id="post-{post.pk}-scoreboard-ge2017">' in html


def test_a_post_shows_result_cards_and_the_scoreboard_in_their_order(election_2017, editor, blog):
    post = liveblog_services.create_post(blog=blog, by=editor, headline="Bucks and MK")
    mk = ConstituencyResult.objects.get(constituency__ons_id=MK_SOUTH)
    services.attach_scoreboard_card(post, election_2017, by=editor)
    services.attach_result_card(post, mk, by=editor)

    html = _fragment(post)

    assert html.index("data-scoreboard=") < html.index(f'data-result-id="{mk.pk}"')
    assert "CON majority 1,665" in _text(html)


def test_the_card_fragment_links_no_stylesheet_and_the_live_page_head_links_it_once(
    client, election_2017, editor, blog
):
    post = _scoreboard_post(blog, editor, election_2017)

    page = client.get(blog.get_absolute_url()).content.decode()

    assert "results.css" not in _fragment(post)
    head = page.split("</head>", 1)[0]
    assert page.count("results/results.css") == 1
    assert 'rel="stylesheet" href="/static/results/results.css"' in head
    assert '<link rel="canonical"' in head  # the page's SEO tags stay


def test_reader_page_reads_the_scoreboard_once_however_many_posts_show_it(
    client, election_2017, editor, blog
):
    def page_queries(n_posts: int) -> int:
        for _ in range(n_posts):
            _scoreboard_post(blog, editor, election_2017)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(blog.get_absolute_url())
        html = response.content.decode()
        assert html.count("data-scoreboard=") == Post.objects.filter(blog=blog).count()
        assert "Seats 318 262 35 12 10 13" in _text(html)
        return len(ctx.captured_queries)

    one = page_queries(1)
    many = page_queries(5)

    assert many == one


def test_reader_page_queries_with_result_cards_and_a_scoreboard(
    client, election_2017, editor, blog, django_assert_num_queries
):
    mk = ConstituencyResult.objects.get(constituency__ons_id=MK_SOUTH)
    post = liveblog_services.create_post(blog=blog, by=editor, headline="MK South")
    services.attach_result_card(post, mk, by=editor)

    # blog; pinned post and feed page; bylines, images, embeds, cards, candidacies; key events
    with django_assert_num_queries(8):
        client.get(blog.get_absolute_url())

    _scoreboard_post(blog, editor, election_2017)
    # ... and the scoreboard's seats, candidacies and parties, only when a post shows one
    with django_assert_num_queries(11):
        client.get(blog.get_absolute_url())


# Declarations and corrections update posts that show the scoreboard -----------------------


@pytest.fixture
def night(mk_south, editor):
    """An election night: Milton Keynes South awaiting its result."""
    election = Election.objects.create(
        name="Election night", slug="night", date=mk_south.election.date
    )
    services.create_result(
        election=election,
        constituency=Constituency.objects.get(pk=mk_south.constituency_id),
        previous_winner=Party.objects.get(code="CON"),
        electorate=92417,
        by=editor,
    )
    return election


@pytest.fixture
def awaiting(night):
    return ConstituencyResult.objects.get(election=night)


def _declare(result, mk_south, editor, **votes):
    return services.declare_result(
        result,
        candidates=entries_of(mk_south, **votes),
        electorate=92417,
        invalid_votes=122,
        by=editor,
    )


def test_declaring_a_result_updates_every_visible_post_showing_its_scoreboard_once(
    night, awaiting, mk_south, editor, blog, django_capture_on_commit_callbacks
):
    other_blog = LiveBlog.objects.create(title="Bucks live", slug="bucks")
    board = _scoreboard_post(blog, editor, night)
    elsewhere = _scoreboard_post(other_blog, editor, night)
    both = _scoreboard_post(blog, editor, night)
    services.attach_result_card(both, awaiting, by=editor)
    _scoreboard_post(blog, editor, night, status=Post.Status.DRAFT)
    _scoreboard_post(blog, editor, mk_south.election)  # another election's scoreboard
    since = _last_event_id()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _declare(awaiting, mk_south, editor)

    assert sorted(_updated_post_ids(since)) == sorted([board.pk, elsewhere.pk, both.pk])
    assert LiveEvent.objects.filter(pk__gt=since).count() == 3
    assert len(callbacks) == 3
    html = LiveEvent.objects.get(pk__gt=since, post=board).html
    assert 'data-party="CON" data-seats>1</td>' in html
    assert "After 1 of 1 seats" in _text(html)


def test_correcting_a_result_updates_posts_showing_its_scoreboard_with_the_new_figures(
    mk_south, election_2017, editor, blog, django_capture_on_commit_callbacks
):
    board = _scoreboard_post(blog, editor, election_2017)
    since = _last_event_id()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.correct_result(
            mk_south, candidates=entries_of(mk_south, LAB=31000), electorate=92417, by=editor
        )

    assert _updated_post_ids(since) == [board.pk]
    assert len(callbacks) == 1
    html = LiveEvent.objects.get(pk__gt=since).html
    assert 'data-party="LAB" data-seats>263</td>' in html
    assert 'data-party="LAB" data-change>+31</td>' in html
    assert 'data-party="CON" data-seats>317</td>' in html


def test_a_rolled_back_declaration_updates_no_post(
    night, awaiting, mk_south, editor, blog, django_capture_on_commit_callbacks
):
    _scoreboard_post(blog, editor, night)
    since = _last_event_id()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _declare(awaiting, mk_south, editor)
        raise RuntimeError("the desk's next step failed")

    assert callbacks == []
    assert LiveEvent.objects.filter(pk__gt=since).count() == 0
    awaiting.refresh_from_db()
    assert awaiting.status == ConstituencyResult.Status.AWAITING


def test_awaiting_figures_do_not_update_posts_showing_the_scoreboard(
    night, awaiting, mk_south, editor, blog
):
    _scoreboard_post(blog, editor, night)
    since = _last_event_id()

    services.set_awaiting_figures(
        awaiting, candidates=entries_of(mk_south), electorate=92417, by=editor
    )

    assert LiveEvent.objects.filter(pk__gt=since).count() == 0


# Pinning a result or the scoreboard -------------------------------------------------------


@pytest.fixture
def pinned_before(editor, blog) -> Post:
    post = liveblog_services.create_post(blog=blog, by=editor, headline="Polls have closed")
    return liveblog_services.pin_post(post, by=editor)


def _pin_action(admin_url: str, obj, blog) -> dict:
    return {
        "action": "pin_to_blog",
        "_selected_action": [str(obj.pk)],
        "blog": str(blog.pk) if blog else "",
        "index": "0",
    }


def test_pinning_a_result_from_the_admin_files_one_pinned_post_with_its_card(
    client, editor, blog, mk_south, pinned_before, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    since = _last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESULTS_CHANGELIST, _pin_action(RESULTS_CHANGELIST, mk_south, blog))

    assert response.status_code == 302
    post = Post.objects.get(blog=blog, is_pinned=True)
    assert post.headline == "Conservatives hold Milton Keynes South"
    assert post.is_visible() and post.created_by == editor
    assert list(post.result_cards.values_list("result_id", "election_id")) == [(mk_south.pk, None)]
    pinned_before.refresh_from_db()
    assert not pinned_before.is_pinned
    events = LiveEvent.objects.filter(pk__gt=since).order_by("seq")
    assert [(e.kind, e.post_id) for e in events] == [
        (LiveEvent.Kind.POST_PUBLISHED, post.pk),
        (LiveEvent.Kind.POST_UNPINNED, pinned_before.pk),
        (LiveEvent.Kind.POST_PINNED, post.pk),
    ]
    assert "post--pinned" in events[2].html and "CON</span> HOLD" in events[2].html


def test_pinning_the_scoreboard_from_the_election_admin(
    client, editor, blog, election_2017, pinned_before
):
    client.force_login(editor)

    response = client.post(
        ELECTIONS_CHANGELIST, _pin_action(ELECTIONS_CHANGELIST, election_2017, blog)
    )

    assert response.status_code == 302
    post = Post.objects.get(blog=blog, is_pinned=True)
    assert post.headline == "General election 2017: the national picture"
    assert list(post.result_cards.values_list("result_id", "election_id")) == [
        (None, election_2017.pk)
    ]
    page = client.get(blog.get_absolute_url()).content.decode()
    pinned_section = page.split("data-pinned", 1)[1].split('<section class="feed"', 1)[0]
    assert 'class="feed"' not in pinned_section
    assert f'id="post-{post.pk}"' in pinned_section
    assert "Seats 318 262 35 12 10 13" in _text(pinned_section)


def test_pinning_without_choosing_a_blog_pins_nothing(client, editor, blog, mk_south):
    client.force_login(editor)
    posts = Post.objects.count()

    response = client.post(
        RESULTS_CHANGELIST, _pin_action(RESULTS_CHANGELIST, mk_south, None), follow=True
    )

    assert MSG_PIN_CHOOSE_BLOG in response.content.decode()
    assert Post.objects.count() == posts


def test_a_reporter_cannot_pin_a_result(reporter, blog, mk_south, pinned_before):
    posts, events = Post.objects.count(), LiveEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.pin_result_to_blog(mk_south, blog=blog, by=reporter)

    assert (Post.objects.count(), LiveEvent.objects.count()) == (posts, events)
    assert Post.objects.get(is_pinned=True) == pinned_before


def test_a_reporter_cannot_reach_the_pin_action(client, reporter, blog, mk_south):
    client.force_login(reporter)
    posts = Post.objects.count()

    response = client.post(RESULTS_CHANGELIST, _pin_action(RESULTS_CHANGELIST, mk_south, blog))

    assert response.status_code == 403
    assert Post.objects.count() == posts


def test_an_editor_without_the_pin_right_gets_no_pin_action(client, editor, blog, mk_south):
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="view_constituencyresult"))
    for group in editor.groups.all():
        group.permissions.remove(Permission.objects.get(codename="pin_post"))
    client.force_login(editor)

    response = client.get(RESULTS_CHANGELIST)

    assert response.status_code == 200
    assert 'value="pin_to_blog"' not in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.pin_result_to_blog(mk_south, blog=blog, by=type(editor).objects.get(pk=editor.pk))


# Result cards on the post form --------------------------------------------------------------


def _management(prefix: str, *, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _post_fields(post: Post) -> dict:
    when = timezone.localtime(post.published_at)
    return {
        "blog": post.blog_id,
        "headline": post.headline,
        "body": post.body,
        "contributors": [],
        "status": Post.Status.PUBLISHED,
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
        "version": post.version,
        "_save": "Save",
    }


def _card_row(i: int, *, result=None, election=None, card=None, **extra) -> dict:
    row = {
        f"result_cards-{i}-result": str(result.pk) if result else "",
        f"result_cards-{i}-election": str(election.pk) if election else "",
        f"result_cards-{i}-order": str(i),
        f"result_cards-{i}-id": str(card.pk) if card else "",
    }
    row.update({f"result_cards-{i}-{k}": v for k, v in extra.items()})
    return row


def _change_url(post: Post) -> str:
    return reverse("admin:liveblog_post_change", args=[post.pk])


def test_post_admin_inline_attaches_a_card_and_the_scoreboard_in_one_event(
    client, editor, blog, mk_south, election_2017, django_capture_on_commit_callbacks
):
    post = liveblog_services.create_post(blog=blog, by=editor, headline="Milton Keynes")
    client.force_login(editor)
    since = _last_event_id()
    data = {
        **_post_fields(post),
        **_management("result_cards", total=2),
        **_card_row(0, result=mk_south),
        **_card_row(1, election=election_2017),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_change_url(post), data)

    assert response.status_code == 302
    assert list(post.result_cards.values_list("result_id", "election_id")) == [
        (mk_south.pk, None),
        (None, election_2017.pk),
    ]
    events = list(LiveEvent.objects.filter(pk__gt=since).order_by("seq"))
    # One event for the save, rendered with both cards.
    assert [e.kind for e in events] == [LiveEvent.Kind.POST_UPDATED]
    assert f'data-result-id="{mk_south.pk}"' in events[0].html
    assert "After 650 of 650 seats" in _text(events[0].html)


def test_post_admin_inline_removes_a_card_in_one_event(
    client, editor, blog, mk_south, django_capture_on_commit_callbacks
):
    post = liveblog_services.create_post(blog=blog, by=editor, headline="Milton Keynes")
    card = services.attach_result_card(post, mk_south, by=editor)
    post.refresh_from_db()
    client.force_login(editor)
    since = _last_event_id()
    data = {
        **_post_fields(post),
        **_management("result_cards", total=1, initial=1),
        **_card_row(0, result=mk_south, card=card, DELETE="on"),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_change_url(post), data)

    assert response.status_code == 302
    assert not post.result_cards.exists()
    events = list(LiveEvent.objects.filter(pk__gt=since).order_by("seq"))
    assert len(events) == 1 and "data-result-id" not in events[0].html


def test_post_admin_inline_refuses_a_card_with_both_a_result_and_a_scoreboard(
    client, editor, blog, mk_south, election_2017
):
    post = liveblog_services.create_post(blog=blog, by=editor, headline="Milton Keynes")
    client.force_login(editor)
    events = LiveEvent.objects.count()
    data = {
        **_post_fields(post),
        **_management("result_cards", total=1),
        **_card_row(0, result=mk_south, election=election_2017),
    }

    response = client.post(_change_url(post), data)

    assert response.status_code == 200
    assert MSG_CARD_KIND in response.content.decode().replace("&#x27;", "'")
    assert not post.result_cards.exists()
    assert LiveEvent.objects.count() == events


def test_reporters_file_posts_without_the_result_card_inline(client, reporter, blog):
    client.force_login(reporter)

    response = client.get(reverse("admin:liveblog_post_add"))

    assert response.status_code == 200
    assert "result_cards-TOTAL_FORMS" not in response.content.decode()


# The read API -----------------------------------------------------------------------------


def test_api_lists_a_post_that_shows_the_scoreboard(client, election_2017, editor, blog):
    _scoreboard_post(blog, editor, election_2017)

    response = client.get(reverse("api:posts", kwargs={"slug": blog.slug}))

    assert response.status_code == 200
    cards = [card for post in response.json()["results"] for card in post["result_cards"]]
    assert {
        "kind": "scoreboard",
        "election": election_2017.slug,
        "ons_id": None,
        "constituency": None,
    } in cards
