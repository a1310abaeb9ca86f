from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path

from liveblog import health
from liveblog.pages.sitemaps import SITEMAPS as LIVE_SITEMAPS
from results.sitemaps import SITEMAPS as RESULTS_SITEMAPS

admin.site.site_header = "Live blog newsroom"
admin.site.site_title = "Live blog newsroom"
admin.site.index_title = "Newsroom"

# A database error raised outside a view is a 503 too (liveblog.middleware).
handler500 = "liveblog.middleware.server_error"


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Looked up per request: the hashed name exists only once collectstatic has run.
    return HttpResponseRedirect(static_url("liveblog/img/icon.svg"))


urlpatterns = [
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API docs).
    path("favicon.ico", favicon),
    # Liveness and readiness (deploy/: nginx, the image's HEALTHCHECK, compose).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("results/", include("results.urls")),
    path("embed/results/", include("results.embed_urls")),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {**LIVE_SITEMAPS, **RESULTS_SITEMAPS}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("liveblog.pages.urls")),
]

if settings.SERVE_STATIC:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
