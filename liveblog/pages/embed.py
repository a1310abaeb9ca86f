"""Partner embeds: the live blog without the site's chrome, for a frame on a partner's page,
and the oEmbed answer that hands partners the code to paste.

The embed page (/embed/live/<slug>/) shows what the reader page's first page shows, with the
same live updates and consent gates, and may be framed by the sites the blog lists (its
frame-ancestors, liveblog.pages.framing). liveblog/static/liveblog/js/embed.js tells the
framing page how tall the embed is, only if that page is one of those sites; the snippet
(`embed_code`) resizes the frame, only for messages from our own origin.

Other apps' embeddable pages (results) come through liveblog.extensions.embeddable_pages.
"""

from functools import cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html

from liveblog import selectors
from liveblog.extensions import EmbedTarget, embeddable_pages
from liveblog.models import LiveBlog
from liveblog.pages.caching import cache_per_seq, public_cache_control

# The frame's height before the embed reports its own (and with JS off in the frame).
DEFAULT_HEIGHT = 600
MAX_URL_LENGTH = 2000
MAX_WIDTH = 1200
HOST_SCRIPT = "static/liveblog/js/embed-host.js"
MSG_NO_URL = "Give the address of the page to embed as ?url=."


def own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@cache
def host_script() -> str:
    """The partner page's half (static/liveblog/js/embed-host.js), pasted inline: without
    its comments, which are for us."""
    source = (Path(__file__).resolve().parent.parent / HOST_SCRIPT).read_text()
    return "".join(
        line for line in source.splitlines(keepends=True) if not line.lstrip().startswith("//")
    )


def embed_code(request: HttpRequest, target: EmbedTarget) -> str:
    """The HTML a partner pastes: the frame, then the script that fits it to its content."""
    frame = format_html(
        '<iframe src="{}" title="{}" data-liveblog-embed loading="lazy" height="{}" '
        'style="display:block;width:100%;border:0"></iframe>',
        own_origin(request) + target.embed_path,
        target.title,
        target.height,
    )
    return f"{frame}\n<script>\n{host_script()}</script>"


def embed_live_target(blog: LiveBlog) -> EmbedTarget:
    return EmbedTarget(
        title=blog.title,
        embed_path=reverse("liveblog:embed_live", kwargs={"slug": blog.slug}),
        height=DEFAULT_HEIGHT,
    )


def find_live_target(slug: str) -> EmbedTarget | None:
    """For embeddable_pages: the reader page and the embed page of a blog."""
    blog = LiveBlog.objects.filter(slug=slug).first()
    return embed_live_target(blog) if blog is not None else None


def oembed_url(request: HttpRequest, page_url: str) -> str:
    query = urlencode({"url": page_url, "format": "json"})
    return f"{own_origin(request)}{reverse('liveblog:oembed')}?{query}"


@cache_per_seq(name="embed", framed_by=lambda blog: blog.embed_origins)
def embed_live_page(request: HttpRequest, blog: LiveBlog) -> HttpResponse:
    """The live blog for a partner's frame. Reached through cache_per_seq, as the reader
    page is, with the blog's partner sites in every answer's frame-ancestors."""
    page = selectors.list_feed_page(blog)
    context = {
        "blog": blog,
        "blog_url": request.build_absolute_uri(blog.get_absolute_url()),
        "pinned": page.pinned,
        "posts": page.posts,
        "is_first_page": True,
        "is_live": True,
        "order": "newest",
        "embed": True,
        "embed_origins": blog.embed_origins,
    }
    return render(request, "liveblog/embed_live.html", context)


def _find_target(request: HttpRequest, url: str) -> EmbedTarget | None:
    """The embed of `url`, a page of this site that can be embedded; else None."""
    if len(url) > MAX_URL_LENGTH:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.get_host():
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    return embeddable_pages.find(match.view_name, match.kwargs)


def _bounded(value: str | None, default: int, *, limit: int) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return max(1, min(number, default, limit))


def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed (https://oembed.com) for our embeddable pages: `type: rich`, the embed code as
    `html`. 404 for a URL that is not one of them, 501 for any format but JSON."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only format=json is offered.", status=501, content_type="text/plain")
    url = request.GET.get("url", "")
    if not url:
        return HttpResponseBadRequest(MSG_NO_URL, content_type="text/plain")
    target = _find_target(request, url)
    if target is None:
        raise Http404("That address is not a page of ours that can be embedded.")
    width = _bounded(request.GET.get("maxwidth"), MAX_WIDTH, limit=MAX_WIDTH)
    height = _bounded(request.GET.get("maxheight"), target.height, limit=target.height)
    sized = EmbedTarget(title=target.title, embed_path=target.embed_path, height=height)
    response = JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": target.title,
            "provider_name": settings.SITE_NAME,
            "provider_url": own_origin(request) + "/",
            "html": embed_code(request, sized),
            "width": width,
            "height": height,
        }
    )
    response["Cache-Control"] = public_cache_control()
    return response
