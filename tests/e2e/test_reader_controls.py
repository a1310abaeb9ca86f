"""The readers-and-newsroom issue in the browser: what screen readers hear of live updates,
focus after "N new updates", reduced motion, the keyboard, oldest first with and without
JavaScript, permalinks, share, Jump to latest, and anchors across live updates."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from liveblog import services
from liveblog.media import services as media_services

from .test_live_updates import assert_not_reloaded, file_post, log_in, open_reader

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
X_POST = "https://twitter.com/BBCLookEast/status/873120139222306817"

# Keeps every text the live region takes, in order, in the page's data-announced (installed
# once the page has loaded; an attribute, so `expect` can wait on it under the page's CSP).
RECORD_ANNOUNCEMENTS = """() => {
  const region = document.querySelector("[data-live-announcer]");
  const heard = [];
  new MutationObserver(() => {
    const text = region.textContent.trim();
    if (text) heard.push(text);
    document.body.dataset.announced = JSON.stringify(heard);
  }).observe(region, { childList: true, characterData: true, subtree: true });
}"""


@pytest.fixture
def reader_context(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    yield context
    context.close()


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until `target` has focus: it is reachable by keyboard alone."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"{target} is not reachable with Tab")


def assert_focus_is_visible(target: Locator) -> None:
    expect(target).to_be_focused()
    assert target.evaluate("(element) => getComputedStyle(element).outlineStyle") != "none"


def edit_headline(admin: Page, live_url: str, post_id: int, headline: str) -> None:
    admin.goto(f"{live_url}/admin/liveblog/post/{post_id}/change/")
    admin.fill("#id_headline", headline)
    admin.locator("input[name=_save]").first.click()
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")


# What is announced ----------------------------------------------------------------------------


def test_a_new_post_is_announced_by_count_and_edits_and_deletes_are_not(
    live_url, page, reader_context, blog, editor
):
    post = services.create_post(blog=blog, by=editor, headline="Turnout up", body="<p>70%</p>")
    reader = open_reader(reader_context, live_url, blog.slug)
    reader.evaluate(RECORD_ANNOUNCEMENTS)
    log_in(page, live_url, editor.username)

    edit_headline(page, live_url, post.pk, "Turnout up to 69.8%")
    expect(reader.locator(f"#post-{post.pk}")).to_contain_text("Turnout up to 69.8%")
    page.goto(f"{live_url}/admin/liveblog/post/{post.pk}/delete/")
    page.locator("input[type=submit]").click()
    expect(reader.locator(f"#post-{post.pk}")).to_have_count(0)
    file_post(page, live_url, headline="Exit poll published", text="Hung parliament.")

    expect(reader.locator("article", has_text="Exit poll published")).to_be_visible()
    # Not the post's words; nothing for the edit or the deletion before it.
    expect(reader.locator("body")).to_have_attribute("data-announced", '["1 new update"]')
    expect(reader.locator("[data-live-announcer]")).to_have_attribute("aria-live", "polite")
    assert reader.locator("[aria-live]").count() == 1


def test_losing_the_connection_is_announced(live_url, reader_context, blog):
    reader = open_reader(reader_context, live_url, blog.slug)

    reader_context.set_offline(True)

    expect(reader.locator("[data-live-announcer]")).to_have_text(
        "Offline: updates resume when you reconnect"
    )


def test_new_updates_button_says_how_many_and_moves_focus_to_the_first_new_post(
    live_url, page, reader_context, blog, editor
):
    for n in range(12):
        services.create_post(blog=blog, by=editor, headline=f"Earlier update {n}", body="<p>x</p>")
    reader = open_reader(reader_context, live_url, blog.slug)
    reader.locator("article").last.scroll_into_view_if_needed()
    log_in(page, live_url, editor.username)
    file_post(page, live_url, headline="Exit poll published", text="Hung parliament.")
    file_post(page, live_url, headline="First result: Newcastle", text="Labour hold.")
    button = reader.locator("[data-new-updates]")
    expect(button).to_have_accessible_name("2 new updates")

    tab_to(reader, button)
    assert_focus_is_visible(button)
    reader.keyboard.press("Enter")

    first = reader.locator("[data-feed] > article").first
    expect(first).to_contain_text("First result: Newcastle")
    expect(first).to_be_focused()
    expect(button).to_be_hidden()
    assert_not_reloaded(reader)


# Reduced motion -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("motion", "animation"), [("reduce", "none"), ("no-preference", "post-arrives")]
)
def test_a_live_post_is_animated_in_only_for_readers_who_did_not_ask_for_less_motion(
    live_url, page, browser, blog, editor, motion, animation
):
    context = browser.new_context(reduced_motion=motion)
    context.set_default_timeout(10_000)
    try:
        reader = open_reader(context, live_url, blog.slug)
        log_in(page, live_url, editor.username)

        file_post(page, live_url, headline="Exit poll published", text="Hung parliament.")

        article = reader.locator("article", has_text="Exit poll published")
        expect(article).to_be_visible()
        assert article.evaluate("(a) => getComputedStyle(a).animationName") == animation
        behaviour = reader.evaluate("getComputedStyle(document.documentElement).scrollBehavior")
        assert behaviour == "auto"  # no animated scrolling
    finally:
        context.close()


# The keyboard ---------------------------------------------------------------------------------


def test_the_consent_gates_button_works_from_the_keyboard(live_url, page, blog, reporter):
    post = services.create_post(blog=blog, by=reporter, headline="Reaction from Bedford")
    media_services.add_post_embed(post, by=reporter, url=X_POST)
    page.route(
        lambda url: urlsplit(url).hostname not in LOOPBACK and url.startswith("http"),
        lambda route: route.abort(),
    )
    page.goto(f"{live_url}/live/{blog.slug}/")
    gate = page.get_by_role("group", name="X content")
    accept = gate.get_by_role("button", name="Accept and continue")
    expect(accept).to_be_visible()

    tab_to(page, gate.get_by_role("checkbox"))
    assert_focus_is_visible(gate.get_by_role("checkbox"))
    page.keyboard.press("Space")
    tab_to(page, accept)
    assert_focus_is_visible(accept)
    page.keyboard.press("Enter")

    expect(gate.locator("iframe")).to_be_focused()


# Oldest first ---------------------------------------------------------------------------------


def test_oldest_first_without_javascript_pages_forward_by_keyboard(live_url, browser, blog, editor):
    posts = [services.create_post(blog=blog, by=editor, headline=f"Update {n}") for n in range(23)]
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        reader = context.new_page()
        reader.goto(f"{live_url}/live/{blog.slug}/")
        reader.get_by_role("link", name="Oldest first").click()
        articles = reader.locator("[data-feed] > article")
        expect(articles.first).to_have_attribute("id", f"post-{posts[0].pk}")
        expect(articles).to_have_count(20)

        newer = reader.get_by_role("link", name="Show newer updates")
        tab_to(reader, newer)
        assert_focus_is_visible(newer)
        reader.keyboard.press("Enter")

        expect(articles).to_have_count(3)
        expect(articles.first).to_have_attribute("id", f"post-{posts[20].pk}")
        expect(articles.last).to_have_attribute("id", f"post-{posts[22].pk}")
    finally:
        context.close()


def test_oldest_first_live_posts_are_added_at_the_end(live_url, page, reader_context, blog, editor):
    first = services.create_post(blog=blog, by=editor, headline="Polls close")
    services.create_post(blog=blog, by=editor, headline="Exit poll")
    reader = reader_context.new_page()
    reader.goto(f"{live_url}/live/{blog.slug}/?order=oldest")
    expect(reader.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")
    log_in(page, live_url, editor.username)

    file_post(page, live_url, headline="First result: Newcastle", text="Labour hold.")

    articles = reader.locator("[data-feed] > article")
    expect(articles.last).to_contain_text("First result: Newcastle")
    expect(articles).to_have_count(3)
    expect(articles.first).to_have_attribute("id", f"post-{first.pk}")
    expect(reader.locator("[data-new-updates]")).to_be_hidden()


def test_the_chosen_order_is_remembered_on_the_next_visit(live_url, page, blog, editor):
    services.create_post(blog=blog, by=editor, headline="Polls close")
    page.goto(f"{live_url}/live/{blog.slug}/")

    page.get_by_role("link", name="Oldest first").click()
    expect(page.locator("[data-live-root]")).to_have_attribute("data-order", "oldest")
    page.goto(f"{live_url}/live/{blog.slug}/")

    expect(page).to_have_url(f"{live_url}/live/{blog.slug}/?order=oldest")
    expect(page.locator("[data-live-root]")).to_have_attribute("data-order", "oldest")
    page.get_by_role("link", name="Newest first").click()
    expect(page.locator("[data-live-root]")).to_have_attribute("data-order", "newest")
    page.goto(f"{live_url}/live/{blog.slug}/")
    expect(page.locator("[data-live-root]")).to_have_attribute("data-order", "newest")


# Permalinks, share, anchors -------------------------------------------------------------------


def test_a_permalink_brings_its_post_into_view_with_its_own_title(live_url, page, blog, editor):
    posts = [services.create_post(blog=blog, by=editor, headline=f"Update {n}") for n in range(25)]
    post = posts[4]

    page.goto(f"{live_url}/live/{blog.slug}/posts/{post.pk}/")

    article = page.locator(f"#post-{post.pk}")
    expect(article).to_be_focused()
    expect(article).to_be_in_viewport()
    expect(page.locator('meta[property="og:title"]')).to_have_attribute("content", "Update 4")
    expect(page.locator("[data-feed] > article").first).to_have_attribute("id", f"post-{post.pk}")


def test_share_copies_the_permalink_where_the_web_share_api_is_missing(
    live_url, page, context, blog, editor
):
    post = services.create_post(blog=blog, by=editor, headline="Conservatives hold MK South")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'share', { value: undefined })"
    )
    page.goto(f"{live_url}/live/{blog.slug}/")

    share = page.locator(f"#post-{post.pk}").get_by_role("button", name="Share this update")
    tab_to(page, share)
    page.keyboard.press("Enter")

    announcer = page.locator("[data-live-announcer]")
    expect(announcer).to_have_text("Link to this update copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_url}/live/{blog.slug}/posts/{post.pk}/"


def test_share_hands_the_permalink_to_the_web_share_api(live_url, page, blog, editor):
    post = services.create_post(blog=blog, by=editor, headline="Conservatives hold MK South")
    page.add_init_script(
        """navigator.share = (data) => {
          document.documentElement.dataset.shared = `${data.title} ${data.url}`;
          return Promise.resolve();
        };"""
    )
    page.goto(f"{live_url}/live/{blog.slug}/")

    page.locator(f"#post-{post.pk}").get_by_role("button", name="Share this update").click()

    expect(page.locator("html")).to_have_attribute(
        "data-shared", f"Conservatives hold MK South {live_url}/live/{blog.slug}/posts/{post.pk}/"
    )


def test_an_anchor_to_a_post_survives_its_edit_and_new_posts(
    live_url, page, reader_context, blog, editor
):
    post = services.create_post(
        blog=blog, by=editor, headline="Turnout up", body="<p>70%</p>", is_key_event=True
    )
    reader = reader_context.new_page()
    reader.goto(f"{live_url}/live/{blog.slug}/#post-{post.pk}")
    expect(reader.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")
    log_in(page, live_url, editor.username)

    edit_headline(page, live_url, post.pk, "Turnout up to 69.8%")
    file_post(page, live_url, headline="Exit poll published", text="Hung parliament.")
    expect(reader.locator("article", has_text="Exit poll published")).to_have_count(1)
    reader.locator("article").last.scroll_into_view_if_needed()
    reader.locator(".key-events").get_by_role("link", name="Turnout up").click()

    target = reader.locator(f"#post-{post.pk}:target")
    expect(target).to_contain_text("Turnout up to 69.8%")
    expect(target).to_be_in_viewport()
    expect(reader.locator(f"#post-{post.pk}")).to_have_count(1)
    assert reader.evaluate("location.hash") == f"#post-{post.pk}"


def test_an_edit_keeps_focus_on_the_post_the_reader_is_on(
    live_url, page, reader_context, blog, editor
):
    post = services.create_post(blog=blog, by=editor, headline="Turnout up", body="<p>70%</p>")
    reader = open_reader(reader_context, live_url, blog.slug)
    tab_to(reader, reader.locator(f"#post-{post.pk}").get_by_role("button", name="Share"))
    log_in(page, live_url, editor.username)

    edit_headline(page, live_url, post.pk, "Turnout up to 69.8%")

    expect(reader.locator(f"#post-{post.pk}")).to_contain_text("Turnout up to 69.8%")
    expect(reader.locator(f"#post-{post.pk}")).to_be_focused()


# Jump to latest -------------------------------------------------------------------------------


def test_jump_to_latest_appears_far_down_and_takes_the_reader_to_the_newest_post(
    live_url, reader_context, blog, editor
):
    for n in range(18):
        services.create_post(blog=blog, by=editor, headline=f"Update {n}", body="<p>x</p>")
    reader = open_reader(reader_context, live_url, blog.slug)
    jump = reader.get_by_role("link", name="Jump to latest")
    expect(jump).to_be_hidden()

    reader.locator("[data-feed] > article").last.scroll_into_view_if_needed()
    expect(jump).to_be_visible()
    jump.focus()
    assert_focus_is_visible(jump)
    reader.keyboard.press("Enter")

    newest = reader.locator("[data-feed] > article").first
    expect(newest).to_contain_text("Update 17")
    expect(newest).to_be_focused()
    expect(jump).to_be_hidden()
