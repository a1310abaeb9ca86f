from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from . import selectors
from .models import LiveBlog


def blog_index(request: HttpRequest) -> HttpResponse:
    blogs = LiveBlog.objects.order_by("-updated_at")
    return render(request, "liveblog/index.html", {"blogs": blogs})


def live_page(request: HttpRequest, slug: str) -> HttpResponse:
    blog = get_object_or_404(LiveBlog, slug=slug)
    try:
        page = selectors.list_feed_page(blog, before=request.GET.get("before") or None)
    except selectors.InvalidCursor:
        return HttpResponseBadRequest(
            render_to_string(
                "400.html",
                {"message": "That link to older updates is not valid."},
                request=request,
            )
        )
    context = {
        "blog": blog,
        "pinned": None if "before" in request.GET else selectors.get_pinned_post(blog),
        "posts": page.posts,
        "next_cursor": page.next_cursor,
        "is_first_page": "before" not in request.GET,
        "key_events": selectors.list_key_events(blog),
    }
    return render(request, "liveblog/live_page.html", context)
