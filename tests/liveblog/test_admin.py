from datetime import datetime, timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from liveblog import services
from liveblog.forms import PostAdminForm
from liveblog.models import LiveBlog, Post
from tests.factories import TEST_PASSWORD, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:liveblog_post_add")


def _change_url(post: Post) -> str:
    return reverse("admin:liveblog_post_change", args=[post.pk])


def _form_data(blog, *, when: datetime | None = None, version: int | str = "", **fields) -> dict:
    """What the post form posts: the prose editor is a textarea named body, version hidden."""
    when = timezone.localtime(when or timezone.now())
    data = {
        "blog": blog.pk,
        "headline": "Turnout up in Bedford",
        "body": "<p>Queues at the polling stations.</p>",
        "contributors": [],
        "status": Post.Status.PUBLISHED,
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
        "version": version,
        "_save": "Save",
    }
    data.update(fields)
    return data


def _change_data(post: Post, **fields) -> dict:
    fields.setdefault("headline", post.headline)
    fields.setdefault("body", post.body)
    fields.setdefault("contributors", [c.pk for c in post.contributors.all()])
    fields.setdefault("version", post.version)
    return _form_data(post.blog, when=post.published_at, **fields)


# Fast filing --------------------------------------------------------------------------------


def test_add_form_opens_with_the_blog_own_byline_and_the_time_filled_in(client, reporter, blog):
    client.force_login(reporter)

    response = client.get(ADD_URL)

    assert response.status_code == 200
    initial = response.context["adminform"].form.initial
    assert initial["blog"] == blog.pk
    assert initial["contributors"] == [reporter.contributor.pk]
    assert abs(initial["published_at"] - timezone.now()) < timedelta(minutes=1)
    assert f'<option value="{blog.pk}" selected>' in response.content.decode()


def test_reporter_files_a_post_through_the_admin(client, reporter, blog):
    client.force_login(reporter)
    data = _form_data(
        blog,
        contributors=[reporter.contributor.pk],
        body='<p>Queues<script>alert(1)</script> at <a href="https://bbc.co.uk">polls</a></p>',
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.headline == "Turnout up in Bedford"
    assert post.body == (
        '<p>Queues at <a href="https://bbc.co.uk" rel="noopener nofollow">polls</a></p>'
    )
    assert list(post.contributors.all()) == [reporter.contributor]
    assert post.created_by == reporter
    assert post.is_visible()
    assert post.events.get().kind == "post.published"


def test_post_filed_from_a_form_left_open_is_stamped_with_the_time_it_is_saved(
    client, reporter, blog
):
    client.force_login(reporter)
    opened = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    data = _form_data(blog, when=opened)
    # The form carries the time it was opened as the field's initial value too.
    data["initial-published_at_0"] = data["published_at_0"]
    data["initial-published_at_1"] = data["published_at_1"]
    before_save = timezone.now().replace(microsecond=0)

    client.post(ADD_URL, data)

    assert Post.objects.get().published_at >= before_save


def test_post_filed_with_a_time_the_reporter_chose_keeps_that_time(client, reporter, blog):
    client.force_login(reporter)
    opened = timezone.now().replace(microsecond=0)
    chosen = opened - timedelta(minutes=30)
    data = _form_data(blog, when=chosen)
    data["initial-published_at_0"] = timezone.localtime(opened).strftime("%Y-%m-%d")
    data["initial-published_at_1"] = timezone.localtime(opened).strftime("%H:%M:%S")

    client.post(ADD_URL, data)

    assert Post.objects.get().published_at == chosen


def test_editor_logs_in_with_a_password_and_files_a_flagged_post(client, blog):
    editor = EditorFactory()
    assert client.login(
        request=RequestFactory().post("/admin/login/"),
        username=editor.username,
        password=TEST_PASSWORD,
    )

    response = client.post(ADD_URL, _form_data(blog, is_breaking="on", is_key_event="on"))

    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.is_breaking, post.is_key_event, post.created_by) == (True, True, editor)


