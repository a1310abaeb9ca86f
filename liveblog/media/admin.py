"""Pictures and social embeds on the post form: admin inlines that save through the services.

The inline formsets never save models themselves: new, changed and deleted rows go to
liveblog.services (add_post_image, update_post_image, ...). The post's fragment is
re-rendered for readers once after all media inlines of a save, not once per row.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html

from liveblog import permissions
from liveblog.admin_base import refusals_shown_on_the_form
from liveblog.media import embeds, images
from liveblog.media import services as media_services
from liveblog.models import Post, PostEmbed, PostImage

MSG_CHOOSE_FILE = "Choose a picture to upload (JPEG, PNG, WebP or GIF)."
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


# One re-broadcast per admin save -------------------------------------------------------------


class _MediaBatch:
    """The media formsets built for one post form; the last one to save re-broadcasts."""

    def __init__(self) -> None:
        self.expected = 0
        self.saved = 0
        self.changed = False


def _batch_for(post: Post) -> _MediaBatch:
    # Every formset of one change form shares the same parent instance; a re-rendered form
    # (after a conflict) builds a new instance and so a new batch.
    batch = post.__dict__.get("_media_batch")
    if batch is None:
        batch = post.__dict__["_media_batch"] = _MediaBatch()
    return batch


class MediaFormSet(BaseInlineFormSet):
    """Saves rows through the services with broadcast=False, then re-broadcasts once."""

    # Set per request by MediaInline.get_formset (each call makes a fresh class).
    user: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.add_prefix("TOTAL_FORMS") not in self.data:
            # A post form submitted without the media section at all (a script, a client
            # that predates it) leaves pictures and embeds as they are, rather than failing
            # the whole save. A partial or tampered management form is still an error.
            data = self.data.copy()
            data[self.add_prefix("TOTAL_FORMS")] = "0"
            data[self.add_prefix("INITIAL_FORMS")] = "0"
            self.data = data
        _batch_for(self.instance).expected += 1

    def save(self, commit: bool = True) -> list[Any]:
        if not commit:
            raise ValueError("Media inlines save through the services; commit=False is unsupported")
        with refusals_shown_on_the_form():
            saved = super().save(commit=True)
        batch = _batch_for(self.instance)
        batch.saved += 1
        batch.changed |= bool(self.new_objects or self.changed_objects or self.deleted_objects)
        if batch.saved >= batch.expected and batch.changed:
            with refusals_shown_on_the_form():
                media_services.rebroadcast_post(self.instance, by=self.user)
            batch.changed = False
        return saved


class MediaInline(admin.TabularInline):
    extra = 1
    formset = MediaFormSet

    def get_formset(self, request: HttpRequest, obj: Post | None = None, **kwargs: Any) -> Any:
        formset_class = super().get_formset(request, obj, **kwargs)
        formset_class.user = request.user
        return formset_class

    # Pictures and embeds are part of the post: whoever may change the post may change them.
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


# Pictures --------------------------------------------------------------------------------------


class PostImageForm(forms.ModelForm):
    upload = forms.FileField(
        label="Picture",
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text="JPEG, PNG, WebP or GIF. Choose a new file to replace the picture.",
    )

    class Meta:
        model = PostImage
        fields = ["upload", "alt_text", "caption", "credit", "order"]
        error_messages = {"alt_text": {"required": media_services.MSG_ALT_TEXT}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decoded: images.DecodedImage | None = None

    def clean_upload(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("upload")
        if upload:
            # Decoded here so a refused file is reported next to the field, and only once.
            self.decoded = images.decode_image(upload)
        elif not self.instance.pk:
            raise forms.ValidationError(MSG_CHOOSE_FILE, code="required")
        return upload

    def clean_alt_text(self) -> str:
        alt_text = (self.cleaned_data.get("alt_text") or "").strip()
        if not alt_text:
            raise forms.ValidationError(media_services.MSG_ALT_TEXT, code="alt_text_required")
        return alt_text


class PostImageFormSet(MediaFormSet):
    def save_new(self, form: PostImageForm, commit: bool = True) -> PostImage:
        data = form.cleaned_data
        assert form.decoded is not None
        return media_services.add_post_image(
            self.instance,
            by=self.user,
            upload=form.decoded,
            alt_text=data["alt_text"],
            caption=data.get("caption", ""),
            credit=data.get("credit", ""),
            order=data.get("order") or 0,
            broadcast=False,
        )

    def save_existing(self, form: PostImageForm, obj: PostImage, commit: bool = True) -> PostImage:
        data = form.cleaned_data
        return media_services.update_post_image(
            obj,
            by=self.user,
            upload=form.decoded,
            alt_text=data["alt_text"],
            caption=data.get("caption", ""),
            credit=data.get("credit", ""),
            order=data.get("order") or 0,
            broadcast=False,
        )

    def delete_existing(self, obj: PostImage, commit: bool = True) -> None:
        media_services.remove_post_image(obj, by=self.user, broadcast=False)


class PostImageInline(MediaInline):
    model = PostImage
    form = PostImageForm
    formset = PostImageFormSet
    fields = ("preview", "upload", "alt_text", "caption", "credit", "order")
    readonly_fields = ("preview",)
    verbose_name = "picture"
    verbose_name_plural = "Pictures"

    @admin.display(description="Current")
    def preview(self, obj: PostImage) -> str:
        if not obj.pk or not obj.renditions:
            return "—"
        smallest = min(obj.renditions, key=lambda r: (r["format"] != "jpeg", r["width"]))
        return format_html(
            '<img src="{}" alt="" width="120" style="height:auto">',
            obj.storage.url(smallest["name"]),
        )


# Embeds ----------------------------------------------------------------------------------------


class PostEmbedForm(forms.ModelForm):
    # A plain text field: the allow-list gives the only error message, saying how to fix it.
    url = forms.CharField(
        label="Link to the post",
        max_length=embeds.MAX_URL_LENGTH,
        validators=[embeds.validate_embed_url],
        widget=forms.URLInput(attrs={"size": 60, "placeholder": "https://x.com/…/status/…"}),
        help_text=PostEmbed._meta.get_field("url").help_text,
    )

    class Meta:
        model = PostEmbed
        fields = ["url", "order"]


class PostEmbedFormSet(MediaFormSet):
    def save_new(self, form: PostEmbedForm, commit: bool = True) -> PostEmbed:
        data = form.cleaned_data
        return media_services.add_post_embed(
            self.instance,
            by=self.user,
            url=data["url"],
            order=data.get("order") or 0,
            broadcast=False,
        )

    def save_existing(self, form: PostEmbedForm, obj: PostEmbed, commit: bool = True) -> PostEmbed:
        data = form.cleaned_data
        return media_services.update_post_embed(
            obj,
            by=self.user,
            url=data["url"] if "url" in form.changed_data else None,
            order=data.get("order") or 0,
            broadcast=False,
        )

    def delete_existing(self, obj: PostEmbed, commit: bool = True) -> None:
        media_services.remove_post_embed(obj, by=self.user, broadcast=False)


class PostEmbedInline(MediaInline):
    model = PostEmbed
    form = PostEmbedForm
    formset = PostEmbedFormSet
    fields = ("url", "provider", "order")
    readonly_fields = ("provider",)
    verbose_name = "social media embed"
    verbose_name_plural = "Social media embeds (readers choose whether to load them)"
