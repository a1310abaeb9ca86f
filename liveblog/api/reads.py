"""Public reads: blogs, a blog's posts (pages or changes after a seq), one post, key events.

Anonymous responses carry the blog's validators (liveblog.pages.caching): a conditional request
is answered 304 after the one query that reads the blog. Signed-in users may also see their
drafts, so their responses are private and never cached.
"""

from collections.abc import Callable

from django.http import Http404, HttpResponseBase
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liveblog import selectors
from liveblog.api.serializers import BlogSerializer, KeyEventSerializer, PostSerializer
from liveblog.models import LiveBlog, Post
from liveblog.pages import caching

VARY = ("Cookie", "Authorization")
# How far behind `after_seq` may be before the client is told to list the posts again.
MAX_CHANGES = 500

MSG_CURSOR = "This cursor is not valid; use the `next` link of a previous page."
MSG_AFTER_SEQ_AND_CURSOR = "Use either `after_seq` or `cursor`, not both."
MSG_TOO_FAR_BEHIND = (
    "Too many changes since this seq (or it is ahead of the blog); list the posts again "
    "without `after_seq` and continue from the `last_seq` of that answer."
)

NOT_MODIFIED = OpenApiResponse(description="Not modified: the `If-None-Match` ETag is current.")
NOT_FOUND = OpenApiResponse(description="No such blog or post.")


def get_blog_or_404(slug: str) -> LiveBlog:
    try:
        return selectors.get_blog_for_readers(slug)
    except LiveBlog.DoesNotExist as exc:
        raise Http404("No such live blog.") from exc


def respond_with_validators(
    request: Request, blog: LiveBlog, build: Callable[[], Response]
) -> HttpResponseBase:
    """`build()`'s response with HTTP caching by the blog's seq: anonymous readers get
    validators, a 304 when theirs are current, and public caching; signed-in users get a
    private, uncached response."""
    if request.user.is_authenticated:
        return caching.patch_private(build(), vary=VARY)
    validators = caching.blog_validators(blog)
    not_modified = caching.conditional_response(request, validators, vary=VARY)
    if not_modified is not None:
        return not_modified
    response = build()
    if response.status_code != 200:
        return caching.patch_private(response, vary=VARY)
    return caching.patch_public(response, validators, vary=VARY)


