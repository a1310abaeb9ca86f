"""Serializer fields shared by the API's input serializers."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from liveblog.text import clean_text


class CleanCharField(serializers.CharField):
    """A CharField under the site's text rule (liveblog.text): NUL refused with the
    rule's message, control characters and non-characters removed."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            cleaned = clean_text(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.error_list[0].code) from exc
        return cleaned.strip() if self.trim_whitespace else cleaned
