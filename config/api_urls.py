"""Everything under /api/v1/: the live blog and results APIs, the OpenAPI schema and its docs."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace, csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

app_name = "api"

urlpatterns = [
    path("", include("liveblog.api.urls")),
    path("", include("results.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our own static files (drf-spectacular-sidecar): no third-party request.
    # The split view loads its start-up script from a URL, not inline (Content-Security-
    # Policy); Swagger UI itself needs inline styles and data: images. (Replaced, not
    # added to: a hash in style-src would make browsers ignore 'unsafe-inline'.)
    path(
        "docs/",
        csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(
            csp_update({"img-src": ["data:"]})(
                SpectacularSwaggerSplitView.as_view(url_name="api:schema")
            )
        ),
        name="docs",
    ),
]