class BlogListApi(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        results = BlogSerializer(many=True)

        class Meta:
            ref_name = "BlogList"

    @extend_schema(
        operation_id="blogs_list",
        responses={200: OutputSerializer, 304: NOT_MODIFIED},
        summary="All live blogs, newest first",
    )
    def get(self, request: Request) -> HttpResponseBase:
        # One aggregate query decides 304 before the list is read.
        validators = caching.blog_list_validators(selectors.get_blog_list_state())
        not_modified = caching.conditional_response(request, validators, vary=VARY)
        if not_modified is not None:
            return not_modified
        data = self.OutputSerializer(
            {"results": selectors.list_blogs_for_sitemap()}, context={"request": request}
        ).data
        return caching.patch_public(Response(data), validators, vary=VARY)


class BlogDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="blogs_retrieve",
        responses={200: BlogSerializer, 304: NOT_MODIFIED, 404: NOT_FOUND},
        summary="One live blog",
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        blog = get_blog_or_404(slug)
        return respond_with_validators(
            request,
            blog,
            lambda: Response(BlogSerializer(blog, context={"request": request}).data),
        )


class PostListApi(APIView):
    """A blog's published posts, newest first, a page at a time; or, with `after_seq`, the
    changes since that seq in the live event log (the same seq readers' pages carry)."""

    permission_classes = [AllowAny]

    class FilterSerializer(serializers.Serializer):
        cursor = serializers.CharField(
            required=False,
            allow_blank=True,
            help_text="From the `next` link of the previous page; empty or left out for the "
            "first page.",
        )
        limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)
        after_seq = serializers.IntegerField(
            required=False,
            min_value=0,
            help_text="Return only the posts changed after this seq, and the ids of posts "
            "removed since (deleted or unpublished).",
        )

        class Meta:
            ref_name = "PostListFilter"

        def validate(self, attrs: dict) -> dict:
            if "after_seq" in attrs and attrs.get("cursor"):
                raise serializers.ValidationError(MSG_AFTER_SEQ_AND_CURSOR)
            return attrs

    class OutputSerializer(serializers.Serializer):
        last_seq = serializers.IntegerField(
            help_text="The blog's seq these results are at least as new as; pass it as "
            "`after_seq` next time."
        )
        results = PostSerializer(many=True)
        next = serializers.URLField(allow_null=True, help_text="The next (older) page.")
        deleted = serializers.ListField(
            child=serializers.IntegerField(),
            help_text="With `after_seq`: ids of posts readers should no longer see.",
        )

        class Meta:
            ref_name = "PostList"

    @extend_schema(
        operation_id="blogs_posts_list",
        parameters=[FilterSerializer],
        responses={
            200: OutputSerializer,
            304: NOT_MODIFIED,
            400: OpenApiResponse(description="Bad cursor, limit or after_seq."),
            404: NOT_FOUND,
            410: OpenApiResponse(description="`after_seq` is too far behind: list again."),
        },
        summary="A blog's published posts, or what changed after a seq",
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        args = filters.validated_data
        blog = get_blog_or_404(slug)
        if "after_seq" in args:
            return respond_with_validators(
                request, blog, lambda: self._changes(request, blog, args["after_seq"])
            )
        try:
            # Decode before the conditional check: a bad cursor is a 400, never a 304.
            if args.get("cursor"):
                selectors.decode_cursor(args["cursor"])
        except selectors.InvalidCursor as exc:
            raise serializers.ValidationError({"cursor": [MSG_CURSOR]}) from exc
        return respond_with_validators(request, blog, lambda: self._page(request, blog, args))

    def _page(self, request: Request, blog: LiveBlog, args: dict) -> Response:
        page = selectors.list_posts_page(blog, cursor=args.get("cursor"), limit=args["limit"])
        next_url = None
        if page.next_cursor:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        data = {"last_seq": blog.last_seq, "results": page.posts, "next": next_url, "deleted": []}
        return Response(self.OutputSerializer(data, context={"request": request}).data)

    def _changes(self, request: Request, blog: LiveBlog, after: int) -> Response:
        changes = selectors.list_changes_after(blog, after=after, limit=MAX_CHANGES)
        if changes is None:
            body = {
                "detail": MSG_TOO_FAR_BEHIND,
                "code": "too_far_behind",
                "last_seq": blog.last_seq,
            }
            return Response(body, status=410)
        data = {
            "last_seq": changes.last_seq,
            "results": changes.posts,
            "next": None,
            "deleted": changes.deleted,
        }
        return Response(self.OutputSerializer(data, context={"request": request}).data)


class PostDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="blogs_posts_retrieve",
        responses={200: PostSerializer, 304: NOT_MODIFIED, 404: NOT_FOUND},
        summary="One post (your own drafts too, when signed in)",
    )
    def get(self, request: Request, slug: str, post_id: int) -> HttpResponseBase:
        blog = get_blog_or_404(slug)

        def build() -> Response:
            try:
                post = selectors.get_post_for_user(blog, post_id, user=request.user)
            except Post.DoesNotExist as exc:
                raise Http404("No such post.") from exc
            return Response(PostSerializer(post, context={"request": request}).data)

        return respond_with_validators(request, blog, build)


class KeyEventListApi(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        last_seq = serializers.IntegerField()
        results = KeyEventSerializer(many=True)

        class Meta:
            ref_name = "KeyEventList"

    @extend_schema(
        operation_id="blogs_key_events_list",
        responses={200: OutputSerializer, 304: NOT_MODIFIED, 404: NOT_FOUND},
        summary="A blog's key events, newest first",
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        blog = get_blog_or_404(slug)

        def build() -> Response:
            data = {"last_seq": blog.last_seq, "results": selectors.list_key_events(blog)}
            return Response(self.OutputSerializer(data).data)

        return respond_with_validators(request, blog, build)
