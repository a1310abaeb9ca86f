"""Issue 14 item 10: with the Content-Security-Policy on, the reader page (live WebSocket,
consent-gated embed), the admin post form (prose editor) and the API docs work, and the
browser reports no violation."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from liveblog import services
from liveblog.media import services as media_services

from .test_live_updates import log_in

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
X_POST = "https://twitter.com/BBCLookEast/status/873120139222306817"

# Runs before any page script: collects every violation the browser reports.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const what = `${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`;
  window.__cspViolations.push(`${what} (${e.sourceFile}:${e.lineNumber})`);
});
"""


class Violations:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console.append(message.text)

    def all(self) -> list[str]:
        reported = self.page.evaluate("window.__cspViolations || []")
        return [*reported, *self.console]


@pytest.fixture
def watched(context: BrowserContext) -> tuple[Page, Violations]:
    context.add_init_script(LISTEN)
    # No network here: requests leaving the machine are aborted (after CSP allowed them).
    context.route(
        lambda url: urlsplit(url).hostname not in LOOPBACK and not url.startswith("data:"),
        lambda route: route.abort(),
    )
    page = context.new_page()
    return page, Violations(page)


def test_the_reader_page_goes_live_and_loads_an_embed_without_a_violation(
    live_url, watched, blog, reporter
):
    page, violations = watched
    post = services.create_post(blog=blog, by=reporter, headline="Reaction from Bedford")
    media_services.add_post_embed(post, by=reporter, url=X_POST)

    page.goto(f"{live_url}/live/{blog.slug}/")
    expect(page.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")
    gate = page.get_by_role("group", name="X content")
    gate.get_by_role("button", name="Accept and continue").click()
    expect(gate.locator("iframe")).to_have_count(1)

    assert violations.all() == [], violations.all()


def test_the_admin_post_form_and_its_editor_work_without_a_violation(
    live_url, watched, blog, reporter
):
    page, violations = watched
    log_in(page, live_url, reporter.username)

    page.goto(f"{live_url}/admin/liveblog/post/add/")
    editor = page.locator(".ProseMirror").first
    editor.click()
    page.keyboard.type("Typed under the policy.")
    expect(editor).to_contain_text("Typed under the policy.")

    assert violations.all() == [], violations.all()


def test_the_api_docs_render_without_a_violation(live_url, watched):
    page, violations = watched

    page.goto(f"{live_url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Live blog API")

    assert violations.all() == [], violations.all()
