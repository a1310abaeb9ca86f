"""Serializer fields shared by the API's input serializers."""

from datetime import UTC
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from liveblog.text import clean_text


class CleanCharField(serializers.CharField):
    """A CharField under the site's text rule (liveblog.text): NUL refused with the
    rule's message, control characters and non-characters removed."""

    def to_internal_value(self, data: Any) -> str:
        # A string, as the schema says: DRF's CharField would also take 0 or 1.5.
        if not isinstance(data, str):
            self.fail("invalid")
        # The schema's maxLength holds for what was sent, before the rule shortens it.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        value = super().to_internal_value(data)
        try:
            cleaned = clean_text(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.error_list[0].code) from exc
        return cleaned.strip() if self.trim_whitespace else cleaned


class UtcDateTimeField(serializers.DateTimeField):
    """A time the API returns, in UTC (`...Z`). In the server's zone, times before 1847 carry
    London's mean-time offset (-00:01:15), which RFC 3339 date-times cannot express."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(**kwargs)
