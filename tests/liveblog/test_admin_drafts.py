"""Another reporter's drafts and scheduled posts stay theirs in the admin (issue 14, item 7)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liveblog import services
from liveblog.models import Post

pytestmark = pytest.mark.django_db

SECRET = "Embargoed: exit poll figures"


@pytest.fixture
def draft(reporter, blog):
    return services.create_post(
        blog=blog, by=reporter, headline=SECRET, body="<p>Not yet.</p>", status=Post.Status.DRAFT
    )


@pytest.fixture
def scheduled(reporter, blog):
    return services.create_post(
        blog=blog,
        by=reporter,
        headline=SECRET,
        body="<p>At ten.</p>",
        published_at=timezone.now() + timedelta(hours=2),
    )


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_another_reporters_draft_pages_answer_404(client, other_reporter, draft, page):
    client.force_login(other_reporter)

    response = client.get(reverse(f"admin:liveblog_post_{page}", args=[draft.pk]))

    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_another_reporters_scheduled_post_answers_404(client, other_reporter, scheduled):
    assert scheduled.status == Post.Status.SCHEDULED
    client.force_login(other_reporter)

    response = client.get(reverse("admin:liveblog_post_change", args=[scheduled.pk]))

    assert response.status_code == 404


def test_a_post_that_does_not_exist_answers_the_same_404(client, other_reporter, draft):
    client.force_login(other_reporter)

    response = client.get(reverse("admin:liveblog_post_change", args=[draft.pk + 1000]))

    assert response.status_code == 404


def test_the_post_list_search_does_not_find_another_reporters_draft(
    client, other_reporter, draft, scheduled
):
    client.force_login(other_reporter)

    response = client.get(reverse("admin:liveblog_post_changelist"), {"q": "exit poll"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert SECRET not in response.content.decode()


def test_post_autocomplete_does_not_offer_another_reporters_draft(client, other_reporter, draft):
    client.force_login(other_reporter)

    response = client.get(
        "/admin/autocomplete/",
        {
            "term": "exit",
            "app_label": "results",
            "model_name": "postresultcard",
            "field_name": "post",
        },
    )

    assert SECRET not in response.content.decode()


def test_reporter_still_opens_and_finds_their_own_draft(client, reporter, draft):
    client.force_login(reporter)

    page = client.get(reverse("admin:liveblog_post_change", args=[draft.pk]))
    found = client.get(reverse("admin:liveblog_post_changelist"), {"q": "exit poll"})

    assert page.status_code == 200
    assert list(found.context["cl"].result_list) == [draft]


def test_editor_opens_and_finds_a_reporters_draft(client, editor, draft):
    client.force_login(editor)

    page = client.get(reverse("admin:liveblog_post_change", args=[draft.pk]))
    found = client.get(reverse("admin:liveblog_post_changelist"), {"q": "exit poll"})

    assert page.status_code == 200
    assert list(found.context["cl"].result_list) == [draft]


def test_another_reporters_published_post_is_still_listed_and_shown_read_only(
    client, other_reporter, reporter_post
):
    client.force_login(other_reporter)

    page = client.get(reverse("admin:liveblog_post_change", args=[reporter_post.pk]))
    listed = client.get(reverse("admin:liveblog_post_changelist"))

    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert reporter_post in list(listed.context["cl"].result_list)
