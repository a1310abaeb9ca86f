"""The site's URLs plus the benchmark's references, served by the same server process:

- /bench/ok/: a view returning "ok" through the product's whole middleware stack (what the
  stack costs, against bench/bare_django.py's bare view);
- /bench/uncached/<slug>/: the live page view rendered on every request, without the
  per-seq cache and validators (what the page costs without this design).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from liveblog import selectors
from liveblog.pages import views


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def uncached(request: HttpRequest, slug: str) -> HttpResponse:
    blog = selectors.get_blog_for_readers(slug)
    response: HttpResponse = views.live_page.__wrapped__(request, blog)  # type: ignore[attr-defined]  # functools.wraps
    return response


urlpatterns = [
    path("bench/ok/", ok),
    path("bench/uncached/<slug:slug>/", uncached),
    *site_urlpatterns,
]
