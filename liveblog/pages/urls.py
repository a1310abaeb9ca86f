from django.urls import path

from liveblog.pages import feeds, views

app_name = "liveblog"

urlpatterns = [
    path("", views.blog_index, name="index"),
    path("live/<slug:slug>/", views.live_page, name="live_page"),
    path("live/<slug:slug>/posts/<int:pk>/", views.post_permalink, name="post_permalink"),
    path("live/<slug:slug>/feed/", feeds.blog_feed, name="feed"),
    path("live/<slug:slug>/feed/key-events/", feeds.key_events_feed, name="feed_key_events"),
]
