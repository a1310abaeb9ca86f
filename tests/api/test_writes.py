from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from liveblog import services
from liveblog.api.errors import MSG_INVALID_FIELDS
from liveblog.models import LiveEvent, Post, PostImage
from tests.liveblog.media_files import SVG, jpeg

from .conftest import api, token_client

pytestmark = pytest.mark.django_db

# The operations on an existing post and a valid request for each.
POST_WRITES = {
    "update": lambda post: ("update/", {"version": post.version, "headline": "Recount"}, "json"),
    "delete": lambda post: ("delete/", {}, "json"),
    "publish": lambda post: ("publish/", {}, "json"),
    "images": lambda post: (
        "images/",
        {
            "file": SimpleUploadedFile("count.jpg", jpeg((640, 480)), "image/jpeg"),
            "alt_text": "Counters at the Luton count",
        },
        "multipart",
    ),
}
SUCCESS = {"update": 200, "delete": 204, "publish": 200, "images": 201}


def _write(client: APIClient, name: str, post: Post):
    suffix, data, fmt = POST_WRITES[name](post)
    return client.post(api(f"blogs/{post.blog.slug}/posts/{post.pk}/{suffix}"), data, format=fmt)


def _events(blog) -> list[str]:
    return list(LiveEvent.objects.filter(blog=blog).order_by("seq").values_list("kind", flat=True))


# The permission matrix ------------------------------------------------------------------------
# Every write endpoint, for anonymous, a reporter on their own post, a reporter on someone
# else's post (published: 403, draft: 404) and an editor on anyone's post.


@pytest.fixture(params=sorted(POST_WRITES))
def operation(request, media_storage) -> str:
    return request.param


def test_anonymous_write_is_401_and_changes_nothing(anon, operation, reporter_post):
    response = _write(anon, operation, reporter_post)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
    assert Post.objects.get(pk=reporter_post.pk).version == reporter_post.version


def test_signed_in_user_outside_the_newsroom_is_403(outsider, operation, reporter_post):
    response = _write(token_client(outsider), operation, reporter_post)

    assert response.status_code == 403
    assert Post.objects.get(pk=reporter_post.pk).version == reporter_post.version


def test_reporter_writes_to_their_own_post(reporter_api, operation, reporter_post, reporter_draft):
    post = reporter_draft if operation == "publish" else reporter_post

    response = _write(reporter_api, operation, post)

    assert response.status_code == SUCCESS[operation], response.content
    assert Post.objects.get(pk=post.pk).version == post.version + 1


def test_reporter_cannot_write_to_someone_elses_published_post(
    other_reporter_api, operation, reporter_post
):
    response = _write(other_reporter_api, operation, reporter_post)

    assert response.status_code == 403
    assert response.json() == {
        "detail": services.MSG_NOT_YOURS,
        "code": "permission_denied",
    }
    assert Post.objects.get(pk=reporter_post.pk).version == reporter_post.version
    assert _events(reporter_post.blog) == ["post.published"]


def test_someone_elses_draft_is_404_as_if_it_did_not_exist(
    other_reporter_api, operation, reporter_draft
):
    response = _write(other_reporter_api, operation, reporter_draft)

    assert response.status_code == 404
    assert response.json() == {"detail": "No such post.", "code": "not_found"}
    assert Post.objects.get(pk=reporter_draft.pk).version == reporter_draft.version


def test_editor_writes_to_anyones_post(editor_api, operation, reporter_post, reporter_draft):
    post = reporter_draft if operation == "publish" else reporter_post

    response = _write(editor_api, operation, post)

    assert response.status_code == SUCCESS[operation], response.content
    assert Post.objects.get(pk=post.pk).version == post.version + 1


# Create --------------------------------------------------------------------------------------


CREATE = api("blogs/ge2017/posts/create/")


def test_anonymous_create_is_401(anon, blog):
    response = anon.post(CREATE, {"headline": "Exit poll"}, format="json")

    assert response.status_code == 401
    assert not Post.objects.exists()


def test_outsider_cannot_create(outsider, blog):
    response = token_client(outsider).post(CREATE, {"headline": "Exit poll"}, format="json")

    assert response.status_code == 403
    assert not Post.objects.exists()


