"""Results in the newsroom admin. Thin: entering, declaring and correcting a result goes
through results.services; the forms only check what an editor typed."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from liveblog import permissions as liveblog_permissions
from liveblog.admin_base import (
    NewsroomAdmin,
    PostPartFormSet,
    PostPartInline,
    SaveRefused,
    refusals_shown_on_the_form,
)
from liveblog.models import LiveBlog, Post
from results import services
from results.figures import result_figures
from results.models import (
    MSG_CARD_KIND,
    Candidacy,
    Constituency,
    ConstituencyResult,
    Election,
    Party,
    PartyAlias,
    PostResultCard,
    ResultRevision,
)

# Pinning a result or the scoreboard to a live blog -------------------------------------------

MSG_PIN_ONE = "Select exactly one {noun} to pin."
MSG_PIN_CHOOSE_BLOG = "Choose the live blog to pin to, next to the action."


class PinActionForm(helpers.ActionForm):
    """The changelist's action bar, with the live blog the “Pin to live blog…” action uses."""

    blog = forms.ModelChoiceField(
        queryset=LiveBlog.objects.exclude(status=LiveBlog.Status.ENDED),
        required=False,
        label="Live blog:",
        empty_label="(choose for pinning)",
    )


def _pin_selected(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    noun: str,
) -> None:
    if queryset.count() != 1:
        modeladmin.message_user(request, MSG_PIN_ONE.format(noun=noun), messages.ERROR)
        return
    form = PinActionForm(request.POST)
    form.is_valid()  # the action field has no choices here; only the blog is read
    blog = form.cleaned_data.get("blog")
    if blog is None:
        modeladmin.message_user(request, MSG_PIN_CHOOSE_BLOG, messages.ERROR)
        return
    try:
        post = services.pin_result_to_blog(
            queryset.get(), blog=blog, by=liveblog_permissions.acting_user(request)
        )
    except (PermissionDenied, ValidationError) as exc:
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        modeladmin.message_user(request, f"Nothing was pinned: {text}", messages.ERROR)
        return
    modeladmin.message_user(
        request,
        format_html(
            'Pinned “{}” to the top of <a href="{}#{}">{}</a>; any previously pinned post '
            "was unpinned.",
            post.headline,
            blog.get_absolute_url(),
            post.anchor,
            blog.title,
        ),
        messages.SUCCESS,
    )


def _without_pin_action(request: HttpRequest, actions: dict[str, Any]) -> dict[str, Any]:
    if not liveblog_permissions.can_pin_post(request.user):
        actions.pop("pin_to_blog", None)
    return actions


class PartyAliasInline(admin.TabularInline):
    model = PartyAlias
    extra = 1


@admin.register(Party)
class PartyAdmin(NewsroomAdmin):
    list_display = ("name", "code", "colour", "is_headline", "order")
    list_editable = ("is_headline", "order")
    search_fields = ("name", "code", "aliases__alias")
    inlines = [PartyAliasInline]


@admin.register(Election)
class ElectionAdmin(NewsroomAdmin):
    list_display = ("name", "slug", "date", "previous", "speaker_party")
    list_select_related = ("previous", "speaker_party")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")
    action_form = PinActionForm
    actions = ("pin_to_blog",)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_pin_action(request, super().get_actions(request))

    @admin.action(description="Pin the scoreboard to live blog…")
    def pin_to_blog(self, request: HttpRequest, queryset: QuerySet[Election]) -> None:
        _pin_selected(self, request, queryset, noun="election")


@admin.register(Constituency)
class ConstituencyAdmin(NewsroomAdmin):
    list_display = ("name", "ons_id", "region", "country")
    list_filter = ("country", "region")
    search_fields = ("name", "ons_id")
    prepopulated_fields = {"slug": ("name",)}


class CandidacyInline(admin.TabularInline):
    model = Candidacy
    fields = ("name", "party", "votes", "sitting_mp", "won_tie_break", "previous_share")
    autocomplete_fields = ("party",)
    extra = 0


