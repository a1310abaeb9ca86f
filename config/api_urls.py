"""Everything under /api/v1/: the live blog and results APIs, the OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import liveblog.api.schema  # noqa: F401  (registers schema extensions for the results API)

app_name = "api"

urlpatterns = [
    path("", include("liveblog.api.urls")),
    path("", include("results.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our own static files (drf-spectacular-sidecar): no third-party request.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
