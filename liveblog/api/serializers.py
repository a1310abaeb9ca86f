"""Output shapes shared by several operations (a post is returned by reads and writes alike).
Inputs are nested in their views."""

from rest_framework import serializers
from rest_framework.request import Request

from liveblog.api.fields import UtcDateTimeField
from liveblog.extensions import post_extensions
from liveblog.models import LiveBlog, Post, PostEmbed, PostImage
from liveblog.pages.seo import post_headline


class BlogSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=LiveBlog.Status.choices)
    time_zone = serializers.CharField()
    last_seq = serializers.IntegerField(
        help_text="Sequence number of the blog's latest change; pass it as `after_seq`."
    )
    url = serializers.SerializerMethodField()
    updated_at = UtcDateTimeField()

    class Meta:
        ref_name = "Blog"

    def get_url(self, blog: LiveBlog) -> str:
        request: Request = self.context["request"]
        return request.build_absolute_uri(blog.get_absolute_url())


class ContributorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()

    class Meta:
        ref_name = "Contributor"


class RenditionSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.ChoiceField(choices=["webp", "jpeg"])

    class Meta:
        ref_name = "ImageRendition"

    def get_url(self, rendition: dict) -> str:
        storage = PostImage._meta.get_field("original").storage
        request: Request = self.context["request"]
        return request.build_absolute_uri(storage.url(rendition["name"]))


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    alt_text = serializers.CharField()
    caption = serializers.CharField()
    credit = serializers.CharField()
    order = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="A JPEG up to 1024 px wide.")
    renditions = RenditionSerializer(many=True)

    class Meta:
        ref_name = "Image"

    def get_url(self, image: PostImage) -> str:
        url = image.fallback_url
        return self.context["request"].build_absolute_uri(url) if url else ""


class EmbedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    url = serializers.URLField()

    class Meta:
        ref_name = "Embed"

    def to_representation(self, embed: PostEmbed) -> dict:
        return {"id": embed.pk, "provider": embed.provider, "url": embed.url}


class PostSerializer(serializers.Serializer):
    """A post as the API returns it. Needs a post loaded with `with_bylines()`."""

    id = serializers.IntegerField()
    blog = serializers.SlugField(source="blog.slug")
    url = serializers.SerializerMethodField(
        help_text="The reader page that shows the post; null until it is published."
    )
    headline = serializers.CharField()
    body = serializers.CharField(help_text="Sanitised HTML.")
    status = serializers.ChoiceField(choices=Post.Status.choices)
    published_at = UtcDateTimeField(allow_null=True)
    updated_at = UtcDateTimeField()
    is_breaking = serializers.BooleanField()
    is_key_event = serializers.BooleanField()
    is_pinned = serializers.BooleanField()
    version = serializers.IntegerField(
        help_text="Pass it back when updating; a save from an older version is refused (409)."
    )
    submitted_at = UtcDateTimeField(
        allow_null=True, help_text="When it entered the approval queue; null unless submitted."
    )
    review_note = serializers.CharField(
        help_text="Why an editor sent it back (a draft of yours); empty otherwise."
    )
    contributors = ContributorSerializer(many=True, source="contributors.all")
    images = ImageSerializer(many=True, source="images.all")
    embeds = EmbedSerializer(many=True, source="embeds.all")

    class Meta:
        ref_name = "Post"

    def get_fields(self) -> dict[str, serializers.Field]:
        # What other apps let a post carry (liveblog.extensions), e.g. its result cards.
        return {**super().get_fields(), **post_extensions.api_fields()}

    def get_url(self, post: Post) -> str | None:
        if not post.is_visible():
            return None
        request: Request = self.context["request"]
        return request.build_absolute_uri(post.get_absolute_url())


class KeyEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    headline = serializers.SerializerMethodField()
    published_at = UtcDateTimeField()
    is_pinned = serializers.BooleanField()

    class Meta:
        ref_name = "KeyEvent"

    def get_headline(self, post: Post) -> str:
        return post_headline(post)
