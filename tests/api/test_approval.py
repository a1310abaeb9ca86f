"""The approval queue through the API: the same services as the admin. A reporter's publish on
a blog that requires approval comes back submitted; only editors approve, send back, discard;
the public reads never show a submitted post."""

import pytest

from liveblog import services
from liveblog.models import LiveEvent, Post

from .conftest import api

pytestmark = pytest.mark.django_db

SECRET = "Unchecked: recount rumour in Luton"


@pytest.fixture
def approval_blog(blog, editor):
    return services.update_blog(blog, by=editor, requires_approval=True)


@pytest.fixture
def submitted(approval_blog, reporter):
    return services.create_post(blog=approval_blog, by=reporter, headline=SECRET)


def _url(post: Post, action: str) -> str:
    return api(f"blogs/{post.blog.slug}/posts/{post.pk}/{action}/")


def _events(blog) -> list[str]:
    return list(LiveEvent.objects.filter(blog=blog).order_by("seq").values_list("kind", flat=True))


def test_a_reporters_post_created_as_published_comes_back_submitted(reporter_api, approval_blog):
    response = reporter_api.post(
        api("blogs/ge2017/posts/create/"),
        {"headline": SECRET, "status": "published"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "submitted"
    assert response.json()["url"] is None
    assert _events(approval_blog) == []


def test_a_reporters_publish_of_a_draft_comes_back_submitted(reporter_api, approval_blog, reporter):
    draft = services.create_post(
        blog=approval_blog, by=reporter, headline=SECRET, status=Post.Status.DRAFT
    )

    response = reporter_api.post(_url(draft, "publish"), {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["submitted_at"] is not None


@pytest.mark.parametrize(
    ("action", "data"), [("approve", {}), ("return", {"note": "Fine"}), ("discard", {})]
)
def test_a_reporter_cannot_answer_for_the_queue_even_on_their_own_post(
    reporter_api, submitted, action, data
):
    response = reporter_api.post(_url(submitted, action), data, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == services.MSG_CANNOT_APPROVE
    current = Post.objects.get(pk=submitted.pk)
    assert current.status == Post.Status.SUBMITTED
    assert not current.is_deleted


def test_another_reporters_submitted_post_is_a_404(other_reporter_api, submitted):
    response = other_reporter_api.post(_url(submitted, "approve"), {}, format="json")

    assert response.status_code == 404


def test_an_editor_approves_and_the_post_is_published_with_one_event(editor_api, submitted):
    response = editor_api.post(_url(submitted, "approve"), {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["url"] is not None
    assert _events(submitted.blog) == ["post.published"]


def test_the_note_sent_back_reaches_the_reporter_through_the_api(
    editor_api, reporter_api, submitted
):
    sent = editor_api.post(_url(submitted, "return"), {"note": "Name the agent."}, format="json")
    assert sent.status_code == 200

    response = reporter_api.get(api(f"blogs/ge2017/posts/{submitted.pk}/"))

    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["review_note"] == "Name the agent."


def test_sending_back_without_a_note_is_a_400(editor_api, submitted):
    response = editor_api.post(_url(submitted, "return"), {"note": ""}, format="json")

    assert response.status_code == 400
    assert Post.objects.get(pk=submitted.pk).status == Post.Status.SUBMITTED


def test_an_editor_discards_and_the_post_is_gone(editor_api, submitted):
    response = editor_api.post(_url(submitted, "discard"), {}, format="json")

    assert response.status_code == 204
    assert Post.objects.get(pk=submitted.pk).is_deleted
    assert _events(submitted.blog) == []


def test_approving_a_post_that_is_not_waiting_is_a_400(editor_api, approval_blog, editor):
    published = services.create_post(blog=approval_blog, by=editor, headline="Turnout")

    response = editor_api.post(_url(published, "approve"), {}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "not_submitted"


@pytest.mark.parametrize(
    "path",
    [
        "blogs/ge2017/posts/",
        "blogs/ge2017/posts/?after_seq=0",
    ],
)
def test_the_public_reads_never_show_a_submitted_post(anon, submitted, editor, path):
    services.create_post(blog=submitted.blog, by=editor, headline="Turnout 68%")

    response = anon.get(api(path))

    assert response.status_code == 200
    assert "Turnout 68%" in response.content.decode()
    assert SECRET not in response.content.decode()


def test_a_submitted_post_is_a_404_to_anonymous_readers(anon, submitted):
    response = anon.get(api(f"blogs/ge2017/posts/{submitted.pk}/"))

    assert response.status_code == 404
