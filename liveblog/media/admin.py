"""Pictures and social embeds on the post form: admin inlines that save through the services.

The inline formsets never save models themselves: new, changed and deleted rows go to
liveblog.media.services (add_post_image, update_post_image, ...). The admin's save is one
`one_event_per_post()` block (liveblog.admin_base), so readers get the post once, with all
its changes.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html

from liveblog.admin_base import PostPartFormSet, PostPartInline
from liveblog.media import embeds, images
from liveblog.media import services as media_services
from liveblog.models import PostEmbed, PostImage

MSG_CHOOSE_FILE = "Choose a picture to upload (JPEG, PNG, WebP or GIF)."
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


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


def _picture_fields(form: PostImageForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "alt_text": data["alt_text"],
        "caption": data.get("caption", ""),
        "credit": data.get("credit", ""),
        "order": data.get("order") or 0,
    }


class PostImageFormSet(PostPartFormSet):
    # A formset's forms are always its inline's form class.
    def save_new(self, form: PostImageForm, commit: bool = True) -> PostImage:  # type: ignore[override]
        assert form.decoded is not None
        return media_services.add_post_image(
            self.instance, by=self.user, upload=form.decoded, **_picture_fields(form)
        )

    def save_existing(  # type: ignore[override]
        self, form: PostImageForm, obj: PostImage, commit: bool = True
    ) -> PostImage:
        # No new file: the picture stays, its text and order change.
        return media_services.update_post_image(
            obj, by=self.user, upload=form.decoded, **_picture_fields(form)
        )

    def delete_existing(self, obj: PostImage, commit: bool = True) -> None:
        media_services.remove_post_image(obj, by=self.user)


class PostImageInline(PostPartInline):
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


class PostEmbedFormSet(PostPartFormSet):
    def save_new(self, form: PostEmbedForm, commit: bool = True) -> PostEmbed:  # type: ignore[override]
        data = form.cleaned_data
        return media_services.add_post_embed(
            self.instance,
            by=self.user,
            url=data["url"],
            order=data.get("order") or 0,
        )

    def save_existing(  # type: ignore[override]
        self, form: PostEmbedForm, obj: PostEmbed, commit: bool = True
    ) -> PostEmbed:
        data = form.cleaned_data
        return media_services.update_post_embed(
            obj,
            by=self.user,
            url=data["url"] if "url" in form.changed_data else None,
            order=data.get("order") or 0,
        )

    def delete_existing(self, obj: PostEmbed, commit: bool = True) -> None:
        media_services.remove_post_embed(obj, by=self.user)


class PostEmbedInline(PostPartInline):
    model = PostEmbed
    form = PostEmbedForm
    formset = PostEmbedFormSet
    fields = ("url", "provider", "order")
    readonly_fields = ("provider",)
    verbose_name = "social media embed"
    verbose_name_plural = "Social media embeds (readers choose whether to load them)"
