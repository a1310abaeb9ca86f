"""Writes: create, update (optimistic locking), delete, publish or schedule, attach images;
the approval queue's answers (approve, send back with a note, discard).

Every operation calls liveblog.services, the admin's own code path: validation, permissions
(reporters their own posts, editors everything, flags and pinning editors only) and the live
broadcast are identical. Someone else's draft is a 404, never a 403, so its existence does
not leak. On a blog that requires approval, a reporter's publish comes back `submitted`.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liveblog import selectors, services
from liveblog.api.fields import CleanCharField
from liveblog.api.parsers import LimitedJSONParser, refuse_larger_than
from liveblog.api.reads import get_blog_or_404
from liveblog.api.serializers import ImageSerializer, PostSerializer
from liveblog.media import images
from liveblog.media import services as media_services
from liveblog.models import Contributor, Post
from liveblog.permissions import acting_user

ERRORS = {
    400: OpenApiResponse(description="Bad input: `detail` says what to fix, `fields` where."),
    401: OpenApiResponse(description="Not signed in: send `Authorization: Token <key>`."),
    403: OpenApiResponse(description="Signed in, but not allowed to do this."),
    404: OpenApiResponse(description="No such blog or post (or someone else's draft)."),
}
CONFLICT = OpenApiResponse(
    description="The post changed since `version`; `current_version` is the one to start from."
)
TOO_LARGE = OpenApiResponse(description="The file is too large.")
NOT_MULTIPART = OpenApiResponse(
    description="The body is not multipart/form-data (or a urlencoded form): send the file "
    "as a form upload."
)


# Room for the form fields and multipart framing around an image of images.max_bytes().
MULTIPART_OVERHEAD = 64 * 1024


def get_post_for_change(request: Request, slug: str, post_id: int) -> Post:
    """The post a write acts on, or 404 if the user may not even see it."""
    blog = get_blog_or_404(slug)
    try:
        return selectors.get_post_for_user(blog, post_id, user=request.user)
    except Post.DoesNotExist as exc:
        raise Http404("No such post.") from exc


def post_output(request: Request, post: Post) -> dict:
    fresh = Post.objects.with_bylines().get(pk=post.pk)
    return PostSerializer(fresh, context={"request": request}).data


class _WriteApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [LimitedJSONParser]


class _PostFields(serializers.Serializer):
    headline = CleanCharField(max_length=200, required=False, allow_blank=True)
    body = CleanCharField(
        required=False, allow_blank=True, help_text="HTML; cleaned like the admin's editor."
    )
    contributors = serializers.PrimaryKeyRelatedField(
        queryset=Contributor.objects.all(), many=True, required=False
    )
    status = serializers.ChoiceField(
        choices=[Post.Status.DRAFT, Post.Status.PUBLISHED],
        required=False,
        help_text="`published` with a future `published_at` schedules the post.",
    )
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    is_breaking = serializers.BooleanField(required=False, help_text="Editors only.")
    is_key_event = serializers.BooleanField(required=False, help_text="Editors only.")
    is_pinned = serializers.BooleanField(required=False, help_text="Editors only.")


class PostCreateApi(_WriteApi):
    class InputSerializer(_PostFields):
        class Meta:
            ref_name = "PostCreate"

    @extend_schema(
        operation_id="blogs_posts_create",
        request=InputSerializer,
        responses={201: PostSerializer, **ERRORS},
        summary="File a post (published now, scheduled, or a draft)",
    )
    def post(self, request: Request, slug: str) -> Response:
        blog = get_blog_or_404(slug)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        by = acting_user(request)
        if "contributors" not in fields:
            # As in the admin: the reporter's own byline by default.
            fields["contributors"] = Contributor.objects.filter(user=by)
        post = services.create_post(blog=blog, by=by, **fields)
        return Response(post_output(request, post), status=status.HTTP_201_CREATED)


class PostUpdateApi(_WriteApi):
    class InputSerializer(_PostFields):
        version = serializers.IntegerField(
            min_value=1, help_text="The `version` of the post you started from."
        )

        class Meta:
            ref_name = "PostUpdate"

    @extend_schema(
        operation_id="blogs_posts_update",
        request=InputSerializer,
        responses={200: PostSerializer, **ERRORS, 409: CONFLICT},
        summary="Change a post; only the fields sent change",
    )
    def post(self, request: Request, slug: str, post_id: int) -> Response:
        post = get_post_for_change(request, slug, post_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        services.update_post(post, by=acting_user(request), expected_version=version, **changes)
        return Response(post_output(request, post))


class PostDeleteApi(_WriteApi):
    @extend_schema(
        operation_id="blogs_posts_delete",
        request=None,
        responses={204: None, **ERRORS},
        summary="Delete a post (readers lose it at once)",
    )
    def post(self, request: Request, slug: str, post_id: int) -> Response:
        post = get_post_for_change(request, slug, post_id)
        services.delete_post(post, by=acting_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostPublishApi(_WriteApi):
    class InputSerializer(serializers.Serializer):
        at = serializers.DateTimeField(
            required=False,
            allow_null=True,
            help_text="When to publish; a future time schedules the post. Default: now "
            "(or the time it was scheduled for).",
        )

        class Meta:
            ref_name = "PostPublish"

    @extend_schema(
        operation_id="blogs_posts_publish",
        request=InputSerializer,
        responses={200: PostSerializer, **ERRORS},
        summary="Publish a draft now, or schedule it (submit it, for a reporter on a blog "
        "that requires approval)",
    )
    def post(self, request: Request, slug: str, post_id: int) -> Response:
        post = get_post_for_change(request, slug, post_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.publish_post(post, by=acting_user(request), at=serializer.validated_data.get("at"))
        return Response(post_output(request, post))


class PostApproveApi(_WriteApi):
    class InputSerializer(serializers.Serializer):
        at = serializers.DateTimeField(
            required=False,
            allow_null=True,
            help_text="When to publish; a future time schedules the post. Default: now (or "
            "the later time the post asked for).",
        )

        class Meta:
            ref_name = "PostApprove"

    @extend_schema(
        operation_id="blogs_posts_approve",
        request=InputSerializer,
        responses={200: PostSerializer, **ERRORS},
        summary="Approve a post waiting for approval: it is published (editors only)",
    )
    def post(self, request: Request, slug: str, post_id: int) -> Response:
        post = get_post_for_change(request, slug, post_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.approve_post(post, by=acting_user(request), at=serializer.validated_data.get("at"))
        return Response(post_output(request, post))


class PostReturnApi(_WriteApi):
    class InputSerializer(serializers.Serializer):
        note = CleanCharField(
            max_length=2000, help_text="What the reporter should change; shown on their post."
        )

        class Meta:
            ref_name = "PostReturn"

    @extend_schema(
        operation_id="blogs_posts_return",
        request=InputSerializer,
        responses={200: PostSerializer, **ERRORS},
        summary="Send a post waiting for approval back to its reporter as a draft, with a "
        "note (editors only)",
    )
    def post(self, request: Request, slug: str, post_id: int) -> Response:
        post = get_post_for_change(request, slug, post_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.return_post(post, by=acting_user(request), note=serializer.validated_data["note"])
        return Response(post_output(request, post))


class PostDiscardApi(_WriteApi):
    @extend_schema(
        operation_id="blogs_posts_discard",
        request=None,
        responses={204: None, **ERRORS},
        summary="Discard a post waiting for approval (editors only)",
    )
    def post(self, request: Request, slug: str, post_id: int) -> Response:
        post = get_post_for_change(request, slug, post_id)
        services.discard_post(post, by=acting_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostImageCreateApi(_WriteApi):
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="JPEG, PNG, WebP or GIF; re-encoded on upload.")
        alt_text = CleanCharField(max_length=300, help_text="What the picture shows.")
        caption = CleanCharField(max_length=300, required=False, allow_blank=True, default="")
        credit = CleanCharField(max_length=120, required=False, allow_blank=True, default="")
        order = serializers.IntegerField(min_value=0, max_value=32767, required=False, default=0)

        class Meta:
            ref_name = "PostImageUpload"

    @extend_schema(
        operation_id="blogs_posts_images_create",
        request={"multipart/form-data": InputSerializer},
        responses={201: ImageSerializer, **ERRORS, 413: TOO_LARGE, 415: NOT_MULTIPART},
        summary="Attach a picture to a post",
    )
    def post(self, request: Request, slug: str, post_id: int) -> Response:
        post = get_post_for_change(request, slug, post_id)
        refuse_larger_than(request, images.max_bytes() + MULTIPART_OVERHEAD, "This upload")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        image = media_services.add_post_image(
            post,
            by=acting_user(request),
            upload=data["file"],
            alt_text=data["alt_text"],
            caption=data["caption"],
            credit=data["credit"],
            order=data["order"],
        )
        output = ImageSerializer(image, context={"request": request}).data
        return Response(output, status=status.HTTP_201_CREATED)
