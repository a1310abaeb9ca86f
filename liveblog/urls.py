from django.urls import path

from . import views

app_name = "liveblog"

urlpatterns = [
    path("", views.blog_index, name="index"),
    path("live/<slug:slug>/", views.live_page, name="live_page"),
]