def test_staff_user_outside_the_newsroom_groups_cannot_open_the_add_form(client, blog):
    client.force_login(UserFactory())

    response = client.get(ADD_URL)

    assert response.status_code == 403


def test_add_form_shows_the_admin_rich_text_editor_textarea(client, reporter, blog):
    client.force_login(reporter)

    response = client.get(ADD_URL)

    content = response.content.decode()
    assert '<textarea name="body"' in content
    assert "data-django-prose-editor" in content
    assert '<input type="hidden" name="version"' in content
    assert 'name="initial-published_at_0"' in content


def test_empty_post_filed_through_the_admin_shows_the_form_error(client, reporter, blog):
    client.force_login(reporter)

    response = client.post(ADD_URL, _form_data(blog, headline=" ", body="<p></p>"))

    assert response.status_code == 200
    assert services.MSG_EMPTY_POST in response.content.decode()
    assert not Post.objects.exists()


def test_reporter_finds_linked_bylines_with_the_contributor_search(
    client, reporter, other_reporter, blog
):
    other_reporter.contributor.signers.add(reporter)  # linked by an editor (issue 14, item 14)
    client.force_login(reporter)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "liveblog",
            "model_name": "post",
            "field_name": "contributors",
            "term": "Luke",
        },
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [result["id"] for result in results] == [str(other_reporter.contributor.pk)]


def test_save_and_add_another_opens_a_fresh_add_form(client, reporter, blog):
    client.force_login(reporter)

    response = client.post(ADD_URL, {**_form_data(blog), "_addanother": "1"}, follow=True)

    assert response.redirect_chain == [(ADD_URL, 302)]
    assert Post.objects.count() == 1
    form = response.context["adminform"].form
    assert not form.is_bound
    assert form.initial["blog"] == blog.pk
    assert form.initial["contributors"] == [reporter.contributor.pk]


# Own posts, others' posts and editors' flags --------------------------------------------------


def test_reporter_can_edit_their_own_post(client, reporter, reporter_post):
    client.force_login(reporter)

    response = client.post(_change_url(reporter_post), _change_data(reporter_post, headline="New"))

    assert response.status_code == 302
    reporter_post.refresh_from_db()
    assert reporter_post.headline == "New"
    assert reporter_post.version == 2


def test_reporters_post_to_another_reporters_post_is_refused(client, other_reporter, reporter_post):
    client.force_login(other_reporter)

    response = client.post(
        _change_url(reporter_post), _change_data(reporter_post, headline="Hijacked")
    )

    assert response.status_code == 403
    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Counting under way in Luton"
    assert reporter_post.version == 1


