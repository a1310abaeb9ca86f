from django.urls import path, register_converter

from results.api.views import ConstituencyResultApi, ScoreboardApi


class OnsIdConverter:
    """An ONS constituency code (E14000530, W07000049, S14000001, N06000001): anything else
    is a 404 from the resolver, so no stray text reaches a lookup."""

    regex = "[A-Za-z0-9]{1,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OnsIdConverter, "ons_id")

urlpatterns = [
    path(
        "elections/<slug:slug>/scoreboard/",
        ScoreboardApi.as_view(),
        name="results-scoreboard",
    ),
    path(
        "elections/<slug:slug>/constituencies/<ons_id:ons_id>/",
        ConstituencyResultApi.as_view(),
        name="results-constituency",
    ),
]
