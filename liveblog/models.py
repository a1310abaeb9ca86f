import uuid
import zoneinfo
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from liveblog.extensions import post_extensions
from liveblog.media import embeds
from liveblog.pages.framing import validate_embed_origins
from liveblog.text import CleanCharField, CleanTextField


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone name; use an IANA name such as Europe/London.",
            code="invalid_time_zone",
            params={"value": value},
        )


def avatar_upload_to(instance: "Contributor", filename: str) -> str:
    # Never derive stored names from user input: a random name, the extension is re-set
    # when the image pipeline re-encodes the file.
    return f"avatars/{uuid.uuid4().hex}"


class LiveBlog(models.Model):
    class Status(models.TextChoices):
        LIVE = "live", "Live"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    title = CleanCharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = CleanTextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVE)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="Times and day headings on the reader page are shown in this zone.",
    )
    requires_approval = models.BooleanField(
        "reporters' posts need an editor's approval",
        default=False,
        help_text="Reporters' posts wait in the approval queue until an editor approves them; "
        "editors' own posts go out at once.",
    )
    # Partner sites whose pages may frame /embed/live/<slug>/ (liveblog.pages.framing).
    embed_origins = models.JSONField(
        "partner sites",
        default=list,
        blank=True,
        validators=[validate_embed_origins],
        help_text="Sites that may show this blog's embed in a frame, one per line, as "
        "https://news.example. Every other site is refused.",
    )
    # Highest event sequence number handed out for this blog; allocated under a row lock
    # by liveblog.live.events.record_event.
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    # The most live readers at once since the blog was created, and when (written only by
    # services.blogs.record_reader_peak, from the hubs' reports: liveblog.live.reader_counts).
    peak_readers = models.PositiveIntegerField(default=0, editable=False)
    peak_readers_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("liveblog:live_page", kwargs={"slug": self.slug})

    @cached_property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def localtime(self, value: datetime) -> datetime:
        return value.astimezone(self.tzinfo)


