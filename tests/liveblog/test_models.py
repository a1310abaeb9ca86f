from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from liveblog.models import LiveBlog, Post, validate_time_zone
from tests.factories import LiveBlogFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_second_pinned_post_on_a_blog_is_refused_by_the_database(blog):
    PostFactory(blog=blog, is_pinned=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        PostFactory(blog=blog, is_pinned=True)

    assert Post.objects.filter(blog=blog, is_pinned=True).count() == 1


def test_pinned_posts_on_different_blogs_are_allowed(blog):
    PostFactory(blog=blog, is_pinned=True)
    PostFactory(blog=LiveBlogFactory(), is_pinned=True)

    assert Post.objects.filter(is_pinned=True).count() == 2


def test_blog_with_iana_time_zone_passes_validation_and_converts_times():
    blog = LiveBlog(title="Results", slug="results", time_zone="America/New_York")

    blog.full_clean()

    assert blog.localtime(datetime(2017, 6, 9, 12, 0, tzinfo=UTC)).hour == 8


def test_unknown_time_zone_is_rejected_with_a_code_and_a_hint():
    with pytest.raises(ValidationError) as excinfo:
        validate_time_zone("London")

    assert excinfo.value.code == "invalid_time_zone"
    assert "Europe/London" in excinfo.value.messages[0]


def test_blog_with_unknown_time_zone_fails_full_clean():
    blog = LiveBlog(title="Results", slug="results", time_zone="Mars/Olympus")

    with pytest.raises(ValidationError) as excinfo:
        blog.full_clean()

    assert "time_zone" in excinfo.value.message_dict
