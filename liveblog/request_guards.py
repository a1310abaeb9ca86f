"""Refuse requests that carry NUL, before any view or query sees them.

No address, parameter, cookie or form field of the site has a use for NUL (U+0000), and
PostgreSQL refuses it in text, so a `%00` reaching a lookup was a 500. This middleware answers
400 with a clear message when the path, the query string, a cookie, a header or an
urlencoded form body contains one. Multipart bodies are not read here (an upload must not be
parsed before the view has checked who sends it and how large it is): their text fields go
through form and serializer fields that refuse NUL (liveblog.text).
"""

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

from liveblog.text import CODE_NUL

MSG_NUL_IN_REQUEST = (
    "The request contains a NUL character (%00), which no address, parameter or form field "
    "of this site accepts. Remove it and try again."
)
URLENCODED = "application/x-www-form-urlencoded"

Handler = Callable[[HttpRequest], HttpResponse]
AsyncHandler = Callable[[HttpRequest], Awaitable[HttpResponse]]


def request_contains_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    # Only %00 (or a raw NUL) decodes to NUL, so the raw query string tells without parsing.
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            return True
    if any("\x00" in k or "\x00" in v for k, v in request.COOKIES.items()):
        return True
    if request.method == "POST" and request.content_type == URLENCODED:
        # Bounded by DATA_UPLOAD_MAX_MEMORY_SIZE; the form parses the same bytes later.
        body = request.body
        return b"%00" in body or b"\x00" in body
    return False


def nul_refused(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": MSG_NUL_IN_REQUEST, "code": CODE_NUL}, status=400)
    html = render_to_string("400.html", {"message": MSG_NUL_IN_REQUEST}, request=request)
    return HttpResponseBadRequest(html)


class RefuseNulMiddleware:
    """400 for a request with NUL anywhere a view could read it (module docstring)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Handler | AsyncHandler) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        if request_contains_nul(request):
            return nul_refused(request)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if request_contains_nul(request):
            return nul_refused(request)
        # is_async: get_response is the AsyncHandler.
        response: HttpResponse = await self.get_response(request)  # type: ignore[misc]
        return response
