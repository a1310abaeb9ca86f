"""Partner embeds: the partner sites a blog lists are checked before they reach a header
(liveblog.pages.framing), through the services and the blog's admin form."""

import pytest
from django.core.exceptions import ValidationError

from liveblog import services
from liveblog.forms import LiveBlogAdminForm
from liveblog.models import LiveBlog
from liveblog.pages import framing

HOSTILE = [
    "http://news.example",
    "https://news.example/live",
    "https://news.example/?a=1",
    "https://news.example#x",
    "https://*.news.example",
    "*",
    "https://*",
    "javascript:alert(1)",
    "https://news.example; script-src *",
    "https://news.example 'unsafe-inline'",
    "'self'",
    "'none'",
    "data:",
    "https://user:pw@news.example",
    "https://news.example:0",
    "https://news.example:65536",
    "https://news.example:99999",
    "https://localhost",
    "https://-bad.example",
    "https://news..example",
    "https://news.example\r\nSet-Cookie: a=b",
    "https://news.example,https://other.example",
    "https://" + "a" * 64 + ".example",
    "https://" + ".".join(["a"] * 200) + ".example",
    "news.example",
    "//news.example",
    "https://news.exämple",
    "https://[::1]",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_anything_but_an_https_origin_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        framing.normalise_origin(value)

    assert refused.value.code == "invalid_origin"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://news.example", "https://news.example"),
        ("  HTTPS://News.Example/  ", "https://news.example"),
        ("https://news.example:443", "https://news.example"),
        ("https://news.example:8443", "https://news.example:8443"),
        ("https://xn--exmple-cua.example", "https://xn--exmple-cua.example"),
    ],
)
def test_an_origin_is_stored_in_one_canonical_form(typed, stored):
    assert framing.normalise_origin(typed) == stored


def test_a_list_drops_blanks_and_duplicates_and_keeps_its_order():
    origins = framing.parse_origins(
        ["https://b.example", "", "https://a.example/", "https://B.example"]
    )

    assert origins == ["https://b.example", "https://a.example"]


def test_a_thousand_origins_are_refused_with_one_message_for_the_length():
    with pytest.raises(ValidationError) as refused:
        framing.parse_origins([f"https://n{i}.example" for i in range(1000)])

    assert [e.code for e in refused.value.error_list] == ["too_many_origins"]


def test_every_bad_entry_is_reported():
    with pytest.raises(ValidationError) as refused:
        framing.parse_origins(["https://ok.example", "http://a.example", "*"])

    assert len(refused.value.error_list) == 2


def test_frame_ancestors_drop_stored_text_that_is_not_an_origin():
    # The model validates; a row written around it still cannot widen the policy.
    assert framing.frame_ancestors(["https://a.example", "https://b.example; script-src *"]) == [
        "'self'",
        "https://a.example",
    ]


# Through the services ------------------------------------------------------------------


def test_an_editor_sets_the_blogs_partner_sites(editor, blog):
    services.update_blog(blog, by=editor, embed_origins=["https://news.example"])

    blog.refresh_from_db()
    assert blog.embed_origins == ["https://news.example"]


@pytest.mark.parametrize(
    "origins",
    [["https://a.example; script-src *"], ["*"], "https://a.example", [["https://a.example"]]],
)
def test_a_bad_list_through_the_services_changes_nothing(editor, blog, origins):
    before = LiveBlog.objects.get(pk=blog.pk).updated_at

    with pytest.raises(ValidationError):
        services.update_blog(blog, by=editor, embed_origins=origins)

    blog.refresh_from_db()
    assert blog.embed_origins == []
    assert blog.updated_at == before


def test_a_reporter_cannot_set_partner_sites(reporter, blog):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_blog(blog, by=reporter, embed_origins=["https://news.example"])


# The admin form ------------------------------------------------------------------------


def form_data(blog, origins_text):
    return {
        "title": blog.title,
        "slug": blog.slug,
        "description": "",
        "status": blog.status,
        "time_zone": blog.time_zone,
        "embed_origins": origins_text,
    }


def test_the_form_takes_one_site_per_line_and_cleans_them(blog):
    form = LiveBlogAdminForm(
        form_data(blog, "https://B.example/\r\nhttps://a.example, https://b.example"),
        instance=blog,
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["embed_origins"] == ["https://b.example", "https://a.example"]


@pytest.mark.parametrize("text", ["http://a.example", "https://a.example/path", "*", "x" * 30_000])
def test_the_form_refuses_what_is_not_a_list_of_sites(blog, text):
    form = LiveBlogAdminForm(form_data(blog, text), instance=blog)

    assert not form.is_valid()
    assert "embed_origins" in form.errors


def test_the_blog_admin_saves_partner_sites_and_shows_the_embed_code(client, editor, blog):
    client.force_login(editor)

    response = client.post(
        f"/admin/liveblog/liveblog/{blog.pk}/change/",
        form_data(blog, "https://news.example"),
        follow=True,
    )

    assert response.status_code == 200
    blog.refresh_from_db()
    assert blog.embed_origins == ["https://news.example"]
    page = client.get(f"/admin/liveblog/liveblog/{blog.pk}/change/").content.decode()
    assert "Embed on partner sites" in page
    assert "&lt;iframe src=&quot;http://testserver/embed/live/ge2017/&quot;" in page
    assert "https://news.example</textarea>" in page


def test_the_blog_admin_shows_a_bad_site_on_the_form(client, editor, blog):
    client.force_login(editor)

    response = client.post(
        f"/admin/liveblog/liveblog/{blog.pk}/change/", form_data(blog, "https://a.example; x")
    )

    assert response.status_code == 200
    assert "is not a site address" in response.content.decode()
    blog.refresh_from_db()
    assert blog.embed_origins == []
