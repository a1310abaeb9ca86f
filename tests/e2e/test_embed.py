"""Partner embeds in a browser: a partner's page (served here as https://news.example)
pastes the oEmbed code; the frame fits its content and grows as live posts arrive. A site
that is not a partner cannot frame the embed at all."""

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from liveblog import services
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_consent import leaves_this_machine

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser():
    # The partner's page is "public" (https://news.example) and our server is on loopback:
    # Chromium's local network access checks would refuse the frame before our own headers
    # are even read. Off here, so the policy under test is ours.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
        )
        yield browser
        browser.close()


PARTNER = "https://news.example"
STRANGER = "https://evil.example"


def partner_page(page: Page, live_url: str, origin: str) -> None:
    """Serve `origin`/politics/ as a page with the embed code, and nothing else off this
    machine."""
    code = page.request.get(f"{live_url}/oembed", params={"url": f"{live_url}/live/ge2017/"})
    assert code.ok
    html = (
        "<!doctype html><html><head><title>Partner</title></head><body>"
        "<h1>Our politics page</h1>" + code.json()["html"] + "<p>After the embed</p></body></html>"
    )
    page.route(
        lambda url: url.startswith(origin + "/"),
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.route(
        lambda url: leaves_this_machine(url) and not url.startswith(origin + "/"),
        lambda route: route.abort(),
    )


FRAME = "iframe[data-liveblog-embed]"


def frame_height(page: Page) -> int:
    return page.locator(FRAME).evaluate("f => Math.round(f.getBoundingClientRect().height)")


def wait_until_the_frame_fits(page: Page) -> int:
    """Wait until the frame is as tall as the embed's content; its height. The content may
    still move (a post arriving), so the content's height is read again on each try."""
    child = page.locator(FRAME).element_handle().content_frame()
    for _ in range(5):
        wanted = child.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
        try:
            page.wait_for_function(
                "([selector, wanted]) => Math.round(document.querySelector(selector)"
                ".getBoundingClientRect().height) === wanted",
                arg=[FRAME, wanted],
                timeout=2_000,
            )
            return wanted
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the frame is {frame_height(page)} px, its content {wanted} px")


def test_the_partners_frame_fits_the_embed_and_grows_with_live_posts(
    live_url, page, blog, editor, reporter
):
    services.update_blog(blog, by=editor, embed_origins=[PARTNER])
    services.create_post(blog=blog, by=reporter, headline="Counting under way in Luton")
    partner_page(page, live_url, PARTNER)

    page.goto(f"{PARTNER}/politics/")
    frame = page.locator("iframe[data-liveblog-embed]")
    embed = page.frame_locator("iframe[data-liveblog-embed]")
    expect(embed.get_by_text("Counting under way in Luton")).to_be_visible()
    expect(embed.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")
    expect(embed.locator("html")).to_have_attribute("data-embed-parent", PARTNER)
    expect(frame).to_have_attribute("style", re.compile(r"height: \d+px"))
    first = wait_until_the_frame_fits(page)

    services.create_post(
        blog=blog,
        by=reporter,
        headline="Turnout is high in Bedford",
        body="<p>" + "Queues at every polling station. " * 40 + "</p>",
    )

    expect(embed.get_by_text("Turnout is high in Bedford")).to_be_visible()
    assert wait_until_the_frame_fits(page) > first


def test_a_site_that_is_not_a_partner_cannot_frame_the_embed(live_url, page, blog, editor):
    services.update_blog(blog, by=editor, embed_origins=[PARTNER])
    partner_page(page, live_url, STRANGER)

    with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refused:
        page.goto(f"{STRANGER}/politics/")

    assert "The request has been blocked" in refused.value.text
    # The snippet never heard from the frame: the height is still the one it came with.
    style = page.locator("iframe[data-liveblog-embed]").get_attribute("style")
    assert "height" not in style
