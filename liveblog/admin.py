"""The newsroom's admin. Thin: every save goes through liveblog.services."""

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms.widgets import Script
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, linebreaks
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from liveblog import permissions, selectors, services
from liveblog.admin_base import (
    NewsroomAdmin,
    NewsroomAdminMixin,
    SaveRefused,
    refusals_shown_on_the_form,
)
from liveblog.extensions import post_extensions
from liveblog.forms import ContributorAdminForm, LiveBlogAdminForm, PostAdminForm
from liveblog.live import reader_counts
from liveblog.media.admin import PostEmbedInline, PostImageInline
from liveblog.models import Contributor, LiveBlog, Post, PostQuerySet
from liveblog.pages.caching import patch_private
from liveblog.pages.embed import embed_code, embed_live_target

FLAG_FIELDS = ("is_breaking", "is_key_event")
PIN_FIELDS = ("is_pinned",)

MSG_SENT_FOR_APPROVAL = (
    "This blog needs an editor's approval: the post is waiting in the editors' queue and "
    "readers will see it once an editor approves it."
)
MSG_APPROVED = "Approved and published: “{post}”."
MSG_APPROVED_SCHEDULED = "Approved: “{post}” is scheduled for {when}."
MSG_RETURNED = "Sent back to {author} with your note: “{post}”."
MSG_DISCARDED = "Discarded: “{post}”."

MSG_READERS_UNKNOWN = "unknown (Redis unavailable)"
MSG_NO_PEAK = "none yet"
# The most blogs one request of the reader counts may ask for (a change list page's worth).
MAX_COUNTED_BLOGS = 100


def readers_text(count: int | None) -> str:
    return MSG_READERS_UNKNOWN if count is None else f"{count:,}"


def peak_text(blog: LiveBlog) -> str:
    if blog.peak_readers_at is None:
        return MSG_NO_PEAK
    when = blog.localtime(blog.peak_readers_at)
    return f"{blog.peak_readers:,} at {when:%H:%M} on {when:%d %b}"