class Contributor(models.Model):
    name = CleanCharField("display name", max_length=120)
    role = CleanCharField(
        "outlet or role",
        max_length=160,
        blank=True,
        help_text="Shown under the name, e.g. “BBC Three Counties Radio” or “Political "
        "correspondent”.",
    )
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributor",
        help_text="The login that files as this contributor; their new posts are signed "
        "with this name.",
    )
    # Reporters sign their posts as themselves and with the bylines an editor links to them
    # here (a producer filing for a correspondent on the road); editors sign with any.
    signers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="linked_bylines",
        verbose_name="also signed by",
        help_text="Reporters who may sign posts with this byline besides its own login. "
        "Editors may sign with any byline.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class PostQuerySet(models.QuerySet["Post"]):
    def visible(self, *, now: datetime | None = None) -> "PostQuerySet":
        """Posts a reader may see: published, time reached, not deleted."""
        return self.filter(
            status=Post.Status.PUBLISHED,
            published_at__lte=now or timezone.now(),
            deleted_at__isnull=True,
        )

    def not_deleted(self) -> "PostQuerySet":
        return self.filter(deleted_at__isnull=True)

    def awaiting_approval(self) -> "PostQuerySet":
        """The approval queue: submitted posts, newest first, with what the queue shows."""
        return (
            self.filter(status=Post.Status.SUBMITTED, deleted_at__isnull=True)
            .select_related("blog", "created_by")
            .order_by("-submitted_at", "-id")
        )

    def with_bylines(self) -> "PostQuerySet":
        # Images and embeds (liveblog.media) are one query each per page; what other apps
        # let a post carry (liveblog.extensions) brings its own prefetch.
        return self.select_related("blog").prefetch_related(
            "contributors", "images", "embeds", *post_extensions.prefetches()
        )

    def newest_first(self) -> "PostQuerySet":
        return self.order_by("-published_at", "-id")

    def due_for_publishing(self, *, now: datetime) -> "PostQuerySet":
        return self.filter(
            status=Post.Status.SCHEDULED, published_at__lte=now, deleted_at__isnull=True
        )


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        # A reporter's post on a blog that requires approval, in the editors' queue.
        SUBMITTED = "submitted", "Waiting for approval"

    blog = models.ForeignKey(LiveBlog, on_delete=models.CASCADE, related_name="posts")
    headline = CleanCharField(max_length=200, blank=True)
    # Sanitised HTML (see liveblog.sanitize); only services write it.
    body = CleanTextField(blank=True)
    contributors = models.ManyToManyField(Contributor, related_name="posts", blank=True)
    published_at = models.DateTimeField(
        "time shown",
        null=True,
        blank=True,
        help_text="The time readers see. A time in the future schedules the post.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    is_breaking = models.BooleanField("breaking", default=False)
    is_pinned = models.BooleanField("pinned", default=False)
    is_key_event = models.BooleanField("key event", default=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the post entered the approval queue (set while it is submitted, else null).
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Why an editor sent the post back; shown to the reporter until it is published.
    review_note = CleanTextField("editor's note", blank=True, editable=False)
    # Optimistic locking: every saved change increments it; a save that started from an
    # older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [
            ("edit_any_post", "Can edit and delete posts of others"),
            ("pin_post", "Can pin and unpin posts"),
            ("flag_post", "Can mark posts as breaking or key events"),
            ("approve_post", "Can approve, send back or discard posts waiting for approval"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["blog"],
                condition=Q(is_pinned=True),
                name="liveblog_post_one_pinned_per_blog",
                violation_error_message="Another post is already pinned on this blog.",
            ),
            models.CheckConstraint(
                condition=Q(is_pinned=False) | Q(deleted_at__isnull=True),
                name="liveblog_post_deleted_not_pinned",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]) | Q(published_at__isnull=False),
                name="liveblog_post_published_has_time",
            ),
            models.CheckConstraint(
                condition=(Q(status="submitted") & Q(submitted_at__isnull=False))
                | (~Q(status="submitted") & Q(submitted_at__isnull=True)),
                name="liveblog_post_submitted_at_iff_submitted",
            ),
        ]
        indexes = [
            models.Index(
                fields=["blog", "-published_at", "-id"],
                name="liveblog_post_feed_idx",
                condition=Q(status="published", deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.headline or self.body_text[:60] or f"Post {self.pk}"

    def get_absolute_url(self) -> str:
        """The post's permalink: the reader page positioned at it (needs `blog` loaded)."""
        return reverse("liveblog:post_permalink", kwargs={"slug": self.blog.slug, "pk": self.pk})

    @property
    def body_text(self) -> str:
        from django.utils.html import strip_tags

        return strip_tags(self.body).strip()

    @property
    def anchor(self) -> str:
        return f"post-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def is_visible(self, *, now: datetime | None = None) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.deleted_at is None
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )


class LiveEvent(models.Model):
    """One reader-visible change to a blog, in order.

    `seq` is gap-free per blog and is the truth for catch-up, ordering and caching.
    `html` is the post fragment rendered once when the change was made.
    """

    class Kind(models.TextChoices):
        POST_PUBLISHED = "post.published"
        POST_UPDATED = "post.updated"
        POST_DELETED = "post.deleted"
        POST_PINNED = "post.pinned"
        POST_UNPINNED = "post.unpinned"
        BLOG_STATUS = "blog.status"

    blog = models.ForeignKey(LiveBlog, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=32, choices=Kind.choices)
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    html = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["blog", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["blog", "seq"], name="liveblog_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.blog_id}#{self.seq} {self.kind}"


# Media in posts: images and social embeds ----------------------------------------------------
# Written only by liveblog.services (add_post_image, ..., add_post_embed, ...); the files
# behind an image are made by liveblog.media.images and named by it at random.


class PostImage(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    order = models.PositiveSmallIntegerField(default=0)
    alt_text = CleanCharField(
        "alt text",
        max_length=300,
        help_text="What the picture shows, for readers who cannot see it. Required.",
    )
    caption = CleanCharField(max_length=300, blank=True)
    credit = CleanCharField(
        max_length=120, blank=True, help_text="Shown as “Copyright: …”, e.g. “BBC” or “PA Media”."
    )
    # The upload re-encoded by Pillow (never the uploaded bytes), at its full size.
    original = models.FileField(max_length=255, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    # [{"width": 320, "height": 213, "format": "webp" | "jpeg", "name": <storage name>}, ...]
    renditions = models.JSONField(default=list, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt_text=""),
                name="liveblog_postimage_has_alt_text",
                violation_error_message="Describe the image in the alt text.",
            ),
        ]

    def __str__(self) -> str:
        return self.alt_text[:60]

    @property
    def storage(self) -> Storage:
        return self.original.storage

    @property
    def stored_names(self) -> list[str]:
        return [self.original.name, *(r["name"] for r in self.renditions)]

    def _srcset(self, fmt: str) -> str:
        storage = self.storage
        return ", ".join(
            f"{storage.url(r['name'])} {r['width']}w" for r in self.renditions if r["format"] == fmt
        )

    @property
    def webp_srcset(self) -> str:
        return self._srcset("webp")

    @property
    def jpeg_srcset(self) -> str:
        return self._srcset("jpeg")

    @property
    def fallback_url(self) -> str:
        """The JPEG for browsers without srcset: the largest up to 1024 px wide."""
        jpegs = sorted(
            (r for r in self.renditions if r["format"] == "jpeg"), key=lambda r: r["width"]
        )
        if not jpegs:
            return ""
        fitting = [r for r in jpegs if r["width"] <= 1024] or jpegs[:1]
        return self.storage.url(fitting[-1]["name"])


class PostEmbed(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="embeds")
    order = models.PositiveSmallIntegerField(default=0)
    provider = models.CharField(max_length=20, choices=embeds.PROVIDER_CHOICES, editable=False)
    url = models.URLField(
        "link to the post",
        max_length=embeds.MAX_URL_LENGTH,
        validators=[embeds.validate_embed_url],
        help_text="The address of one post or video on X, YouTube, Instagram, Facebook, "
        "TikTok, Bluesky or a listed Mastodon server. Readers choose whether to load it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=list(embeds.PROVIDERS)),
                name="liveblog_postembed_known_provider",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="https://"), name="liveblog_postembed_https"
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @cached_property
    def embed(self) -> "embeds.Embed | None":
        """The validated embed; None if the link is no longer allowed (e.g. a Mastodon
        server taken off the list): readers then get only the link."""
        try:
            return embeds.parse_embed_url(self.url)
        except ValidationError:
            return None