def test_reporter_files_a_post_signed_with_their_byline_and_broadcast(
    reporter_api, reporter, blog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = reporter_api.post(
            CREATE,
            {"headline": "Exit poll", "body": "<p>Hung <strong>parliament</strong></p>"},
            "json",
        )

    assert response.status_code == 201
    body = response.json()
    assert body["headline"] == "Exit poll"
    assert body["body"] == "<p>Hung <strong>parliament</strong></p>"
    assert body["status"] == "published"
    assert [c["name"] for c in body["contributors"]] == ["Alex Pope"]
    post = Post.objects.get(pk=body["id"])
    assert post.created_by == reporter
    assert _events(blog) == ["post.published"]
    assert len(callbacks) == 1  # the broadcast, after commit


def test_reporter_files_a_draft_and_a_scheduled_post(reporter_api, blog):
    later = timezone.now() + timedelta(hours=2)

    draft = reporter_api.post(CREATE, {"headline": "Draft", "status": "draft"}, "json")
    scheduled = reporter_api.post(
        CREATE, {"headline": "At ten", "published_at": later.isoformat()}, "json"
    )

    assert draft.json()["status"] == "draft"
    assert scheduled.json()["status"] == "scheduled"
    assert _events(blog) == []


def test_reporter_cannot_file_a_breaking_or_pinned_post(reporter_api, blog):
    for flag in ("is_breaking", "is_key_event", "is_pinned"):
        response = reporter_api.post(CREATE, {"headline": "Exit poll", flag: True}, "json")
        assert response.status_code == 403, flag
    assert not Post.objects.exists()


def test_editor_files_a_breaking_pinned_post(editor_api, blog):
    response = editor_api.post(
        CREATE, {"headline": "Exit poll", "is_breaking": True, "is_pinned": True}, "json"
    )

    assert response.status_code == 201
    assert response.json()["is_breaking"] is True
    assert response.json()["is_pinned"] is True


def test_empty_post_is_400_with_the_services_message(reporter_api, blog):
    response = reporter_api.post(CREATE, {"headline": "  "}, "json")

    assert response.status_code == 400
    assert response.json() == {"detail": services.MSG_EMPTY_POST, "code": "empty_post"}


def test_bad_fields_are_400_with_field_errors(reporter_api, blog):
    response = reporter_api.post(
        CREATE, {"headline": "x" * 201, "contributors": [999], "status": "live"}, "json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == MSG_INVALID_FIELDS
    assert set(body["fields"]) == {"headline", "contributors", "status"}


def test_malformed_json_is_400(reporter_api, blog):
    response = reporter_api.post(CREATE, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_session_sign_in_works_too(client, reporter, blog):
    client.force_login(reporter)

    response = client.post(CREATE, {"headline": "From the newsroom"}, "application/json")

    assert response.status_code == 201


# Update and optimistic locking ---------------------------------------------------------------


def test_update_changes_only_the_fields_sent(reporter_api, reporter_post):
    url = api(f"blogs/ge2017/posts/{reporter_post.pk}/update/")

    response = reporter_api.post(url, {"version": 1, "headline": "Luton South: Lab hold"}, "json")

    assert response.status_code == 200
    assert response.json()["headline"] == "Luton South: Lab hold"
    assert response.json()["body"] == "<p>Ballot boxes are arriving.</p>"
    assert response.json()["version"] == 2
    assert _events(reporter_post.blog) == ["post.published", "post.updated"]


def test_update_from_an_old_version_is_409_with_the_current_version(
    reporter_api, editor, reporter_post
):
    services.update_post(reporter_post, by=editor, expected_version=1, headline="Editor's")
    url = api(f"blogs/ge2017/posts/{reporter_post.pk}/update/")

    response = reporter_api.post(url, {"version": 1, "headline": "Mine"}, "json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": services.MSG_CONFLICT,
        "code": "conflict",
        "current_version": 2,
    }
    assert Post.objects.get(pk=reporter_post.pk).headline == "Editor's"


def test_update_without_a_version_is_400(reporter_api, reporter_post):
    url = api(f"blogs/ge2017/posts/{reporter_post.pk}/update/")

    response = reporter_api.post(url, {"headline": "Mine"}, "json")

    assert response.status_code == 400
    assert "version" in response.json()["fields"]


def test_reporter_cannot_pin_by_update_but_an_editor_can(reporter_api, editor_api, reporter_post):
    url = api(f"blogs/ge2017/posts/{reporter_post.pk}/update/")

    refused = reporter_api.post(url, {"version": 1, "is_pinned": True}, "json")
    pinned = editor_api.post(url, {"version": 1, "is_pinned": True}, "json")

    assert refused.status_code == 403
    assert refused.json()["detail"] == services.MSG_CANNOT_PIN
    assert pinned.status_code == 200
    assert pinned.json()["is_pinned"] is True


def test_deleted_post_is_404(reporter_api, reporter, reporter_post):
    services.delete_post(reporter_post, by=reporter)
    url = api(f"blogs/ge2017/posts/{reporter_post.pk}/update/")

    response = reporter_api.post(url, {"version": 2, "headline": "Back"}, "json")

    assert response.status_code == 404


# Publish and schedule ------------------------------------------------------------------------


def test_publish_a_draft_now(reporter_api, reporter_draft):
    url = api(f"blogs/ge2017/posts/{reporter_draft.pk}/publish/")

    response = reporter_api.post(url, {}, "json")

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert _events(reporter_draft.blog) == ["post.published"]


def test_publish_at_a_future_time_schedules(reporter_api, reporter_draft):
    at = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    url = api(f"blogs/ge2017/posts/{reporter_draft.pk}/publish/")

    response = reporter_api.post(url, {"at": at.isoformat()}, "json")

    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"
    assert Post.objects.get(pk=reporter_draft.pk).published_at == at
    assert _events(reporter_draft.blog) == []


# Images --------------------------------------------------------------------------------------


def _upload(client, post, content: bytes, name: str = "count.jpg", **fields):
    data = {"file": SimpleUploadedFile(name, content), "alt_text": "Counters", **fields}
    return client.post(api(f"blogs/ge2017/posts/{post.pk}/images/"), data, format="multipart")


def test_image_goes_through_the_pipeline_and_is_broadcast(
    reporter_api, reporter_post, media_storage
):
    response = _upload(reporter_api, reporter_post, jpeg((2000, 1000)), caption="The count")

    assert response.status_code == 201
    body = response.json()
    assert (body["width"], body["height"]) == (2000, 1000)
    assert body["caption"] == "The count"
    assert {(r["width"], r["format"]) for r in body["renditions"]} == {
        (w, f) for w in (320, 640, 1024, 1600) for f in ("webp", "jpeg")
    }
    assert body["url"].startswith("http://testserver/")
    assert _events(reporter_post.blog) == ["post.published", "post.updated"]
    post = reporter_api.get(api(f"blogs/ge2017/posts/{reporter_post.pk}/")).json()
    assert [i["id"] for i in post["images"]] == [body["id"]]


def test_image_without_alt_text_is_400(reporter_api, reporter_post, media_storage):
    response = _upload(reporter_api, reporter_post, jpeg(), alt_text="")

    assert response.status_code == 400
    assert "alt_text" in response.json()["fields"]
    assert not PostImage.objects.exists()


def test_svg_is_refused_with_the_pipelines_message(reporter_api, reporter_post, media_storage):
    response = _upload(reporter_api, reporter_post, SVG, name="logo.svg")

    assert response.status_code == 400
    assert "SVG files are not accepted" in response.json()["detail"]
    assert not PostImage.objects.exists()


def test_image_the_pipeline_finds_too_large_is_413(
    reporter_api, reporter_post, media_storage, settings
):
    settings.LIVEBLOG_IMAGE_MAX_BYTES = 10_000

    # Within the declared-length allowance (limit + multipart overhead), over the file limit.
    response = _upload(reporter_api, reporter_post, jpeg((400, 400)) + b"\0" * 20_000)

    assert response.status_code == 413
    assert response.json()["code"] == "too_big"
    assert "the limit is" in response.json()["detail"]
    assert not PostImage.objects.exists()


def test_upload_declared_larger_than_the_limit_is_413_before_it_is_read(
    reporter_api, reporter_post, media_storage, settings
):
    settings.LIVEBLOG_IMAGE_MAX_BYTES = 10_000

    response = _upload(reporter_api, reporter_post, jpeg((1000, 1000)) + b"\0" * 200_000)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not PostImage.objects.exists()


def test_json_body_larger_than_the_limit_is_413(reporter_api, blog, settings):
    settings.LIVEBLOG_API_MAX_JSON_BYTES = 1000

    response = reporter_api.post(CREATE, {"headline": "x", "body": "<p>a</p>" * 500}, "json")

    assert response.status_code == 413
    assert response.json()["detail"].startswith("This request is ")
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        # Found by schemathesis: a part with no headers and text that is no part at all.
        "--B\r\nपन्ह त्र إلا بسم الله--B--\r\n".encode(),
        b"--B\r\nContent-Disposition: form-data\r\n\r\nno name--B--\r\n",
        b"not multipart at all",
        b"",
    ],
)
def test_a_broken_multipart_body_is_a_400_that_says_so(reporter_api, reporter_post, body):
    response = reporter_api.generic(
        "POST",
        api(f"blogs/ge2017/posts/{reporter_post.pk}/images/"),
        body,
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 400, response.content
    assert not reporter_post.images.exists()


def test_a_picture_sent_as_json_is_a_415_the_schema_documents(reporter_api, reporter_post):
    response = reporter_api.post(
        api(f"blogs/ge2017/posts/{reporter_post.pk}/images/"), {"alt_text": "x"}, format="json"
    )
    assert response.status_code == 415
    schema = reporter_api.get(api("schema/"), HTTP_ACCEPT="application/json").json()
    upload = schema["paths"]["/api/v1/blogs/{slug}/posts/{post_id}/images/"]["post"]
    assert "415" in upload["responses"]
