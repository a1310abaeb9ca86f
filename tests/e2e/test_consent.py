"""Issue 6: the reader page asks before it loads anything from a social provider.

Every request the page makes is recorded; requests leaving this machine are aborted (there
is no network here), so "the embed loads" is proven by the attempted request and the frame.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from liveblog import services
from liveblog.media import services as media_services

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
X_POST = "https://twitter.com/BBCLookEast/status/873120139222306817"
X_FRAME = "https://platform.twitter.com/embed/Tweet.html?id=873120139222306817&dnt=true"
YOUTUBE_POST = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def leaves_this_machine(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname not in LOOPBACK


def record_requests(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.route(leaves_this_machine, lambda route: route.abort())
    return seen


def to_host(host: str):
    return lambda request: urlsplit(request.url).hostname == host


def test_no_request_leaves_the_machine_before_consent_and_the_embed_loads_after(
    live_url, page, blog, reporter
):
    post = services.create_post(blog=blog, by=reporter, headline="Reaction from Bedford")
    media_services.add_post_embed(post, by=reporter, url=X_POST)
    media_services.add_post_embed(post, by=reporter, url=YOUTUBE_POST)
    requests = record_requests(page)

    page.goto(f"{live_url}/live/{blog.slug}/")
    x_gate = page.get_by_role("group", name="X content")
    accept = x_gate.get_by_role("button", name="Accept and continue")
    expect(accept).to_be_visible()  # consent.js has run
    page.wait_for_load_state("load")

    assert requests, "the page itself was requested"
    assert [url for url in requests if leaves_this_machine(url)] == []

    with page.expect_request(to_host("platform.twitter.com")) as attempted:
        accept.click()

    assert attempted.value.url == X_FRAME
    expect(x_gate.locator("iframe")).to_have_attribute("src", X_FRAME)
    # Only the embed the reader accepted: YouTube still waits.
    youtube_gate = page.get_by_role("group", name="YouTube content")
    expect(youtube_gate.get_by_role("button", name="Accept and continue")).to_be_visible()
    assert [url for url in requests if leaves_this_machine(url)] == [X_FRAME]


def log_in(page: Page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


def test_remembered_choice_loads_that_providers_embeds_including_one_that_arrives_live(
    live_url, page, browser, blog, reporter
):
    post = services.create_post(blog=blog, by=reporter, headline="Reaction from Bedford")
    media_services.add_post_embed(post, by=reporter, url=X_POST)
    reader_context = browser.new_context(viewport={"width": 390, "height": 844})
    reader_context.set_default_timeout(10_000)
    reader = reader_context.new_page()
    requests = record_requests(reader)
    reader.goto(f"{live_url}/live/{blog.slug}/")
    expect(reader.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")
    gate = reader.get_by_role("group", name="X content")
    gate.get_by_role("checkbox", name="Remember my choice for X").check()
    gate.get_by_role("button", name="Accept and continue").click()
    expect(gate.locator("iframe")).to_have_attribute("src", X_FRAME)

    # A reporter files a new post with another X embed; the open page receives it live.
    log_in(page, live_url, reporter.username)
    page.goto(f"{live_url}/admin/liveblog/post/add/")
    page.fill("#id_headline", "Labour gain Bedford")
    page.fill("#id_embeds-0-url", "https://x.com/BBCBreaking/status/42")
    with reader.expect_request(lambda r: r.url.endswith("?id=42&dnt=true")) as attempted:
        page.locator("input[name=_save]").first.click()
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")
        arrived = reader.locator("article", has_text="Labour gain Bedford")
        expect(arrived.locator("iframe")).to_have_attribute(
            "src", "https://platform.twitter.com/embed/Tweet.html?id=42&dnt=true"
        )

    assert isinstance(attempted.value, Request)
    assert reader.evaluate("localStorage.getItem('liveblog.embed-consent')") == '["x"]'
    # Nothing but X was ever asked for.
    outside = {urlsplit(url).hostname for url in requests if leaves_this_machine(url)}
    assert outside == {"platform.twitter.com"}
    reader_context.close()
