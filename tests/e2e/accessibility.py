"""axe-core in the browser tests: the npm package's own file (package.json pins it; make
test runs npm ci), served to the page under test from its own origin, so the page's Content
Security Policy lets it run as it is."""

from pathlib import Path

from playwright.sync_api import Page, Route

REPO = Path(__file__).resolve().parents[2]
AXE_FILE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# A path no view answers: the browser's request for it is fulfilled from AXE_FILE.
AXE_PATH = "/__axe__/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def _axe_source() -> bytes:
    if not AXE_FILE.exists():
        raise AssertionError(f"{AXE_FILE} is missing: run npm ci (make js-install)")
    return AXE_FILE.read_bytes()


def serve_axe(page: Page) -> None:
    """Answer the page's requests for AXE_PATH with the axe-core file."""
    source = _axe_source()

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body=source)

    page.route(f"**{AXE_PATH}", fulfil)


def serious_violations(page: Page) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line each (rule,
    impact, the elements it found), for a readable assertion."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(url=AXE_PATH)
    found = page.evaluate(
        """async (impacts) => {
            const results = await window.axe.run(document, { resultTypes: ["violations"] });
            return results.violations
                .filter((v) => impacts.includes(v.impact))
                .map((v) => `${v.id} (${v.impact}): ${v.help} at `
                    + v.nodes.map((n) => n.target.join(" ")).join(", "));
        }""",
        list(FAILING_IMPACTS),
    )
    return found
