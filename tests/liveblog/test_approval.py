"""The approval queue ("readers and newsroom"): on a blog that requires approval, reporters'
posts wait for an editor, who approves (publishes), sends back with a note, or discards.
Nothing in the queue reaches readers."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from liveblog import services
from liveblog.admin import MSG_SENT_FOR_APPROVAL
from liveblog.models import LiveEvent, Post

pytestmark = pytest.mark.django_db

SECRET = "Unchecked: recount rumour in Luton"
QUEUE_URL = reverse("admin:liveblog_post_queue")
QUEUE_QUERIES = 5


@pytest.fixture
def approval_blog(blog, editor):
    return services.update_blog(blog, by=editor, requires_approval=True)


@pytest.fixture
def submitted(approval_blog, reporter):
    return services.create_post(
        blog=approval_blog,
        by=reporter,
        headline=SECRET,
        body="<p>Said by a candidate's agent.</p>",
        contributors=[reporter.contributor],
    )


def _events(blog) -> list[str]:
    return list(LiveEvent.objects.filter(blog=blog).order_by("seq").values_list("kind", flat=True))


def _answer(name: str, post: Post) -> str:
    return reverse(f"admin:liveblog_post_{name}", args=[post.pk])


# Filing on a blog that requires approval -------------------------------------------------------


def test_a_reporters_post_on_an_approval_blog_is_submitted_not_published(submitted):
    assert submitted.status == Post.Status.SUBMITTED
    assert submitted.submitted_at is not None
    assert not submitted.is_visible()
    assert _events(submitted.blog) == []


def test_an_editors_post_on_an_approval_blog_is_published_at_once(approval_blog, editor):
    post = services.create_post(blog=approval_blog, by=editor, headline="Turnout 68%")

    assert post.status == Post.Status.PUBLISHED
    assert _events(approval_blog) == ["post.published"]


def test_a_reporters_post_on_a_blog_without_approval_is_published(blog, reporter):
    post = services.create_post(blog=blog, by=reporter, headline="Turnout 68%")

    assert post.status == Post.Status.PUBLISHED


def test_a_reporter_publishing_a_draft_on_an_approval_blog_submits_it(approval_blog, reporter):
    draft = services.create_post(
        blog=approval_blog, by=reporter, headline="Draft", status=Post.Status.DRAFT
    )

    services.publish_post(draft, by=reporter)

    assert draft.status == Post.Status.SUBMITTED
    assert _events(approval_blog) == []


def test_a_reporter_setting_published_in_an_update_submits_the_post(approval_blog, reporter):
    draft = services.create_post(
        blog=approval_blog, by=reporter, headline="Draft", status=Post.Status.DRAFT
    )

    services.update_post(
        draft, by=reporter, expected_version=draft.version, status=Post.Status.PUBLISHED
    )

    assert draft.status == Post.Status.SUBMITTED
    assert _events(approval_blog) == []


def test_a_reporter_scheduling_on_an_approval_blog_submits_with_the_time_asked(
    approval_blog, reporter, editor
):
    at_ten = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    post = services.create_post(
        blog=approval_blog, by=reporter, headline="At ten", published_at=at_ten
    )
    assert post.status == Post.Status.SUBMITTED

    services.approve_post(post, by=editor)

    assert post.status == Post.Status.SCHEDULED
    assert post.published_at == at_ten
    assert _events(approval_blog) == []


def test_a_reporter_may_edit_their_post_while_it_waits(submitted, reporter):
    services.update_post(
        submitted, by=reporter, expected_version=submitted.version, headline="Fixed"
    )

    assert submitted.headline == "Fixed"
    assert submitted.status == Post.Status.SUBMITTED


def test_a_reporter_cannot_change_their_post_once_approved(submitted, reporter, editor):
    services.approve_post(submitted, by=editor)

    with pytest.raises(PermissionDenied, match=services.MSG_APPROVED_IS_EDITORS):
        services.update_post(
            submitted, by=reporter, expected_version=submitted.version, headline="Rewritten"
        )
    assert Post.objects.get(pk=submitted.pk).headline == SECRET


# The editor's answers ----------------------------------------------------------------------------


def test_approving_publishes_with_one_event(submitted, editor):
    services.approve_post(submitted, by=editor)

    submitted.refresh_from_db()
    assert submitted.status == Post.Status.PUBLISHED
    assert submitted.submitted_at is None
    assert submitted.is_visible()
    assert _events(submitted.blog) == ["post.published"]


def test_approval_publishes_at_the_time_of_approval_not_of_submission(submitted, editor):
    asked = submitted.published_at

    services.approve_post(submitted, by=editor)

    assert submitted.published_at >= asked


def test_a_reporter_cannot_approve_even_their_own_post(submitted, reporter):
    with pytest.raises(PermissionDenied, match=services.MSG_CANNOT_APPROVE):
        services.approve_post(submitted, by=reporter)

    assert Post.objects.get(pk=submitted.pk).status == Post.Status.SUBMITTED


def test_approving_a_post_not_in_the_queue_is_refused_and_changes_nothing(submitted, editor):
    services.approve_post(submitted, by=editor)
    version = Post.objects.get(pk=submitted.pk).version

    with pytest.raises(ValidationError) as caught:
        services.approve_post(submitted, by=editor)

    assert caught.value.code == "not_submitted"
    assert Post.objects.get(pk=submitted.pk).version == version
    assert _events(submitted.blog) == ["post.published"]


def test_sending_back_makes_a_draft_with_the_note_and_no_event(submitted, editor):
    services.return_post(submitted, by=editor, note="Who said it? Name the agent.")

    submitted.refresh_from_db()
    assert submitted.status == Post.Status.DRAFT
    assert submitted.review_note == "Who said it? Name the agent."
    assert submitted.submitted_at is None
    assert _events(submitted.blog) == []


def test_sending_back_needs_a_note(submitted, editor):
    with pytest.raises(ValidationError) as caught:
        services.return_post(submitted, by=editor, note="   ")

    assert caught.value.code == "note_required"
    assert Post.objects.get(pk=submitted.pk).status == Post.Status.SUBMITTED


def test_the_note_stays_through_resubmission_and_goes_on_approval(submitted, reporter, editor):
    services.return_post(submitted, by=editor, note="Name the agent.")
    services.update_post(
        submitted,
        by=reporter,
        expected_version=submitted.version,
        headline="Agent Sam Lee says recount likely",
        status=Post.Status.PUBLISHED,
    )
    resubmitted = Post.objects.get(pk=submitted.pk)
    assert resubmitted.status == Post.Status.SUBMITTED
    assert resubmitted.review_note == "Name the agent."

    services.approve_post(resubmitted, by=editor)

    assert Post.objects.get(pk=submitted.pk).review_note == ""


def test_discarding_deletes_the_post_without_an_event(submitted, editor):
    services.discard_post(submitted, by=editor)

    submitted.refresh_from_db()
    assert submitted.is_deleted
    assert _events(submitted.blog) == []


def test_a_reporter_cannot_send_back_or_discard(submitted, reporter):
    with pytest.raises(PermissionDenied):
        services.return_post(submitted, by=reporter, note="Fine by me")
    with pytest.raises(PermissionDenied):
        services.discard_post(submitted, by=reporter)

    current = Post.objects.get(pk=submitted.pk)
    assert current.status == Post.Status.SUBMITTED
    assert not current.is_deleted


# Readers never see the queue ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/live/ge2017/", "/live/ge2017/feed/", "/live/ge2017/feed/key-events/"]
)
def test_a_submitted_post_is_on_no_reader_page_or_feed(client, submitted, url):
    response = client.get(url)

    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_an_approved_post_is_on_the_page_and_in_the_feed(client, submitted, editor):
    services.approve_post(submitted, by=editor)

    assert SECRET in client.get("/live/ge2017/").content.decode()
    assert SECRET in client.get("/live/ge2017/feed/").content.decode()


# The admin: the queue, its answers, the note on the reporter's form ---------------------------


def test_the_queue_lists_submitted_posts_newest_first_with_author_and_time_waiting(
    client, approval_blog, reporter, other_reporter, editor
):
    first = services.create_post(blog=approval_blog, by=reporter, headline="First in")
    services.create_post(blog=approval_blog, by=other_reporter, headline="Second in")
    Post.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(minutes=12))
    client.force_login(editor)

    response = client.get(QUEUE_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Second in") < html.index("First in")
    assert "reporter1" in html and "reporter2" in html
    assert "12\xa0minutes" in html


@pytest.mark.parametrize("count", [1, 6])
def test_the_queue_runs_the_same_queries_however_many_posts_wait(
    client, approval_blog, reporter, editor, django_assert_num_queries, count
):
    for n in range(count):
        services.create_post(blog=approval_blog, by=reporter, headline=f"Waiting {n}")
    client.force_login(editor)
    client.get(QUEUE_URL)  # the session and the editor's permissions, read once

    # The session, the user, their two permission reads, the queue (blog and author joined).
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(QUEUE_URL)

    assert response.content.decode().count("Approve and publish") == count


def test_a_reporter_cannot_open_the_queue(client, submitted, reporter):
    client.force_login(reporter)

    assert client.get(QUEUE_URL).status_code == 403


@pytest.mark.parametrize("name", ["approve", "return", "discard"])
def test_a_reporter_cannot_answer_by_post_to_the_queue(client, submitted, reporter, name):
    client.force_login(reporter)

    response = client.post(_answer(name, submitted), {"note": "Looks fine"})

    assert response.status_code == 403
    current = Post.objects.get(pk=submitted.pk)
    assert current.status == Post.Status.SUBMITTED
    assert not current.is_deleted


def test_approving_in_the_admin_publishes_and_returns_to_the_queue(client, submitted, editor):
    client.force_login(editor)

    response = client.post(_answer("approve", submitted), follow=True)

    assert response.redirect_chain[-1][0] == QUEUE_URL
    assert "Approved and published" in response.content.decode()
    assert Post.objects.get(pk=submitted.pk).status == Post.Status.PUBLISHED
    assert _events(submitted.blog) == ["post.published"]


def test_an_answer_is_post_only(client, submitted, editor):
    client.force_login(editor)

    assert client.get(_answer("approve", submitted)).status_code == 405
    assert Post.objects.get(pk=submitted.pk).status == Post.Status.SUBMITTED


def test_sending_back_without_a_note_shows_why_and_keeps_it_queued(client, submitted, editor):
    client.force_login(editor)

    response = client.post(_answer("return", submitted), {"note": ""}, follow=True)

    assert services.MSG_NOTE_REQUIRED in response.content.decode()
    assert Post.objects.get(pk=submitted.pk).status == Post.Status.SUBMITTED


def test_the_note_sent_back_in_the_admin_is_shown_on_the_reporters_post_form(
    client, submitted, editor, reporter
):
    client.force_login(editor)
    client.post(_answer("return", submitted), {"note": "Name the agent <please>."})

    client.force_login(reporter)
    response = client.get(reverse("admin:liveblog_post_change", args=[submitted.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sent back by an editor" in html
    assert "Name the agent &lt;please&gt;." in html


def test_discarding_in_the_admin_takes_it_off_the_queue(client, submitted, editor):
    client.force_login(editor)

    response = client.post(_answer("discard", submitted), follow=True)

    assert "Nothing is waiting for approval" in response.content.decode()
    assert Post.objects.get(pk=submitted.pk).is_deleted


def test_a_reporter_saving_a_published_post_in_the_admin_is_told_it_waits(
    client, approval_blog, reporter
):
    from tests.liveblog.test_admin import ADD_URL, _form_data

    client.force_login(reporter)

    response = client.post(ADD_URL, _form_data(approval_blog, headline=SECRET), follow=True)

    assert MSG_SENT_FOR_APPROVAL.replace("'", "&#x27;") in response.content.decode()
    assert Post.objects.get(headline=SECRET).status == Post.Status.SUBMITTED
    assert _events(approval_blog) == []


def test_the_post_list_links_editors_to_the_queue_with_its_count(client, submitted, editor):
    client.force_login(editor)

    html = client.get(reverse("admin:liveblog_post_changelist")).content.decode()

    assert f'href="{QUEUE_URL}"' in html
    assert "Waiting for approval (1)" in html


def test_editors_switch_approval_on_in_the_blog_admin(client, blog, editor):
    client.force_login(editor)
    url = reverse("admin:liveblog_liveblog_change", args=[blog.pk])
    data = {
        "title": blog.title,
        "slug": blog.slug,
        "description": "",
        "status": blog.status,
        "time_zone": blog.time_zone,
        "requires_approval": "on",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    blog.refresh_from_db()
    assert blog.requires_approval
