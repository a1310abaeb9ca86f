"""A reporter files in the admin; an open reader page, never reloaded, follows (issue 4)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from liveblog import services
from liveblog.models import Post

pytestmark = pytest.mark.e2e


def log_in(page: Page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


def file_post(page: Page, live_url: str, *, headline: str, text: str) -> None:
    page.goto(f"{live_url}/admin/liveblog/post/add/")
    page.fill("#id_headline", headline)
    editor = page.locator(".ProseMirror").first
    editor.click()
    page.keyboard.type(text)
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")


def open_reader(context, live_url: str, slug: str) -> Page:
    reader = context.new_page()
    reader.goto(f"{live_url}/live/{slug}/")
    expect(reader.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")
    # Survives only if the page is never reloaded.
    reader.evaluate("window.__notReloaded = true")
    return reader


def assert_not_reloaded(reader: Page) -> None:
    assert reader.evaluate("window.__notReloaded === true")


@pytest.fixture
def reader_context(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_post_filed_in_the_admin_appears_on_an_open_reader_page(
    live_url, page, reader_context, blog, reporter
):
    reader = open_reader(reader_context, live_url, blog.slug)
    log_in(page, live_url, reporter.username)

    file_post(page, live_url, headline="Recount in Milton Keynes South", text="Bundles checked.")

    article = reader.locator("article", has_text="Recount in Milton Keynes South")
    expect(article).to_be_visible()
    expect(article).to_contain_text("Bundles checked.")
    expect(article).to_contain_text("Alex Pope")
    assert_not_reloaded(reader)


def test_edit_and_delete_in_the_admin_reach_the_reader(
    live_url, page, reader_context, blog, editor
):
    post = services.create_post(blog=blog, by=editor, headline="Turnout up", body="<p>70%</p>")
    reader = open_reader(reader_context, live_url, blog.slug)
    expect(reader.locator(f"#post-{post.pk}")).to_contain_text("Turnout up")
    log_in(page, live_url, editor.username)

    page.goto(f"{live_url}/admin/liveblog/post/{post.pk}/change/")
    page.fill("#id_headline", "Turnout up to 69.8%")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(reader.locator(f"#post-{post.pk}")).to_contain_text("Turnout up to 69.8%")

    page.goto(f"{live_url}/admin/liveblog/post/{post.pk}/delete/")
    page.locator("input[type=submit]").click()
    expect(reader.locator(f"#post-{post.pk}")).to_have_count(0)
    assert Post.objects.get(pk=post.pk).deleted_at is not None
    assert_not_reloaded(reader)


def test_reader_cut_off_sees_what_was_filed_meanwhile_after_reconnecting(
    live_url, page, reader_context, blog, reporter
):
    reader = open_reader(reader_context, live_url, blog.slug)
    root = reader.locator("[data-live-root]")
    log_in(page, live_url, reporter.username)

    reader_context.set_offline(True)
    expect(root).to_have_attribute("data-live-state", "offline")
    file_post(page, live_url, headline="Filed while you were in a tunnel", text="Still here.")
    expect(reader.locator("article", has_text="Filed while you were in a tunnel")).to_have_count(0)

    reader_context.set_offline(False)
    expect(root).to_have_attribute("data-live-state", "live")
    expect(reader.locator("article", has_text="Filed while you were in a tunnel")).to_be_visible()
    assert_not_reloaded(reader)


def test_reader_scrolled_down_gets_a_new_updates_button_instead_of_a_jump(
    live_url, page, reader_context, blog, editor
):
    for n in range(12):
        services.create_post(blog=blog, by=editor, headline=f"Earlier update {n}", body="<p>x</p>")
    reader = open_reader(reader_context, live_url, blog.slug)
    reader.locator("article").last.scroll_into_view_if_needed()
    log_in(page, live_url, editor.username)

    file_post(page, live_url, headline="Exit poll published", text="Hung parliament.")

    button = reader.locator("[data-new-updates]")
    expect(button).to_have_text("1 new update")
    expect(reader.locator("article", has_text="Exit poll published")).to_have_count(0)
    button.click()
    first = reader.locator("[data-feed] > article").first
    expect(first).to_contain_text("Exit poll published")
    expect(button).to_be_hidden()
    expect(reader.locator("[data-feed] > .day-heading").first).to_have_text(
        re.compile(r"^Updates for \w+day, \d{1,2} \w+ \d{4}$")
    )
    assert_not_reloaded(reader)


def test_a_post_on_a_new_day_gets_its_own_day_heading(live_url, page, reader_context, blog, editor):
    london = ZoneInfo("Europe/London")
    services.create_post(
        blog=blog,
        by=editor,
        headline="Polls close",
        published_at=datetime(2017, 6, 8, 23, 50, tzinfo=london),
    )
    reader = open_reader(reader_context, live_url, blog.slug)
    headings = reader.locator("[data-feed] > .day-heading")
    expect(headings).to_have_text(["Updates for Thursday, 8 June 2017"])
    log_in(page, live_url, editor.username)

    file_post(page, live_url, headline="Morning after", text="Counting is over.")

    today = timezone.now().astimezone(london)
    expect(headings).to_have_text(
        [f"Updates for {today:%A}, {today.day} {today:%B %Y}", "Updates for Thursday, 8 June 2017"]
    )
    first = reader.locator("[data-feed] > *").nth(1)
    expect(first).to_contain_text("Morning after")
    assert_not_reloaded(reader)
