from django.urls import path

from .views import ConstituencyResultApi, ScoreboardApi

urlpatterns = [
    path(
        "elections/<slug:slug>/scoreboard/",
        ScoreboardApi.as_view(),
        name="results-scoreboard",
    ),
    path(
        "elections/<slug:slug>/constituencies/<str:ons_id>/",
        ConstituencyResultApi.as_view(),
        name="results-constituency",
    ),
]
