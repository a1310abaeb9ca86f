"""What search engines and link previews read in the reader page's head: canonical URL,
Open Graph and Twitter card tags, and LiveBlogPosting structured data (schema.org)."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from liveblog.models import LiveBlog, Post

# How many of the latest posts go into liveBlogUpdate.
LATEST_UPDATES = 10

# As django.utils.html.json_script: inside <script> these three would let text end the
# element or start markup; JSON lets them be written as escapes, which parsers read back.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class PageMetadata:
    canonical_url: str
    site_name: str
    title: str
    description: str
    image_url: str
    json_ld: SafeString


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """`data` as a JSON-LD <script> element that no string inside it can break out of."""
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def _iso(value: datetime, blog: LiveBlog) -> str:
    """ISO 8601 in the blog's zone, whole seconds, as readers see times on the page."""
    return blog.localtime(value).isoformat(timespec="seconds")


def post_headline(post: Post) -> str:
    return post.headline or Truncator(post.body_text).words(12) or f"Update {post.pk}"


def _authors(post: Post) -> list[dict[str, str]]:
    # contributors are prefetched by with_bylines: no query here.
    people = [{"@type": "Person", "name": c.name} for c in post.contributors.all()]
    return people or [{"@type": "Organization", "name": settings.SITE_NAME}]


def _first_image_url(request: HttpRequest, posts: list[Post]) -> str:
    for post in posts:
        for image in post.images.all():  # prefetched
            if image.fallback_url:
                return request.build_absolute_uri(image.fallback_url)
    return ""


def post_description(post: Post) -> str:
    return Truncator(post.body_text).words(40) or post_headline(post)


def live_page_metadata(
    request: HttpRequest,
    blog: LiveBlog,
    *,
    latest: list[Post],
    query: str = "",
    post: Post | None = None,
) -> PageMetadata:
    """Head metadata for the reader page from what the page already loaded (no queries).

    `latest` are the posts shown; `query` the query string of a page other than the first
    (another order, a cursor), which is its own canonical page; `post` the post of a
    permalink, whose page is canonical at the permalink and is titled and described by the
    post. The structured data always describes the whole blog.
    """
    path = blog.get_absolute_url()
    url = request.build_absolute_uri(path)
    description = blog.description or f"Live coverage: {blog.title}"
    updates = sorted(
        (p for p in latest if p.published_at), key=lambda p: (p.published_at, p.pk), reverse=True
    )[:LATEST_UPDATES]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": url,
        "url": url,
        "headline": blog.title,
        "description": description,
        "coverageStartTime": _iso(blog.created_at, blog),
        "dateModified": _iso(max([blog.updated_at, *(p.updated_at for p in updates)]), blog),
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "@id": f"{url}#{post.anchor}",
                "url": f"{url}#{post.anchor}",
                "headline": post_headline(post),
                "datePublished": _iso(post.published_at, blog),  # type: ignore[arg-type]  # all published
                "dateModified": _iso(post.updated_at, blog),
                "author": _authors(post),
                "articleBody": post.body_text,
            }
            for post in updates
        ],
    }
    if blog.status == LiveBlog.Status.ENDED:
        data["coverageEndTime"] = _iso(blog.updated_at, blog)
    image_url = _first_image_url(request, updates)
    if image_url:
        data["image"] = image_url
    if post is not None:
        return PageMetadata(
            canonical_url=request.build_absolute_uri(post.get_absolute_url()),
            site_name=settings.SITE_NAME,
            title=post_headline(post),
            description=post_description(post),
            image_url=_first_image_url(request, [post]) or image_url,
            json_ld=json_ld_script(data),
        )
    return PageMetadata(
        canonical_url=url + query,
        site_name=settings.SITE_NAME,
        title=blog.title,
        description=description,
        image_url=image_url,
        json_ld=json_ld_script(data),
    )
