from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string

from liveblog import selectors
from liveblog.cursors import MAX_ID
from liveblog.models import LiveBlog, Post
from liveblog.pages import seo
from liveblog.pages.caching import cache_per_seq
from liveblog.pages.embed import oembed_url
from liveblog.selectors import FeedOrder

# The query parameters the reader page reads. `order` is "oldest" or absent: any other value
# is the default order, for the view and for the page store alike.
PAGE_PARAMS = ("order", "before", "after")
ORDER_CHOICES = {"order": (FeedOrder.OLDEST.value,)}


def blog_index(request: HttpRequest) -> HttpResponse:
    blogs = LiveBlog.objects.order_by("-updated_at")
    return render(request, "liveblog/index.html", {"blogs": blogs})


def read_order(request: HttpRequest) -> FeedOrder:
    return FeedOrder.OLDEST if request.GET.get("order") == FeedOrder.OLDEST else FeedOrder.NEWEST


def _order_query(order: FeedOrder, **params: str) -> str:
    """A query string in `order` (the default order is no parameter), with `params`."""
    query = {"order": order.value} if order is FeedOrder.OLDEST else {}
    query.update(params)
    return f"?{urlencode(query)}" if query else ""


def _key_event_links(
    key_events: list[Post], *, shown: set[int], order: FeedOrder
) -> list[tuple[Post, str]]:
    """Each key event with a link to a page that shows it: an anchor on this page, else its
    permalink (the page that starts with it) in the reader's order."""
    return [
        (
            event,
            f"#{event.anchor}"
            if event.pk in shown
            else f"{event.get_absolute_url()}{_order_query(order)}#{event.anchor}",
        )
        for event in key_events
    ]


def _bad_link(request: HttpRequest, order: FeedOrder) -> HttpResponseBadRequest:
    which = "older" if order is FeedOrder.NEWEST else "newer"
    return HttpResponseBadRequest(
        render_to_string(
            "400.html", {"message": f"That link to {which} updates is not valid."}, request=request
        )
    )


@cache_per_seq(name="page", params=PAGE_PARAMS, choices=ORDER_CHOICES)
def live_page(request: HttpRequest, blog: LiveBlog) -> HttpResponse:
    """The reader page, newest first (`?before=` pages go back in time) or oldest first
    (`?order=oldest`, `&after=` pages go forward). Reached through cache_per_seq: anonymous
    readers get it rendered once per blog seq and page, or a 304."""
    order = read_order(request)
    other = "after" if order is FeedOrder.NEWEST else "before"
    if request.GET.get(other):
        return _bad_link(request, order)  # a cursor of the other order: no copy for it either
    return _render_page(
        request, blog, order=order, cursor=request.GET.get(order.cursor_param) or None
    )


@cache_per_seq(name="post", params=("order",), choices=ORDER_CHOICES)
def post_permalink(request: HttpRequest, blog: LiveBlog, pk: int) -> HttpResponse:
    """A post's own address: the reader page from that post on in the reader's order (the
    pinned post: the first page, where it is shown), its title and text in the head. 404
    for a post readers cannot see."""
    try:
        if pk >= MAX_ID:  # past BigAutoField's range: no post has it
            raise Post.DoesNotExist
        post = selectors.get_visible_post(blog, pk)
    except Post.DoesNotExist as exc:
        raise Http404("No such update.") from exc
    order = read_order(request)
    cursor = None if post.is_pinned else selectors.encode_cursor_including(post, order=order)
    return _render_page(request, blog, order=order, cursor=cursor, focus=post)


def _render_page(
    request: HttpRequest,
    blog: LiveBlog,
    *,
    order: FeedOrder,
    cursor: str | None,
    focus: Post | None = None,
) -> HttpResponse:
    try:
        page = selectors.list_feed_page(blog, cursor=cursor, order=order)
    except selectors.InvalidCursor:
        return _bad_link(request, order)
    pinned = page.pinned
    shown_posts = [*([pinned] if pinned else []), *page.posts]
    shown = {post.pk for post in shown_posts}
    if focus is not None:
        # The page's own copy, which carries the page's prefetches (it always holds it).
        focus = next((post for post in shown_posts if post.pk == focus.pk), focus)
    start_url = blog.get_absolute_url()
    more_url = None
    if page.next_cursor:
        more_url = start_url + _order_query(order, **{order.cursor_param: page.next_cursor})
    context = {
        "blog": blog,
        "order": order.value,
        "pinned": pinned,
        "posts": page.posts,
        "focus": focus,
        "is_first_page": cursor is None,
        # The page that holds the end where new posts arrive follows them live.
        "is_live": cursor is None if order is FeedOrder.NEWEST else more_url is None,
        "start_url": start_url + _order_query(order),
        "more_url": more_url,
        "order_urls": {o.value: request.path + _order_query(o) for o in FeedOrder},
        "key_events": _key_event_links(selectors.list_key_events(blog), shown=shown, order=order),
        "seo": seo.live_page_metadata(
            request,
            blog,
            latest=shown_posts,
            query=_order_query(order, **({order.cursor_param: cursor} if cursor else {})),
            post=focus,
        ),
        "oembed_url": oembed_url(request, request.build_absolute_uri(blog.get_absolute_url())),
    }
    return render(request, "liveblog/live_page.html", context)
