from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Live blog newsroom"
admin.site.site_title = "Live blog newsroom"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("results/", include("results.urls")),
    path("", include("liveblog.urls")),
]

if settings.SERVE_STATIC:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
