from django.urls import path

from results import embed_views

app_name = "results_embed"

urlpatterns = [
    path("<slug:election>/", embed_views.embed_scoreboard_page, name="scoreboard"),
    path(
        "<slug:election>/<slug:constituency>/",
        embed_views.embed_constituency_page,
        name="constituency",
    ),
]
