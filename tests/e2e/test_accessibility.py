"""The readers-and-newsroom issue: axe-core finds nothing serious or critical on the reader
page (before and after a live update), a post's permalink, the results scoreboard and a
constituency page. Any such finding fails the test, with axe's own words."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from liveblog import services
from liveblog.media import services as media_services
from results.importers.hoc import import_results_csv
from results.models import ConstituencyResult
from tests.results.conftest import (
    BUCKINGHAM,
    CANDIDATES_2017,
    CONSTITUENCIES_2017,
    MK_SOUTH,
    read_rows,
    write_csv,
)

from .accessibility import serious_violations, serve_axe
from .test_live_updates import file_post, log_in

pytestmark = pytest.mark.e2e

X_POST = "https://twitter.com/BBCLookEast/status/873120139222306817"
SEATS = (MK_SOUTH, BUCKINGHAM)


@pytest.fixture
def axe_page(page: Page) -> Page:
    serve_axe(page)
    return page


@pytest.fixture
def full_blog(blog, editor, reporter):
    """A blog with what a reader page can show: a pinned key event, breaking news, bylines,
    a consent-gated embed, enough posts for a "Show older updates" link."""
    for n in range(21):
        services.create_post(blog=blog, by=reporter, headline=f"Count {n}", body="<p>Boxes.</p>")
    services.create_post(
        blog=blog,
        by=editor,
        headline="Conservatives hold Milton Keynes South",
        body="<p>Iain Stewart (Con) holds Milton Keynes South.</p>",
        is_breaking=True,
        is_key_event=True,
        contributors=[reporter.contributor],
    )
    pinned = services.create_post(blog=blog, by=editor, headline="How to follow the night")
    services.pin_post(pinned, by=editor)
    with_embed = services.create_post(blog=blog, by=reporter, headline="Reaction from Bedford")
    media_services.add_post_embed(with_embed, by=reporter, url=X_POST)
    return blog


def test_reader_page_has_no_serious_accessibility_violations(live_url, axe_page, full_blog):
    axe_page.goto(f"{live_url}/live/{full_blog.slug}/")
    expect(axe_page.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")

    assert serious_violations(axe_page) == []


def test_reader_page_after_a_live_update_has_no_serious_violations(
    live_url, axe_page, context, full_blog, reporter
):
    axe_page.goto(f"{live_url}/live/{full_blog.slug}/")
    expect(axe_page.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")
    axe_page.locator("[data-feed] > article").last.scroll_into_view_if_needed()
    admin = context.new_page()
    log_in(admin, live_url, reporter.username)

    file_post(admin, live_url, headline="Exit poll published", text="Hung parliament.")

    expect(axe_page.locator("[data-new-updates]")).to_have_text("1 new update")
    expect(axe_page.locator("[data-jump-latest]")).to_be_visible()
    assert serious_violations(axe_page) == []


def test_oldest_first_page_has_no_serious_violations(live_url, axe_page, full_blog):
    axe_page.goto(f"{live_url}/live/{full_blog.slug}/?order=oldest")
    expect(axe_page.locator("[data-live-root]")).to_have_attribute("data-order", "oldest")

    assert serious_violations(axe_page) == []


def test_post_permalink_has_no_serious_accessibility_violations(live_url, axe_page, full_blog):
    post = full_blog.posts.get(headline="Count 3")

    axe_page.goto(f"{live_url}/live/{full_blog.slug}/posts/{post.pk}/")
    expect(axe_page.locator(f"#post-{post.pk}")).to_be_focused()

    assert serious_violations(axe_page) == []


@pytest.fixture
def election(transactional_db, tmp_path):
    """Milton Keynes South and Buckingham, official 2017 figures (as tests/results)."""
    header, rows = read_rows(CANDIDATES_2017)
    c_header, c_rows = read_rows(CONSTITUENCIES_2017)
    import_results_csv(
        [
            write_csv(tmp_path / "c.csv", header, [r for r in rows if r[0] in SEATS]),
            write_csv(tmp_path / "s.csv", c_header, [r for r in c_rows if r[0] in SEATS]),
        ],
        election="ge2017",
        name="General election 2017",
        date=date(2017, 6, 8),
        previous="ge2015",
        speaker_party="CON",
    )
    return ConstituencyResult.objects.get(election__slug="ge2017", constituency__ons_id=MK_SOUTH)


def test_scoreboard_has_no_serious_accessibility_violations(live_url, axe_page, election):
    axe_page.goto(f"{live_url}/results/ge2017/")
    expect(axe_page.locator("h1")).to_be_visible()

    assert serious_violations(axe_page) == []


def test_constituency_page_has_no_serious_accessibility_violations(live_url, axe_page, election):
    axe_page.goto(f"{live_url}{election.get_absolute_url()}")
    expect(axe_page.locator("h1")).to_contain_text("Milton Keynes South")

    assert serious_violations(axe_page) == []


def test_partner_embed_has_no_serious_accessibility_violations(live_url, axe_page, full_blog):
    axe_page.goto(f"{live_url}/embed/live/{full_blog.slug}/")
    expect(axe_page.locator("[data-live-root]")).to_have_attribute("data-live-state", "live")
    # The embed has no order links, so a remembered order never moves a partner's frame.
    expect(axe_page.locator("[data-order-choice]")).to_have_count(0)

    assert serious_violations(axe_page) == []


def test_results_embed_has_no_serious_accessibility_violations(live_url, axe_page, election):
    axe_page.goto(f"{live_url}/embed/results/ge2017/")
    expect(axe_page.locator("h1")).to_be_visible()

    assert serious_violations(axe_page) == []
