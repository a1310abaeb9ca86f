import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from liveblog import demo
from liveblog.models import LiveBlog, Post
from liveblog.permissions import EDITOR_GROUP, REPORTER_GROUP

pytestmark = pytest.mark.django_db


def _load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_password(monkeypatch) -> str:
    monkeypatch.setenv("DEMO_PASSWORD", "polls-close-at-ten")
    return "polls-close-at-ten"


def test_load_demo_refuses_demo_logins_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        _load_demo()

    assert not get_user_model().objects.exists()
    assert not LiveBlog.objects.exists()


def test_load_demo_creates_the_election_blog(demo_password):
    _load_demo("--force")

    blog = LiveBlog.objects.get(slug="general-election-2017")
    assert blog.title == "General election 2017: live results"
    posts = Post.objects.visible().filter(blog=blog)
    assert posts.count() == len(demo.POSTS)
    days = {blog.localtime(post.published_at).date() for post in posts}
    assert len(days) >= 2
    assert posts.filter(is_breaking=True).count() == 1
    assert posts.filter(is_pinned=True).count() == 1
    assert posts.filter(is_key_event=True).count() >= 2
    assert posts.filter(contributors__name="Luke Ashmead").exists()


def test_load_demo_puts_reporter_and_editor_in_their_groups(demo_password):
    _load_demo("--force")

    users = get_user_model().objects.filter(username__in=["reporter", "editor"])
    groups = {user.username: [g.name for g in user.groups.all()] for user in users}
    assert groups == {"reporter": [REPORTER_GROUP], "editor": [EDITOR_GROUP]}
    assert all(user.is_staff for user in users)


def test_load_demo_twice_creates_nothing_more(demo_password):
    _load_demo("--force")
    counts = (Post.objects.count(), get_user_model().objects.count(), LiveBlog.objects.count())

    output = _load_demo("--force")

    assert (
        Post.objects.count(),
        get_user_model().objects.count(),
        LiveBlog.objects.count(),
    ) == counts
    assert "0 new posts" in output


def test_demo_logins_use_demo_password(client, demo_password):
    output = _load_demo("--force")

    assert client.login(
        request=RequestFactory().post("/admin/login/"), username="reporter", password=demo_password
    )
    assert client.login(
        request=RequestFactory().post("/admin/login/"), username="editor", password=demo_password
    )
    assert "password from DEMO_PASSWORD" in output


def test_demo_password_is_generated_and_printed_once_when_unset(client, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    first = _load_demo("--force")
    second = _load_demo("--force")

    password = re.search(r"generated password: (\S+)", first).group(1)
    assert client.login(
        request=RequestFactory().post("/admin/login/"), username="editor", password=password
    )
    assert password not in second
    assert client.login(
        request=RequestFactory().post("/admin/login/"), username="editor", password=password
    )


def test_demo_blog_reader_page_shows_the_seed_posts(client, demo_password):
    _load_demo("--force")

    response = client.get("/live/general-election-2017/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Updates for Friday, 9 June 2017" in html
    assert '<span class="post__breaking">Breaking</span> Conservatives hold MK South' in html
    assert "Show older updates" in html
