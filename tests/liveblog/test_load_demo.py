import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import Storage
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from liveblog import demo
from liveblog.models import LiveBlog, Post, PostEmbed, PostImage
from liveblog.permissions import EDITOR_GROUP, REPORTER_GROUP
from tests.liveblog.media.media_files import all_files

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


# Pictures and embeds: what a newcomer should see on the demo ------------------------------


@pytest.fixture
def demo_media(settings) -> Storage:
    """A fresh in-memory media storage for the demo's pictures."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return PostImage._meta.get_field("original").storage


def test_the_demo_posts_carry_pictures_made_by_the_pipeline(demo_password, demo_media):
    _load_demo("--force")

    images = PostImage.objects.filter(post__blog__slug="general-election-2017")
    wanted = [p for spec in demo.POSTS for p in spec.get("pictures", [])]
    assert sorted(i.caption for i in images) == sorted(p["caption"] for p in wanted)
    assert len(images) >= 3
    for image in images:
        assert image.alt_text.strip()
        assert image.credit == demo.CREDIT
        formats = {r["format"] for r in image.renditions}
        assert formats == {"jpeg", "webp"}
        assert all(demo_media.exists(name) for name in image.stored_names)
    assert "Green cake" in _reader_page_text()


def test_the_demo_posts_carry_gated_x_and_youtube_embeds(client, demo_password, demo_media):
    _load_demo("--force")

    providers = set(PostEmbed.objects.values_list("provider", flat=True))
    assert providers == {"x", "youtube"}
    page = client.get("/live/general-election-2017/").content.decode()
    assert "Allow X content?" in page and "Allow YouTube content?" in page
    assert "<iframe" not in page


def test_a_second_load_adds_no_picture_or_embed(demo_password, demo_media):
    _load_demo("--force")
    files = all_files(demo_media)
    counts = (PostImage.objects.count(), PostEmbed.objects.count())

    _load_demo("--force")

    assert (PostImage.objects.count(), PostEmbed.objects.count()) == counts
    assert all_files(demo_media) == files


def test_with_a_base_url_the_demo_says_where_to_look(client, demo_password, demo_media):
    out = _load_demo("--force", "--base-url", "http://127.0.0.1:8000/")

    links = dict(re.findall(r"^  (Pictures|X post|YouTube|Embed):\s+(\S+)$", out, re.MULTILINE))
    assert set(links) == {"Pictures", "X post", "YouTube", "Embed"}
    assert links["Embed"] == "http://127.0.0.1:8000/embed/live/general-election-2017/"
    for name, check in (("Pictures", "post-image"), ("X post", "Allow X"), ("YouTube", "YouTube")):
        path, anchor = links[name].removeprefix("http://127.0.0.1:8000").split("#")
        page = client.get(path).content.decode()
        article = page[page.index(f'id="{anchor}"') :].split("</article>")[0]
        assert check in article, name


def _reader_page_text() -> str:
    from django.test import Client

    return Client().get("/live/general-election-2017/").content.decode()