class RevisionInline(admin.TabularInline):
    model = ResultRevision
    fields = ("number", "kind", "by", "at", "note", "changes")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResultAdminForm(forms.ModelForm):
    declare = forms.BooleanField(
        label="Declare now",
        required=False,
        initial=True,
        help_text="Untick to save the candidates and wait for the declaration.",
    )
    announce_in = forms.ModelChoiceField(
        queryset=LiveBlog.objects.filter(status=LiveBlog.Status.LIVE),
        required=False,
        label="Breaking post in",
        help_text="On declaring, file “Conservatives hold Milton Keynes South” with the card "
        "in this live blog. Leave blank for no post.",
    )
    correction_note = forms.CharField(
        required=False,
        max_length=300,
        label="Why the correction",
        help_text="Kept with the revision, e.g. “Official count”.",
    )

    class Meta:
        model = ConstituencyResult
        fields = ("election", "constituency", "electorate", "invalid_votes", "previous_winner")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "announce_in" in self.fields:
            blogs = self.fields["announce_in"].queryset  # type: ignore[attr-defined]  # a ModelChoiceField
            if blogs.count() == 1:
                self.fields["announce_in"].initial = blogs.first()


@admin.register(ConstituencyResult)
class ConstituencyResultAdmin(NewsroomAdmin):
    form = ResultAdminForm
    list_display = ("constituency", "election", "status", "headline", "declared_at")
    list_filter = ("election", "status")
    search_fields = ("constituency__name", "constituency__ons_id")
    list_select_related = ("constituency", "election")
    autocomplete_fields = ("constituency",)
    inlines = [CandidacyInline, RevisionInline]
    action_form = PinActionForm
    actions = ("pin_to_blog",)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_pin_action(request, super().get_actions(request))

    @admin.action(description="Pin to live blog…")
    def pin_to_blog(self, request: HttpRequest, queryset: QuerySet[ConstituencyResult]) -> None:
        _pin_selected(self, request, queryset, noun="result")

    @admin.display(description="Result")
    def headline(self, obj: ConstituencyResult) -> str:
        return obj.get_status_display()

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConstituencyResult]:
        return super().get_queryset(request).select_related("constituency", "election")

    def get_fieldsets(self, request: HttpRequest, obj: ConstituencyResult | None = None) -> Any:
        seat = ("election", "constituency", "electorate", "invalid_votes", "previous_winner")
        if obj is None or obj.status == ConstituencyResult.Status.AWAITING:
            return (
                (None, {"fields": seat}),
                ("Declaration", {"fields": ("declare", "announce_in")}),
            )
        return (
            (None, {"fields": (*seat, "status", "declared_at", "current_result")}),
            ("Correction", {"fields": ("correction_note",)}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return (
            "election",
            "constituency",
            "previous_winner",
            "status",
            "declared_at",
            "current_result",
        )

    @admin.display(description="Now shows")
    def current_result(self, obj: ConstituencyResult) -> str:
        figures = result_figures(ConstituencyResult.objects.for_card().get(pk=obj.pk))
        return f"{figures.headline}, majority {figures.majority or 0:,}"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Saved in save_related, with its candidates, by the services: one action each.
        pass

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        data = form.cleaned_data
        entries = [
            services.CandidateEntry(
                name=f.cleaned_data["name"],
                party=f.cleaned_data["party"],
                votes=f.cleaned_data.get("votes") or 0,
                sitting_mp=f.cleaned_data.get("sitting_mp", False),
                won_tie_break=f.cleaned_data.get("won_tie_break", False),
                previous_share=f.cleaned_data.get("previous_share"),
            )
            for formset in formsets
            if formset.model is Candidacy
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        for formset in formsets:
            # The admin's change message reads these; nothing is saved through formsets.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        obj: ConstituencyResult = form.instance
        try:
            # The service decides: open, declare, keep awaiting figures, or correct.
            entered = services.enter_result(
                obj if change else None,
                by=liveblog_permissions.acting_user(request),
                candidates=entries,
                electorate=data.get("electorate"),
                invalid_votes=data.get("invalid_votes") or 0,
                declare=bool(data.get("declare")),
                election=data.get("election"),
                constituency=data.get("constituency"),
                previous_winner=data.get("previous_winner"),
                announce_in=data.get("announce_in"),
                note=data.get("correction_note", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            # Raised out of the save's transaction: it rolls back, and the form is shown
            # again with the reason (NewsroomAdmin).
            raise SaveRefused.from_error(exc) from exc
        obj.pk, obj.status = entered.result.pk, entered.result.status


@admin.register(PostResultCard)
class PostResultCardAdmin(NewsroomAdmin):
    list_display = ("post", "result", "election", "order")
    list_select_related = ("post", "result__constituency", "result__election", "election")
    autocomplete_fields = ("post", "result", "election")

    def save_model(
        self, request: HttpRequest, obj: PostResultCard, form: Any, change: bool
    ) -> None:
        with refusals_shown_on_the_form():
            self._save_card(request, obj, change=change)

    def _save_card(self, request: HttpRequest, obj: PostResultCard, *, change: bool) -> None:
        by = liveblog_permissions.acting_user(request)
        if change:
            services.update_result_card(
                obj, by=by, order=obj.order, result=obj.result, election=obj.election
            )
            return
        if obj.result is not None:
            card = services.attach_result_card(obj.post, obj.result, by=by)
        else:
            # A card without a result has an election (MSG_CARD_KIND, checked by the form).
            card = services.attach_scoreboard_card(obj.post, obj.election, by=by)  # type: ignore[arg-type]
        obj.pk = card.pk

    def delete_model(self, request: HttpRequest, obj: PostResultCard) -> None:
        with refusals_shown_on_the_form():
            services.detach_result_card(obj, by=liveblog_permissions.acting_user(request))


# Result cards on the post form (PostAdmin.inlines) -------------------------------------------


class ResultCardForm(forms.ModelForm):
    class Meta:
        model = PostResultCard
        fields = ["result", "election", "order"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (data.get("result") is None) == (data.get("election") is None):
            raise ValidationError(MSG_CARD_KIND, code="card_kind")
        return data


class ResultCardFormSet(PostPartFormSet):
    """Saves cards through results.services; readers get the post once per save, with its
    pictures and embeds (liveblog.admin_base)."""

    def save_new(self, form: ResultCardForm, commit: bool = True) -> PostResultCard:  # type: ignore[override]
        data = form.cleaned_data
        order = data.get("order") or 0
        if data.get("result") is not None:
            return services.attach_result_card(
                self.instance, data["result"], by=self.user, order=order
            )
        return services.attach_scoreboard_card(
            self.instance, data["election"], by=self.user, order=order
        )

    def save_existing(  # type: ignore[override]  # the formset's form is a ResultCardForm
        self, form: ResultCardForm, obj: PostResultCard, commit: bool = True
    ) -> PostResultCard:
        data = form.cleaned_data
        return services.update_result_card(
            obj,
            by=self.user,
            order=data.get("order") or 0,
            result=data.get("result"),
            election=data.get("election"),
        )

    def delete_existing(self, obj: PostResultCard, commit: bool = True) -> None:
        services.detach_result_card(obj, by=self.user)


class ResultCardInline(PostPartInline):
    """Result cards and scoreboards on the post form, for whoever may change the post and
    has the results rights (picking a result needs them: the choices come from the
    results admin)."""

    model = PostResultCard
    form = ResultCardForm
    formset = ResultCardFormSet
    fields = ("result", "election", "order")
    autocomplete_fields = ("result", "election")
    extra = 0
    verbose_name = "result card"
    verbose_name_plural = "Result cards (a constituency result or the national scoreboard)"

    def has_view_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return request.user.has_perm("results.view_postresultcard") and super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return request.user.has_perm("results.add_postresultcard") and super().has_add_permission(
            request, obj
        )

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return request.user.has_perm(
            "results.change_postresultcard"
        ) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return request.user.has_perm(
            "results.delete_postresultcard"
        ) and super().has_delete_permission(request, obj)
