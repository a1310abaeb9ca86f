"""Issue 14, item 4: one text rule for every text field a user writes (liveblog.text).

NUL is refused; CR LF, CR, VT and FF become LF; other control characters, non-characters
and lone surrogates are removed; tab and LF stay. The rule holds on every path in: model
saves, ModelForms (the admin's), the API's serializers, the services and the sanitiser.
"""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from liveblog import services
from liveblog.models import Contributor, LiveBlog, Post
from liveblog.text import MSG_NUL, clean_text, scrub_text
from tests.liveblog.api.conftest import reporter_api  # noqa: F401

BOUNDED = settings(max_examples=300, deadline=None)
NON_CHARACTERS = [chr(c) for c in range(0xFDD0, 0xFDF0)] + [
    chr(plane * 0x10000 + last) for plane in range(17) for last in (0xFFFE, 0xFFFF)
]
REMOVED = (
    [chr(c) for c in range(1, 0x20) if chr(c) not in "\t\n\r\x0b\x0c"]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + NON_CHARACTERS
    + ["\ud800", "\udfff"]
)


def _allowed(text: str) -> bool:
    return not any(c in REMOVED or c in "\x00\r\x0b\x0c" for c in text)


@pytest.mark.parametrize("char", REMOVED, ids=[f"U+{ord(c):04X}" for c in REMOVED])
def test_control_characters_non_characters_and_surrogates_are_removed(char):
    assert clean_text(f"Exit{char} poll") == "Exit poll"


@pytest.mark.parametrize("breaks", ["\r\n", "\r", "\x0b", "\x0c"])
def test_line_breaks_of_every_kind_become_a_newline(breaks):
    assert clean_text(f"Labour{breaks}hold") == "Labour\nhold"


def test_tab_newline_and_ordinary_unicode_are_kept():
    text = "Ynys Môn\tPlaid Cymru 🗳\nBallot «boxes» — 中文 \u200d \U0001f600 \ufffd"
    assert clean_text(text) == text


def test_nul_is_refused_with_a_message_saying_what_to_do():
    with pytest.raises(ValidationError) as refused:
        clean_text("Exit\x00poll")

    assert refused.value.messages == [MSG_NUL]
    assert refused.value.error_list[0].code == "null_character"


def test_nul_is_refused_next_to_the_named_field():
    with pytest.raises(ValidationError) as refused:
        clean_text("\x00", field="headline")

    assert refused.value.message_dict == {"headline": [MSG_NUL]}


def test_scrub_text_for_output_removes_nul_instead_of_refusing():
    assert scrub_text("a\x00b\x01c\ufffe") == "abc"


@BOUNDED
@given(st.text(alphabet=st.characters(codec=None, exclude_characters="\x00")))
def test_cleaned_text_has_only_allowed_characters_and_cleaning_again_changes_nothing(text):
    cleaned = clean_text(text)

    assert _allowed(cleaned)
    assert clean_text(cleaned) == cleaned


@BOUNDED
@given(st.text(alphabet=st.characters(codec=None)))
def test_scrubbed_text_is_what_xml_1_0_can_carry(text):
    scrubbed = scrub_text(text)

    assert "\x00" not in scrubbed and _allowed(scrubbed)
    assert all(
        c in "\t\n" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or ord(c) > 0xFFFF
        for c in scrubbed
    )


@BOUNDED
@given(st.text(min_size=1).map(lambda t: t[: len(t) // 2] + "\x00" + t[len(t) // 2 :]))
def test_any_text_with_nul_is_refused(text):
    with pytest.raises(ValidationError):
        clean_text(text)


# Every path in ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_model_save_cleans_every_text_field_of_the_rule(blog):
    contributor = Contributor.objects.create(name="Alex\x01 Pope\r\n", role="BBC\ufffe Live")

    contributor.refresh_from_db()
    assert (contributor.name, contributor.role) == ("Alex Pope\n", "BBC Live")


@pytest.mark.django_db
def test_model_save_refuses_nul_and_writes_nothing(blog):
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        Contributor.objects.create(name="Alex\x00Pope")

    assert refused.value.message_dict == {"name": [MSG_NUL]}
    assert not Contributor.objects.exists()


@pytest.mark.django_db
def test_queryset_update_cleans_too(blog):
    LiveBlog.objects.filter(pk=blog.pk).update(title="Election\x1b night")

    blog.refresh_from_db()
    assert blog.title == "Election night"


def test_model_forms_clean_what_is_submitted_and_refuse_nul():
    # The admin builds its forms from the model fields, so it gets the rule this way.
    form_class = forms.modelform_factory(Contributor, fields=["name", "role"])

    cleaned = form_class(data={"name": "Katy\x07 Lewis", "role": "BBC\x85"})
    refused = form_class(data={"name": "Katy\x00Lewis", "role": ""})

    assert cleaned.is_valid(), cleaned.errors
    assert cleaned.cleaned_data == {"name": "Katy Lewis", "role": "BBC"}
    assert not refused.is_valid()
    assert refused.errors["name"] == [MSG_NUL]


@pytest.mark.django_db
def test_services_clean_a_headline_before_deciding_the_post_is_empty(blog, reporter):
    with pytest.raises(ValidationError) as refused:
        services.create_post(blog=blog, by=reporter, headline="\x01\x02\ufffe")

    assert refused.value.code == "empty_post"
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_services_clean_headline_and_body(blog, reporter):
    post = services.create_post(
        blog=blog, by=reporter, headline="Count\x08 done", body="<p>Turnout\x1f 68%&#1;</p>"
    )

    post.refresh_from_db()
    assert (post.headline, post.body) == ("Count done", "<p>Turnout 68%</p>")


@pytest.mark.django_db
def test_api_cleans_text_fields(reporter_api, blog):  # noqa: F811
    # Raw JSON: its \u escapes can carry what no UTF-8 encoder would (a lone surrogate).
    body = r'{"headline": "Exit\u000b poll\ud800", "body": "<p>Con\u0001 largest</p>"}'
    response = reporter_api.post(
        "/api/v1/blogs/ge2017/posts/create/", body, content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["headline"] == "Exit\n poll"
    assert response.json()["body"] == "<p>Con largest</p>"


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["headline", "body"])
def test_api_refuses_nul_in_a_text_field_and_writes_nothing(reporter_api, blog, field):  # noqa: F811
    response = reporter_api.post(
        "/api/v1/blogs/ge2017/posts/create/",
        {"headline": "Exit poll", field: "Exit\u0000poll"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {field: [MSG_NUL]}
    assert not Post.objects.exists()
