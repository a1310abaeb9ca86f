"""Filing from a phone: at 390 px the post form's inlines (pictures, embeds) are stacked, so
every field, the picture's required alt text included, is on screen with its label, and a
reporter can add a picture and an embed and save."""

import pytest
from playwright.sync_api import Page, expect

from liveblog.models import Post
from tests.e2e.test_live_updates import log_in
from tests.liveblog.media.media_files import jpeg

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PART_FIELDS = [
    "#id_images-0-upload",
    "#id_images-0-alt_text",
    "#id_images-0-caption",
    "#id_images-0-credit",
    "#id_images-0-order",
    "#id_embeds-0-url",
    "#id_embeds-0-order",
]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def inside_the_viewport(page: Page, selector: str) -> bool:
    locator = page.locator(selector)
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None, selector
    return box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_at_390px_every_field_of_a_picture_and_an_embed_is_on_screen(
    live_url, phone, blog, reporter
):
    log_in(phone, live_url, "reporter1")
    phone.goto(f"{live_url}/admin/liveblog/post/add/")

    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for selector in PART_FIELDS:
        assert inside_the_viewport(phone, selector), selector
    expect(phone.locator("#images-0").get_by_label("Alt text")).to_be_visible()
    expect(phone.locator("#embeds-0").get_by_label("Link to the post")).to_be_visible()


def test_a_reporter_on_a_phone_adds_a_picture_and_an_embed(
    live_url, phone, blog, reporter, tmp_path
):
    picture = tmp_path / "count.jpg"
    picture.write_bytes(jpeg())
    log_in(phone, live_url, "reporter1")
    phone.goto(f"{live_url}/admin/liveblog/post/add/")

    phone.fill("#id_headline", "Counting in Luton")
    phone.set_input_files("#id_images-0-upload", str(picture))
    picture_row, embed_row = phone.locator("#images-0"), phone.locator("#embeds-0")
    picture_row.get_by_label("Alt text").fill("Ballot boxes on a table")
    picture_row.get_by_label("Caption").fill("The count at Luton")
    embed_row.get_by_label("Link to the post").fill("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    phone.locator("input[name=_save]").first.click()

    expect(phone.locator(".messagelist")).to_contain_text("was added successfully")
    post = Post.objects.get(headline="Counting in Luton")
    assert [i.alt_text for i in post.images.all()] == ["Ballot boxes on a table"]
    assert [e.provider for e in post.embeds.all()] == ["youtube"]


def test_on_a_wide_screen_the_inlines_stay_a_table(live_url, page, blog, reporter):
    log_in(page, live_url, "reporter1")
    page.goto(f"{live_url}/admin/liveblog/post/add/")

    header = page.locator("#images-group thead")
    expect(header).to_be_visible()
    expect(header).to_contain_text("Alt text")
    alt, caption = (page.locator(s).bounding_box() for s in PART_FIELDS[1:3])
    assert alt["y"] == caption["y"], "the picture's fields side by side, in one row"
