import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from liveblog.media import images
from liveblog.models import Contributor, LiveBlog, Post
from liveblog.pages import framing
from liveblog.sanitize import clean_body
from liveblog.services import BLOG_FIELDS, MSG_CONFLICT, MSG_EMPTY_POST

# What the reporter's toolbar offers: exactly the tags liveblog.sanitize allows.
BODY_EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HardBreak": True,
        # Reporters type fast on phones: keep the browser's spellchecker on.
        "NoSpellCheck": False,
    }
}


class PostAdminForm(forms.ModelForm):
    body = ProseEditorFormField(
        config=BODY_EDITOR_CONFIG,
        sanitize=clean_body,
        required=False,
        widget=AdminProseEditorWidget,
        help_text="Bold, italic, links, lists and quotes. Pasted text is cleaned on save.",
    )
    # The version the reporter started from; a save from an older version is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Post
        fields = [
            "blog",
            "headline",
            "body",
            "contributors",
            "status",
            "published_at",
            "is_breaking",
            "is_key_event",
            "is_pinned",
            "version",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "published_at" in self.fields:
            # The admin does not pass `initial` when it binds a POST; the hidden copy of the
            # time the form opened with lets changed_data tell "left as it was" (file it at
            # save time) from "the reporter chose this time".
            self.fields["published_at"].show_hidden_initial = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk:
            self._check_version(cleaned.get("version"))
        headline = (cleaned.get("headline") or "").strip()
        if not headline and not cleaned.get("body"):
            raise forms.ValidationError(MSG_EMPTY_POST, code="empty_post")
        return cleaned

    def _check_version(self, submitted: int | None) -> None:
        current = Post.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
        current_version = current.first()
        if submitted is None or current_version is None or submitted == current_version:
            return
        latest = Post.objects.get(pk=self.instance.pk)
        editor = latest.updated_by.get_username() if latest.updated_by else "someone"
        # Let a second save knowingly replace their version: it now starts from theirs.
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict, or a dict
        data[self.add_prefix("version")] = str(current_version)
        self.data = data
        raise forms.ValidationError(
            "%(conflict)s %(who)s saved it at %(when)s. Their version has headline "
            "“%(headline)s” and text: “%(text)s”. Your edit is still in the form below: "
            "copy what you need, or save again to replace their version with yours.",
            code="conflict",
            params={
                "conflict": MSG_CONFLICT,
                "who": editor,
                "when": timezone.localtime(latest.updated_at).strftime("%H:%M:%S %Z"),
                "headline": latest.headline or "(none)",
                "text": latest.body_text[:500],
            },
        )


class ContributorAdminForm(forms.ModelForm):
    """The avatar is a plain upload, decoded here (a refused file is reported next to the
    field) and stored by services.save_contributor through the image pipeline: the model's
    own file field never sees the upload, so nothing is stored as it came."""

    avatar_upload = forms.FileField(
        label="Avatar",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text="JPEG, PNG, WebP or GIF; kept at most 400 pixels on its long side, "
        "without its metadata. Choose a file to replace the current one.",
    )
    remove_avatar = forms.BooleanField(label="Remove the avatar", required=False)

    class Meta:
        model = Contributor
        fields = ["name", "role", "user", "signers"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decoded: images.DecodedImage | None = None

    def clean_avatar_upload(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("avatar_upload")
        if upload:
            self.decoded = images.decode_image(upload)
        return upload


class EmbedOriginsField(forms.Field):
    """Partner sites, one per line (commas and spaces separate too), as canonical origins."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60, "placeholder": "https://news.example"})
    # Far more than twenty origins: the list's own limit gives the message.
    max_length = 20_000

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            value = "\n".join(str(item) for item in value)
        text = str(value or "")
        if len(text) > self.max_length:
            raise forms.ValidationError(
                framing.MSG_TOO_MANY_ORIGINS,
                code="too_many_origins",
                params={"limit": framing.MAX_EMBED_ORIGINS},
            )
        return framing.parse_origins(re.split(r"[\s,]+", text))

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(value)
        return "" if value is None else str(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (initial or [])
        except forms.ValidationError:
            return True


class LiveBlogAdminForm(forms.ModelForm):
    embed_origins = EmbedOriginsField(
        label="Partner sites",
        required=False,
        help_text=LiveBlog._meta.get_field("embed_origins").help_text,
    )

    class Meta:
        model = LiveBlog
        # What the services let callers set (the admin saves through update_blog), in the
        # model's order.
        fields = [f.name for f in LiveBlog._meta.fields if f.name in BLOG_FIELDS]