def test_reporters_delete_of_another_reporters_post_is_refused(
    client, other_reporter, reporter_post
):
    client.force_login(other_reporter)

    response = client.post(
        reverse("admin:liveblog_post_delete", args=[reporter_post.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    reporter_post.refresh_from_db()
    assert reporter_post.deleted_at is None


def test_reporter_sees_another_reporters_post_read_only(client, other_reporter, reporter_post):
    client.force_login(other_reporter)

    response = client.get(_change_url(reporter_post))

    assert response.status_code == 200
    assert '<input type="text" name="headline"' not in response.content.decode()
    assert not response.context["has_change_permission"]


def test_reporters_attempt_to_flag_their_new_post_has_no_effect(client, reporter, blog):
    client.force_login(reporter)
    data = _form_data(blog, is_breaking="on", is_key_event="on", is_pinned="on")

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.is_breaking, post.is_key_event, post.is_pinned) == (False, False, False)


def test_reporters_attempt_to_flag_their_own_post_has_no_effect(client, reporter, reporter_post):
    client.force_login(reporter)
    data = _change_data(reporter_post, is_breaking="on", is_pinned="on", is_key_event="on")

    client.post(_change_url(reporter_post), data)

    reporter_post.refresh_from_db()
    assert (reporter_post.is_breaking, reporter_post.is_key_event) == (False, False)
    assert reporter_post.is_pinned is False


def test_editor_pins_and_marks_a_reporters_post_breaking(client, editor, reporter_post):
    client.force_login(editor)
    data = _change_data(reporter_post, is_breaking="on", is_key_event="on", is_pinned="on")

    response = client.post(_change_url(reporter_post), data)

    assert response.status_code == 302
    reporter_post.refresh_from_db()
    assert (reporter_post.is_breaking, reporter_post.is_key_event) == (True, True)
    assert reporter_post.is_pinned is True
    assert reporter_post.updated_by == editor


def test_editor_pins_a_post_with_the_list_action_unpinning_the_other(
    client, editor, blog, reporter_post
):
    pinned = services.create_post(blog=blog, by=editor, headline="Pinned", is_pinned=True)
    client.force_login(editor)

    response = client.post(
        reverse("admin:liveblog_post_changelist"),
        {"action": "pin_selected", "_selected_action": [reporter_post.pk]},
    )

    assert response.status_code == 302
    pinned.refresh_from_db()
    reporter_post.refresh_from_db()
    assert reporter_post.is_pinned is True
    assert pinned.is_pinned is False


def test_reporter_has_no_pin_action(client, reporter, reporter_post):
    client.force_login(reporter)

    response = client.post(
        reverse("admin:liveblog_post_changelist"),
        {"action": "pin_selected", "_selected_action": [reporter_post.pk]},
    )

    reporter_post.refresh_from_db()
    assert reporter_post.is_pinned is False
    assert "pin_selected" not in response.content.decode()


# Concurrent edits ---------------------------------------------------------------------------


def test_saving_over_someone_elses_newer_edit_shows_the_conflict_and_keeps_both_edits(
    client, reporter, editor, reporter_post
):
    client.force_login(reporter)
    opened = client.get(_change_url(reporter_post))
    assert opened.context["adminform"].form["version"].value() == 1
    services.update_post(reporter_post, by=editor, expected_version=1, headline="Editor's take")

    response = client.post(
        _change_url(reporter_post),
        _change_data(reporter_post, version=1, headline="Reporter's take", body="<p>Mine</p>"),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert services.MSG_CONFLICT in content
    assert "Reporter&#x27;s take" in content
    assert "&lt;p&gt;Mine&lt;/p&gt;" in content
    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Editor's take"
    assert reporter_post.version == 2


def test_saving_again_after_a_conflict_replaces_the_other_edit(
    client, reporter, editor, reporter_post
):
    client.force_login(reporter)
    services.update_post(reporter_post, by=editor, expected_version=1, headline="Editor's take")
    data = _change_data(reporter_post, version=1, headline="Reporter's take")
    conflict = client.post(_change_url(reporter_post), data)

    response = client.post(
        _change_url(reporter_post),
        {**data, "version": conflict.context["adminform"].form["version"].value()},
    )

    assert response.status_code == 302
    reporter_post.refresh_from_db()
    assert reporter_post.headline == "Reporter's take"
    assert reporter_post.version == 3


def test_conflict_found_only_at_save_time_is_shown_like_any_other(
    client, monkeypatch, reporter, editor, reporter_post
):
    services.update_post(reporter_post, by=editor, expected_version=1, headline="Theirs")
    # The other save commits after the form's version check and before the locked save:
    # let the first check pass as if it ran before that commit.
    check_version = PostAdminForm._check_version
    checks = []

    def check_before_the_race(form, submitted):
        checks.append(submitted)
        if len(checks) > 1:
            check_version(form, submitted)

    monkeypatch.setattr(PostAdminForm, "_check_version", check_before_the_race)
    client.force_login(reporter)

    response = client.post(
        _change_url(reporter_post), _change_data(reporter_post, version=1, headline="Mine")
    )

    assert response.status_code == 200
    assert services.MSG_CONFLICT in response.content.decode()
    assert 'value="Mine"' in response.content.decode()
    reporter_post.refresh_from_db()
    assert (reporter_post.headline, reporter_post.version) == ("Theirs", 2)


# Deleting -----------------------------------------------------------------------------------


def test_deleting_in_the_admin_soft_deletes_and_hides_it_from_readers(
    client, reporter, reporter_post
):
    client.force_login(reporter)

    response = client.post(
        reverse("admin:liveblog_post_delete", args=[reporter_post.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    reporter_post.refresh_from_db()
    assert reporter_post.deleted_at is not None
    page = client.get(reporter_post.blog.get_absolute_url())
    assert f'id="post-{reporter_post.pk}"' not in page.content.decode()
    assert "Counting under way in Luton" not in page.content.decode()


def test_bulk_delete_in_the_admin_soft_deletes(client, editor, reporter_post):
    client.force_login(editor)

    client.post(
        reverse("admin:liveblog_post_changelist"),
        {"action": "delete_selected", "_selected_action": [reporter_post.pk], "post": "yes"},
    )

    reporter_post.refresh_from_db()
    assert reporter_post.deleted_at is not None


def test_reporters_bulk_delete_including_another_reporters_post_deletes_nothing(
    client, reporter, other_reporter, blog, reporter_post
):
    theirs = services.create_post(blog=blog, by=other_reporter, headline="Theirs")
    client.force_login(reporter)

    response = client.post(
        reverse("admin:liveblog_post_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [reporter_post.pk, theirs.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 403
    assert Post.objects.filter(deleted_at__isnull=True).count() == 2


def test_reporter_sees_the_post_list(client, reporter, reporter_post):
    client.force_login(reporter)

    response = client.get(reverse("admin:liveblog_post_changelist"))

    assert response.status_code == 200
    assert "Counting under way in Luton" in response.content.decode()


# Blogs --------------------------------------------------------------------------------------


def _blog_data(blog, **fields) -> dict:
    data = {
        "title": blog.title,
        "slug": blog.slug,
        "description": blog.description,
        "status": blog.status,
        "time_zone": blog.time_zone,
        "_save": "Save",
    }
    data.update(fields)
    return data


def test_editor_changing_a_blogs_status_records_an_event(client, editor, blog):
    client.force_login(editor)

    response = client.post(
        reverse("admin:liveblog_liveblog_change", args=[blog.pk]),
        _blog_data(blog, status=LiveBlog.Status.ENDED, title="GE2017: results"),
    )

    assert response.status_code == 302
    blog.refresh_from_db()
    assert (blog.status, blog.title) == (LiveBlog.Status.ENDED, "GE2017: results")
    assert list(blog.events.values_list("seq", "kind", "data")) == [
        (1, "blog.status", {"status": "ended"})
    ]


def test_saving_a_blog_in_the_admin_keeps_events_published_meanwhile(rf, editor, reporter, blog):
    model_admin = admin.site._registry[LiveBlog]
    request = rf.post("/")
    request.user = editor
    opened = model_admin.get_object(request, str(blog.pk))
    form = model_admin.get_form(request, opened, change=True)(
        _blog_data(blog, title="GE2017"), instance=opened
    )
    assert form.is_valid()
    # A reporter publishes while the editor's save is under way.
    services.create_post(blog=blog, by=reporter, headline="Meanwhile")

    model_admin.save_model(request, form.save(commit=False), form, change=True)

    blog.refresh_from_db()
    assert (blog.title, blog.last_seq) == ("GE2017", 1)
    services.create_post(blog=blog, by=reporter, headline="Next")
    assert list(blog.events.values_list("seq", flat=True)) == [1, 2]


def test_reporter_cannot_change_a_blog(client, reporter, blog):
    client.force_login(reporter)

    response = client.post(
        reverse("admin:liveblog_liveblog_change", args=[blog.pk]), _blog_data(blog, title="X")
    )

    assert response.status_code == 403
    blog.refresh_from_db()
    assert blog.title == "General election 2017: live results"
