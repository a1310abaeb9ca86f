from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string

from liveblog import selectors
from liveblog.models import LiveBlog, Post
from liveblog.pages import seo
from liveblog.pages.caching import cache_per_seq
from liveblog.pages.embed import oembed_url


def blog_index(request: HttpRequest) -> HttpResponse:
    blogs = LiveBlog.objects.order_by("-updated_at")
    return render(request, "liveblog/index.html", {"blogs": blogs})


def links_to_posts(blog: LiveBlog, posts: list[Post], *, shown: set[int]) -> list[tuple[Post, str]]:
    """Each post with a link to a page that shows it: an anchor on this page (`shown`: the
    posts it shows), else the older-updates page that starts with it (the pinned post is on
    the first page)."""
    links = []
    for post in posts:
        if post.pk in shown:
            href = f"#{post.anchor}"
        elif post.is_pinned:
            href = f"{blog.get_absolute_url()}#{post.anchor}"
        else:
            cursor = selectors.encode_cursor_including(post)
            href = f"{blog.get_absolute_url()}?{urlencode({'before': cursor})}#{post.anchor}"
        links.append((post, href))
    return links


@cache_per_seq(name="page", params=("before",))
def live_page(request: HttpRequest, blog: LiveBlog) -> HttpResponse:
    """The reader page. Reached through cache_per_seq: anonymous readers get it rendered once
    per blog seq and page, or a 304."""
    before = request.GET.get("before") or None
    try:
        page = selectors.list_feed_page(blog, before=before)
    except selectors.InvalidCursor:
        return HttpResponseBadRequest(
            render_to_string(
                "400.html",
                {"message": "That link to older updates is not valid."},
                request=request,
            )
        )
    pinned = page.pinned
    shown = {post.pk for post in page.posts} | ({pinned.pk} if pinned else set())
    context = {
        "blog": blog,
        "pinned": pinned,
        "posts": page.posts,
        "next_cursor": page.next_cursor,
        "is_first_page": before is None,
        "key_events": links_to_posts(blog, selectors.list_key_events(blog), shown=shown),
        "seo": seo.live_page_metadata(
            request, blog, latest=[*([pinned] if pinned else []), *page.posts], before=before
        ),
        "oembed_url": oembed_url(request, request.build_absolute_uri(blog.get_absolute_url())),
    }
    return render(request, "liveblog/live_page.html", context)
