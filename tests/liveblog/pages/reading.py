"""What the reader-page tests share: reading a page, many posts at once."""

import re
from datetime import UTC, datetime, timedelta

from liveblog.models import Post
from tests.factories import PostFactory

NIGHT = datetime(2017, 6, 9, 1, 0, tzinfo=UTC)


def post_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-post-id="(\d+)"', html)]


def get_page(client, url: str, data: dict | None = None) -> str:
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def many_posts(blog, count: int) -> list[Post]:
    """`count` posts, two at each minute (ties broken by id), oldest first."""
    return [
        PostFactory(blog=blog, published_at=NIGHT + timedelta(minutes=n // 2)) for n in range(count)
    ]