@admin.register(LiveBlog)
class LiveBlogAdmin(NewsroomAdmin):
    form = LiveBlogAdminForm
    list_display = (
        "title",
        "status",
        "requires_approval",
        "slug",
        "time_zone",
        "updated_at",
        "reader_link",
        "readers_now",
        "reader_peak",
    )
    list_filter = ("status", "requires_approval")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}

    class Media:
        # Refreshes the reader counts every few seconds (static/liveblog/js/admin-readers.js).
        js = [Script("liveblog/js/admin-readers.js", type="module")]

    @admin.display(description="Reader page")
    def reader_link(self, obj: LiveBlog) -> str:
        return format_html('<a href="{}">View</a>', obj.get_absolute_url())

    # Live readers: approximate (liveblog.live.reader_counts), refreshed by admin-readers.js --

    def _count_html(self, blog: LiveBlog, count: int | None) -> str:
        return format_html(
            '<span data-reader-count data-blog="{}" data-url="{}" data-every="{}">{}</span>',
            blog.pk,
            reverse("admin:liveblog_liveblog_readers"),
            reader_counts.interval(),
            readers_text(count),
        )

    @admin.display(description="Readers now (approx.)")
    def readers_now(self, obj: LiveBlog) -> str:
        # Counted for the whole page at once in get_changelist_instance.
        return self._count_html(obj, obj.readers_now)  # type: ignore[attr-defined]  # set there

    @admin.display(description="Peak readers", ordering="peak_readers")
    def reader_peak(self, obj: LiveBlog) -> str:
        html = '<span data-reader-peak data-blog="{}">{}</span>'
        return format_html(html, obj.pk, peak_text(obj))

    @admin.display(description="Live readers")
    def readers(self, obj: LiveBlog) -> str:
        counts = reader_counts.get_reader_counts([obj.pk])
        return format_html(
            "{} now (approximate: each server process reports every {} seconds); peak {}",
            self._count_html(obj, None if counts is None else counts.get(obj.pk, 0)),
            f"{reader_counts.interval():g}",
            self.reader_peak(obj),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: LiveBlog | None = None) -> tuple:
        return ("readers",) if obj is not None else ()

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        # One read of the board for the page's blogs (the list's queryset keeps these very
        # objects for the template), never one per row.
        blogs = list(changelist.result_list)
        counts = reader_counts.get_reader_counts(blog.pk for blog in blogs)
        for blog in blogs:
            blog.readers_now = None if counts is None else counts.get(blog.pk, 0)
        return changelist

    def get_urls(self) -> list[URLPattern]:
        counts = path(
            "readers/",
            self.admin_site.admin_view(self.reader_counts_view),
            name="liveblog_liveblog_readers",
        )
        return [counts, *super().get_urls()]

    def reader_counts_view(self, request: HttpRequest) -> HttpResponse:
        """`?blog=<id>&blog=<id>…` → each blog's readers now and its peak, as the page
        shows them (staff only; the admin never caches it)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            ids = {int(value) for value in request.GET.getlist("blog")}
        except ValueError:
            return HttpResponseBadRequest("blog must be a blog id")
        if len(ids) > MAX_COUNTED_BLOGS or any(not 0 < pk < 2**63 for pk in ids):
            return HttpResponseBadRequest(f"ask for 1 to {MAX_COUNTED_BLOGS} blog ids")
        blogs = list(
            LiveBlog.objects.filter(pk__in=ids).only(
                "id", "time_zone", "peak_readers", "peak_readers_at"
            )
        )
        counts = reader_counts.get_reader_counts(blog.pk for blog in blogs)
        data = {}
        for blog in blogs:
            count = None if counts is None else counts.get(blog.pk, 0)
            data[str(blog.pk)] = {
                "readers": count,
                "readers_text": readers_text(count),
                "peak": blog.peak_readers,
                "peak_at": blog.peak_readers_at.isoformat() if blog.peak_readers_at else None,
                "peak_text": peak_text(blog),
            }
        return JsonResponse({"available": counts is not None, "blogs": data})

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # The partner embed's code, to copy (admin/liveblog/liveblog/change_form.html).
        blog = LiveBlog.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if blog is not None:
            extra_context = {
                **(extra_context or {}),
                "embed_code": embed_code(request, embed_live_target(blog)),
                "embed_url": request.build_absolute_uri(embed_live_target(blog).embed_path),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: LiveBlog, form: Any, change: bool) -> None:
        fields = {
            name: form.cleaned_data[name] for name in services.BLOG_FIELDS if name in form.fields
        }
        with refusals_shown_on_the_form():
            if change:
                services.update_blog(obj, by=permissions.acting_user(request), **fields)
            else:
                blog = services.create_blog(by=permissions.acting_user(request), **fields)
                obj.pk = blog.pk  # the admin goes on with `obj` (messages, log entry)
                obj.refresh_from_db()


def _is_byline_autocomplete(request: HttpRequest) -> bool:
    match = request.resolver_match
    return (
        match is not None
        and match.url_name == "autocomplete"
        and request.GET.get("app_label") == "liveblog"
        and request.GET.get("model_name") == "post"
        and request.GET.get("field_name") == "contributors"
    )


@admin.register(Contributor)
class ContributorAdmin(NewsroomAdmin):
    form = ContributorAdminForm
    readonly_fields = ("current_avatar",)
    list_display = ("name", "role", "user")
    search_fields = ("name", "role", "user__username")
    list_select_related = ("user",)
    autocomplete_fields = ("user", "signers")

    @admin.display(description="Current avatar")
    def current_avatar(self, obj: Contributor) -> str:
        if not obj.avatar:
            return "—"
        return format_html('<img src="{}" alt="" width="64" height="64">', obj.avatar.url)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Contributor], search_term: str
    ) -> tuple[QuerySet[Contributor], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if _is_byline_autocomplete(request):
            # The post form's byline picker offers only bylines the user may sign with.
            allowed = permissions.allowed_bylines(request.user).values("pk")
            queryset = queryset.filter(pk__in=allowed)
        return queryset, may_have_duplicates

    def save_model(
        self, request: HttpRequest, obj: Contributor, form: ContributorAdminForm, change: bool
    ) -> None:
        # A byline correction re-renders the contributor's posts on open pages; an avatar
        # goes through the image pipeline.
        try:
            services.save_contributor(
                obj,
                by=permissions.acting_user(request),
                avatar=form.decoded,
                remove_avatar=bool(form.cleaned_data.get("remove_avatar")),
            )
        except (ValidationError, PermissionDenied) as exc:
            raise SaveRefused.from_error(exc) from exc


@admin.register(Post)
class PostAdmin(NewsroomAdmin):
    form = PostAdminForm
    list_display = (
        "summary",
        "published_at",
        "status",
        "is_breaking",
        "is_pinned",
        "is_key_event",
        "blog",
        "author",
    )
    list_display_links = ("summary",)
    list_filter = ("blog", "status", "is_breaking", "is_pinned", "is_key_event")
    search_fields = ("headline", "body")
    list_select_related = ("blog", "created_by")
    date_hierarchy = "published_at"
    autocomplete_fields = ("contributors",)
    save_on_top = True
    actions = ("pin_selected", "unpin_selected")
    inlines = [PostImageInline, PostEmbedInline]
    fieldsets = (
        (None, {"fields": ("blog", "headline", "body", "contributors", "version")}),
        ("Publishing", {"fields": ("status", "published_at")}),
        ("Editor’s flags", {"fields": ("is_breaking", "is_key_event", "is_pinned")}),
    )

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        """The saved post as readers will see it (the same _post.html), before it is
        published: for whoever may edit it, 404 for everyone else; never stored by a cache."""
        if not object_id.isdigit() or len(object_id) > 18:
            raise Http404("No such post.")
        try:
            post = selectors.get_post_for_preview(int(object_id), user=request.user)
        except Post.DoesNotExist as exc:
            raise Http404("No such post.") from exc
        response = render(
            request,
            "liveblog/post_preview.html",
            {"post": post, "blog": post.blog, "visible": post.is_visible()},
        )
        return patch_private(response)

    def get_inlines(self, request: HttpRequest, obj: Post | None) -> list[type]:
        # Pictures and embeds, then what other apps let a post carry (liveblog.extensions).
        extra = [import_string(path) for path in post_extensions.admin_inlines()]
        return [*self.inlines, *extra]

    @admin.display(description="Post", ordering="headline")
    def summary(self, obj: Post) -> str:
        return str(obj)[:80]

    @admin.display(description="Filed by", ordering="created_by__username")
    def author(self, obj: Post) -> str:
        return obj.created_by.get_username() if obj.created_by else "—"

    @admin.display(description="Editor's note")
    def editor_note(self, obj: Post) -> str:
        # linebreaks escapes the note's text itself; only its <p> and <br> are markup.
        return mark_safe(linebreaks(obj.review_note, autoescape=True))

    def get_fieldsets(self, request: HttpRequest, obj: Post | None = None) -> Any:
        fieldsets = tuple(super().get_fieldsets(request, obj))
        if obj is None or not obj.review_note:
            return fieldsets
        # An editor sent it back: the reporter reads why before anything else.
        note = (
            "Sent back by an editor",
            {
                "fields": ("editor_note",),
                "description": "Change the post as the note asks, then publish it again to "
                "send it back to the queue.",
            },
        )
        return (note, *fieldsets)

    # Who sees and changes what ------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        """Everything for editors; for reporters their own posts and what readers can see.

        Another reporter's draft or scheduled post is theirs until it is published: not in
        the list, not found by search, and its pages answer 404 as the API does.
        """
        # ModelAdmin is not generic at run time: its queryset is Post's.
        posts = cast(PostQuerySet, super().get_queryset(request)).not_deleted()
        if permissions.can_see_unpublished_posts(request.user):
            return posts
        return posts.filter(
            Q(created_by_id=request.user.pk) | Q(pk__in=Post.objects.visible().values("pk"))
        )

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        # The admin's own answer for a missing object is a redirect with "perhaps it was
        # deleted": a 404 says as little about another reporter's draft as about no post.
        post = super().get_object(request, object_id, from_field)
        if post is None:
            raise Http404("No such post.")
        return post

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return permissions.can_edit_post(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return permissions.can_delete_post(request.user, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None) -> tuple:
        readonly: tuple[str, ...] = ("editor_note",)
        if not permissions.can_flag_post(request.user):
            readonly += FLAG_FIELDS
        if not permissions.can_pin_post(request.user):
            readonly += PIN_FIELDS
        return readonly

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not permissions.can_pin_post(request.user):
            actions.pop("pin_selected", None)
            actions.pop("unpin_selected", None)
        return actions

    def get_form(
        self, request: HttpRequest, obj: Post | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("contributors")
        if field is not None:
            # The bylines the user may sign with, plus those already on the post (an editor
            # may have added them; they stay through a reporter's edit).
            allowed = Q(pk__in=permissions.allowed_bylines(request.user).values("pk"))
            if obj is not None and obj.pk:
                allowed |= Q(pk__in=obj.contributors.values("pk"))
            field.queryset = Contributor.objects.filter(allowed)
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """Fast filing: the blog, the reporter's own byline and the time are filled in."""
        initial = super().get_changeform_initial_data(request)
        if "blog" not in initial:
            blog = (
                LiveBlog.objects.filter(status=LiveBlog.Status.LIVE).order_by("-updated_at").first()
            )
            if blog is not None:
                initial["blog"] = blog.pk
        if "contributors" not in initial:
            own = Contributor.objects.filter(user=permissions.acting_user(request)).values_list(
                "pk", flat=True
            )
            initial["contributors"] = list(own)
        initial.setdefault("published_at", timezone.now().replace(microsecond=0))
        return initial

    # Writes go through the services ---------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.PostConflict:
            # Someone saved between our form check and the locked save. Render again: the
            # form's own version check now reports the conflict with both edits kept.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(
        self, request: HttpRequest, obj: Post, form: PostAdminForm, change: bool
    ) -> None:
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in services.EDITABLE_FIELDS
            if name in data and name in form.fields
        }
        if "published_at" in fields and "published_at" not in form.changed_data and not change:
            # Left at the time the form was opened: file it at the time it is saved.
            fields["published_at"] = None
        try:
            if change:
                services.update_post(
                    obj,
                    by=permissions.acting_user(request),
                    expected_version=data["version"] or obj.version,
                    **fields,
                )
            else:
                post = services.create_post(
                    blog=data["blog"], by=permissions.acting_user(request), **fields
                )
                # The admin goes on with `obj` (messages, redirects, log entry).
                obj.pk = post.pk
                obj.refresh_from_db()
        except services.PostConflict:
            raise  # changeform_view shows it with both edits
        except (ValidationError, PermissionDenied) as exc:
            raise SaveRefused.from_error(exc) from exc
        if obj.status == Post.Status.SUBMITTED:
            self.message_user(request, MSG_SENT_FOR_APPROVAL, messages.WARNING)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Contributors were set by the service; only inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        with refusals_shown_on_the_form():
            services.delete_post(obj, by=permissions.acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.delete_post(post, by=permissions.acting_user(request))

    @admin.action(description="Pin the selected post to the top")
    def pin_selected(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one post to pin.", messages.ERROR)
            return
        try:
            services.pin_post(queryset.get(), by=permissions.acting_user(request))
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, "Pinned. Any previously pinned post was unpinned.")

    # The approval queue ------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        queue = [
            path("queue/", wrap(self.approval_queue_view), name="liveblog_post_queue"),
            path("<int:post_id>/approve/", wrap(self.approve_view), name="liveblog_post_approve"),
            path("<int:post_id>/return/", wrap(self.return_view), name="liveblog_post_return"),
            path("<int:post_id>/discard/", wrap(self.discard_view), name="liveblog_post_discard"),
            path(
                "<path:object_id>/preview/", wrap(self.preview_view), name="liveblog_post_preview"
            ),
        ]
        return queue + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        if permissions.can_approve_post(request.user):
            extra_context = {
                **(extra_context or {}),
                "approval_queue_url": reverse("admin:liveblog_post_queue"),
                "approval_queue_count": selectors.count_posts_awaiting_approval(),
            }
        return super().changelist_view(request, extra_context)

    def approval_queue_view(self, request: HttpRequest) -> HttpResponse:
        """Submitted posts, newest first, each with its author, its time waiting and the
        editor's three answers (approve, send back with a note, discard)."""
        if not permissions.can_approve_post(request.user):
            raise PermissionDenied(services.MSG_CANNOT_APPROVE)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Posts waiting for approval",
            "posts": selectors.list_posts_awaiting_approval(),
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/liveblog/post/approval_queue.html", context)

    def _queue_answer(
        self, request: HttpRequest, post_id: int, answer: Any, done: Any
    ) -> HttpResponse:
        # Reporters are refused before any lookup: they learn nothing of others' posts.
        if not permissions.can_approve_post(request.user):
            raise PermissionDenied(services.MSG_CANNOT_APPROVE)
        posts = Post.objects.not_deleted().select_related("created_by")
        post = get_object_or_404(posts, pk=post_id)
        try:
            answer(post)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, done(post), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:liveblog_post_queue"))

    @method_decorator(require_POST)
    def approve_view(self, request: HttpRequest, post_id: int) -> HttpResponse:
        def done(post: Post) -> str:
            if post.status == Post.Status.SCHEDULED:
                when = timezone.localtime(post.published_at).strftime("%H:%M on %d %B")
                return MSG_APPROVED_SCHEDULED.format(post=post, when=when)
            return MSG_APPROVED.format(post=post)

        return self._queue_answer(
            request,
            post_id,
            lambda post: services.approve_post(post, by=permissions.acting_user(request)),
            done,
        )

    @method_decorator(require_POST)
    def return_view(self, request: HttpRequest, post_id: int) -> HttpResponse:
        note = request.POST.get("note", "")
        return self._queue_answer(
            request,
            post_id,
            lambda post: services.return_post(post, by=permissions.acting_user(request), note=note),
            lambda post: MSG_RETURNED.format(post=post, author=self.author(post)),
        )

    @method_decorator(require_POST)
    def discard_view(self, request: HttpRequest, post_id: int) -> HttpResponse:
        return self._queue_answer(
            request,
            post_id,
            lambda post: services.discard_post(post, by=permissions.acting_user(request)),
            lambda post: MSG_DISCARDED.format(post=post),
        )

    @admin.action(description="Unpin the selected posts")
    def unpin_selected(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset.filter(is_pinned=True):
            services.unpin_post(post, by=permissions.acting_user(request))
        self.message_user(request, "Unpinned.")


# Admins of Django and of libraries (users, groups, API tokens, login attempts), with the same
# GET hardening. Their apps come before this one in INSTALLED_APPS, so they are registered
# by now; results, after it, uses NewsroomAdmin itself.


def _harden(model: type, admin_class: type) -> None:
    """Re-register `model` with `admin_class` plus NewsroomAdminMixin."""
    hardened = type(admin_class.__name__, (NewsroomAdminMixin, admin_class), {})
    admin.site.unregister(model)
    admin.site.register(model, hardened)


for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, NewsroomAdminMixin):
        _harden(_model, type(_model_admin))
