from django.urls import path

from results import views

app_name = "results"

urlpatterns = [
    path("<slug:election>/", views.scoreboard_page, name="scoreboard"),
    path("<slug:election>/<slug:constituency>/", views.constituency_page, name="constituency"),
]
