"""The one rule for text that people (or their files and feeds) write into the site.

Every text field a user writes goes through `clean_text` on the way in: the admin's forms
and the API's serializers through the field classes below, the services and importers by
calling it, and everything saved through a model field of this module again in `pre_save`.
The coming PA results feed calls `clean_text` on each text value it reads.

The rule, one for every field kind:
- NUL (U+0000) is refused with a ValidationError (code "null_character"): it never comes
  from typing or pasting, PostgreSQL cannot store it, and XML cannot carry it. The caller
  says which field; nothing is saved.
- Line breaks are normalised: CR LF and CR become LF. Vertical tab and form feed (how Word
  writes a manual line break or page break into pasted text) become LF too.
- Other control characters (C0 but tab and LF, DEL, C1), Unicode non-characters (U+FDD0 to
  U+FDEF and the last two code points of every plane, e.g. U+FFFE, U+FFFF) and lone
  surrogates (which no UTF-8 encoder accepts) are removed without a word: they are invisible
  debris of copy and paste, and refusing a reporter's post for them would cost minutes on
  election night for nothing a reader could see.
- Tab and LF are kept in every kind of field; single-line fields keep what the form's own
  whitespace stripping leaves.
Identifiers (slugs, ONS ids, party codes, colours, time zones) have format validators that
refuse anything but their own characters, so control characters there are a clear error.

`scrub_text` is the same rule for output that must never fail on text stored before the
rule existed (the Atom feeds' XML writer): NUL is removed too instead of refused.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

MSG_NUL = (
    "This text contains a NUL character (U+0000), which the site does not accept. Remove "
    "it (retype the text or paste it as plain text) and try again."
)
CODE_NUL = "null_character"

_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c]")
_NON_CHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
# Removed everywhere: C0 controls but tab and LF (VT, FF and CR are turned into LF first),
# DEL and C1 controls, lone surrogates, non-characters.
_REMOVED = re.compile(
    "[\x01-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + re.escape(_NON_CHARACTERS) + "]"
)


def contains_nul(value: str) -> bool:
    return "\x00" in value


def clean_text(value: str, *, field: str | None = None) -> str:
    """`value` under the site's text rule (module docstring). Idempotent.

    Raises ValidationError (code "null_character") if it contains NUL, keyed by `field`
    when given (so forms and the API show it next to that field)."""
    if contains_nul(value):
        error = ValidationError(MSG_NUL, code=CODE_NUL)
        raise ValidationError({field: [error]}) if field else error
    return _REMOVED.sub("", _LINE_BREAKS.sub("\n", value))


def scrub_text(value: str) -> str:
    """The same rule for output of stored text: never raises, NUL is removed."""
    return clean_text(value.replace("\x00", ""))


# Field classes: one per layer, all calling clean_text. -----------------------------------


class CleanTextFormMixin:
    """A form field that applies clean_text to what was submitted."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)  # type: ignore[misc]
        return clean_text(value) if isinstance(value, str) else value


class CleanCharFormField(CleanTextFormMixin, forms.CharField):
    pass


class _CleanModelFieldMixin:
    """A model text field under the rule: forms made from it clean what is submitted,
    `full_clean` cleans, and every save cleans again (refusing NUL), whatever the path.

    Migrations see the plain Django field (deconstruct), since the rule changes nothing in
    the database schema.
    """

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)  # type: ignore[misc]
        return clean_text(value) if isinstance(value, str) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        if not isinstance(value, str):
            return value
        cleaned = clean_text(value, field=self.name)  # type: ignore[attr-defined]
        if cleaned != value:
            setattr(model_instance, self.attname, cleaned)  # type: ignore[attr-defined]
        return cleaned

    migration_path: str

    def formfield(self, **kwargs: Any) -> Any:
        # With choices Django builds a TypedChoiceField and ignores form_class.
        kwargs.setdefault("form_class", CleanCharFormField)
        return super().formfield(**kwargs)  # type: ignore[misc]

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, _path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        return name, self.migration_path, args, kwargs


class CleanCharField(_CleanModelFieldMixin, models.CharField):
    """A CharField under the site's text rule."""

    migration_path = "django.db.models.CharField"


class CleanTextField(_CleanModelFieldMixin, models.TextField):
    """A TextField under the site's text rule."""

    migration_path = "django.db.models.TextField"
