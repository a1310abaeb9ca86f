"""One error shape for the whole API: {"detail": message, "code": code, "fields": {...}}.

`detail` says what went wrong and how to fix it; `fields` (only when there are field errors)
maps each field to its messages. Django's ValidationError from the services becomes 400
(413 when a file is too large), PostConflict 409 with the post's current version.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from liveblog.middleware import (
    MSG_DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    log_database_unavailable,
)
from liveblog.pages.caching import DATABASE_UNAVAILABLE
from liveblog.services import PostConflict

MSG_INVALID_FIELDS = "Some fields are not valid; see `fields` for what to change."
MSG_TOO_LARGE = "The request is too large."
# Codes of liveblog.media.images errors that are about the size of the upload.
TOO_LARGE_CODES = frozenset({"too_big"})


def _django_validation_error(exc: DjangoValidationError) -> Response:
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        body = {"detail": MSG_INVALID_FIELDS, "code": "invalid", "fields": fields}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    codes = {e.code for e in exc.error_list if e.code}
    code = codes.pop() if len(codes) == 1 else "invalid"
    body = {"detail": " ".join(exc.messages), "code": code}
    if code in TOO_LARGE_CODES:
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _field_errors(data: Any) -> dict[str, list[str]]:
    if isinstance(data, dict):
        return {
            name: [str(m) for m in (value if isinstance(value, list) else [value])]
            for name, value in data.items()
        }
    return {"non_field_errors": [str(m) for m in data]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DATABASE_UNAVAILABLE):
        # 503, never 500: the write ran in one transaction, so it changed nothing.
        log_database_unavailable(context["request"], exc)
        body: dict[str, object] = {
            "detail": MSG_DATABASE_UNAVAILABLE,
            "code": "database_unavailable",
        }
        return Response(
            body,
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, PostConflict):
        body = {
            "detail": exc.message,
            "code": "conflict",
            "current_version": exc.current.version,
        }
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return _django_validation_error(exc)
    if isinstance(exc, RequestDataTooBig):
        body = {"detail": MSG_TOO_LARGE, "code": "too_large"}
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)

    # As DRF does, but before it, so the body below gets their code too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        nonfield = fields.pop("non_field_errors", None)
        response.data = {
            "detail": " ".join(nonfield) if nonfield and not fields else MSG_INVALID_FIELDS,
            "code": "invalid",
            **({"fields": fields} if fields else {}),
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", None) or exc.default_code,
        }
    return response
