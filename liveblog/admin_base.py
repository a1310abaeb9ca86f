"""What every newsroom admin shares: service refusals shown on the form, and hostile GET
parameters (pre-fills, filters) answered without a 500.

Admins subclass `NewsroomAdmin` and, where a service refuses a save after the form passed
(a race, a permission), raise `SaveRefused.from_error(exc)` from save_model/save_related.
The save's transaction rolls back, and the form is shown again with the service's message.

A whole save (the object and its inlines) is one `one_event_per_post()` block: readers get
each changed post once, rendered with everything the save changed. What a post carries
(pictures, embeds, result cards) is edited in `PostPartInline`s, which save through their
app's services.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BoundField
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liveblog import permissions
from liveblog.live.events import one_event_per_post
from liveblog.models import Post

MSG_NOTHING_SAVED = "Nothing was saved: {reason}"
MSG_NOTHING_DELETED = "Nothing was deleted: {reason}"
MSG_BAD_FILTER = "That filter could not be applied, so the whole list is shown."

# Where a refusal waits for the form that is rendered again in the same request.
_REFUSAL_ATTR = "newsroom_admin_refusal"


class SaveRefused(Exception):
    """A service refused a save the form had accepted; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @classmethod
    def from_error(cls, exc: ValidationError | PermissionDenied) -> "SaveRefused":
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return cls(text)


@contextmanager
def refusals_shown_on_the_form() -> Iterator[None]:
    """Turn a service's refusal inside a save (or delete) into SaveRefused."""
    try:
        yield
    except (ValidationError, PermissionDenied) as exc:
        raise SaveRefused.from_error(exc) from exc


def _with_refusal(form_class: type[forms.ModelForm], reason: str) -> type[forms.ModelForm]:
    class RefusedForm(form_class):  # type: ignore[misc, valid-type]
        def clean(self) -> Any:
            cleaned = super().clean()
            self.add_error(None, MSG_NOTHING_SAVED.format(reason=reason))
            return cleaned

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


def valid_initial(form_class: type[forms.ModelForm], initial: dict[str, Any]) -> dict[str, Any]:
    """The pre-fills of `initial` that the form's own fields accept; the rest are dropped.

    The admin fills a form from GET parameters (`?blog=3&contributors=1,2`) and renders
    them without validating: junk there (`abc`, an id past the integer range, a date that
    is not one) would fail while rendering. A pre-fill is a convenience, so a bad one is
    simply left out.
    """
    fields = form_class.base_fields
    kept: dict[str, Any] = {}
    for name, value in initial.items():
        field = fields.get(name)
        if field is None:
            continue  # not on the form: never rendered
        if isinstance(field, forms.SplitDateTimeField) and isinstance(value, str):
            # The admin's date and time boxes take a datetime, not the text of one.
            field = forms.DateTimeField()
            try:
                value = field.clean(value)
            except ValidationError:
                continue
        try:
            field.clean(value)
        except (ValidationError, ValueError, TypeError, OverflowError):
            continue
        kept[name] = value
    return kept


# For the type checker the mixin is the ModelAdmin it goes before; at run time, a plain class.
if TYPE_CHECKING:
    _MixinBase = admin.ModelAdmin
else:
    _MixinBase = object


class NewsroomAdminMixin(_MixinBase):
    """Refusals on the form, GET input that cannot break a page; put before the ModelAdmin
    class (Django's own user and group admins get it in liveblog.admin)."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            with one_event_per_post():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except SaveRefused as refusal:
            # The save's transaction has rolled back. Show the form again, with what was
            # typed and the service's reason; this pass never gets as far as saving.
            setattr(request, _REFUSAL_ATTR, refusal.reason)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except SaveRefused as refusal:
            messages.error(request, MSG_NOTHING_DELETED.format(reason=refusal.reason))
            return HttpResponseRedirect(request.path)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        reason = getattr(request, _REFUSAL_ATTR, None)
        return _with_refusal(form_class, reason) if reason else form_class

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        return valid_initial(self.get_form(request), initial)

    def get_search_results(
        self, request: HttpRequest, queryset: Any, search_term: str
    ) -> tuple[Any, bool]:
        # PostgreSQL refuses NUL in text outright. A global middleware answers NUL in a
        # parameter with 400 first; this keeps the list and autocomplete safe without it.
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        # Django turns IncorrectLookupParameters into a redirect to the unfiltered list;
        # a date hierarchy past year 9999, a filter value the field cannot hold or a
        # lookup the database cannot run take the same way, with a message.
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.warning(request, MSG_BAD_FILTER)
            raise
        except (ValidationError, ValueError, TypeError, OverflowError) as exc:
            messages.warning(request, MSG_BAD_FILTER)
            raise IncorrectLookupParameters(exc) from exc


class NewsroomAdmin(NewsroomAdminMixin, admin.ModelAdmin):
    """Base for every admin here."""


# What a post carries, edited on its form ---------------------------------------------------


class LabelledBoundField(BoundField):
    """A field that renders its own label before its widget. The inline's table names its
    columns only in its header row; on a phone the rows are stacked (liveblog/css/admin.css)
    and every field needs its name beside it. On wide screens the label is visually hidden
    and names the field for screen readers."""

    def __str__(self) -> SafeString:
        widget = super().__str__()
        if self.is_hidden:
            return widget
        return format_html("{}{}", self.label_tag(attrs={"class": "part-label"}), widget)


class PostPartFormSet(BaseInlineFormSet):
    """Rows of something a post carries (pictures, embeds, result cards). Subclasses save
    each new, changed and deleted row through their services (save_new, save_existing,
    delete_existing); a service's refusal is shown on the form."""

    # Set per request by PostPartInline.get_formset (each call makes a fresh class).
    user: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.add_prefix("TOTAL_FORMS") not in self.data:
            # A post form submitted without this section at all (a script, a client that
            # predates it) leaves these rows as they are, rather than failing the whole
            # save. A partial or tampered management form is still an error.
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict, or a dict
            data[self.add_prefix("TOTAL_FORMS")] = "0"
            data[self.add_prefix("INITIAL_FORMS")] = "0"
            self.data = data

    def save(self, commit: bool = True) -> list[Any]:
        if not commit:
            raise ValueError("These rows save through the services; commit=False is unsupported")
        with refusals_shown_on_the_form():
            return super().save(commit=True)


class PostPartInline(admin.TabularInline):
    """Whoever may change the post may change what it carries. A table on wide screens,
    one field under the other on a phone (liveblog/css/admin.css)."""

    extra = 1
    formset = PostPartFormSet

    class Media:
        css = {"all": ["liveblog/css/admin.css"]}

    def get_formset(self, request: HttpRequest, obj: Post | None = None, **kwargs: Any) -> Any:
        formset_class = super().get_formset(request, obj, **kwargs)
        formset_class.user = request.user  # type: ignore[attr-defined]  # a PostPartFormSet
        # The form class is made afresh by the factory on every call.
        formset_class.form.bound_field_class = LabelledBoundField
        return formset_class

    def has_view_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return request.user.has_perm("liveblog.view_post") or self.has_change_permission(
            request, obj
        )

    def has_add_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if obj is None:
            return request.user.has_perm("liveblog.add_post")
        return permissions.can_edit_post(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if obj is None:
            return request.user.has_perm("liveblog.add_post")
        return permissions.can_edit_post(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return self.has_change_permission(request, obj)
