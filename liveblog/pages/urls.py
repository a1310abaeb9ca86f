from django.urls import path

from liveblog.pages import embed, feeds, views

app_name = "liveblog"

urlpatterns = [
    path("", views.blog_index, name="index"),
    path("live/<slug:slug>/", views.live_page, name="live_page"),
    path("live/<slug:slug>/posts/<int:pk>/", views.post_permalink, name="post_permalink"),
    path("live/<slug:slug>/feed/", feeds.blog_feed, name="feed"),
    path("live/<slug:slug>/feed/key-events/", feeds.key_events_feed, name="feed_key_events"),
    # Partner embeds (liveblog.pages.embed).
    path("embed/live/<slug:slug>/", embed.embed_live_page, name="embed_live"),
    path("oembed", embed.oembed, name="oembed"),
]
