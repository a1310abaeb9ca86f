"""The sitemap of the live blogs (config.urls joins it with the results app's)."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from liveblog import selectors
from liveblog.models import LiveBlog


class LiveBlogSitemap(Sitemap):
    changefreq = "always"
    priority = 0.8

    def items(self) -> QuerySet[LiveBlog]:
        return selectors.list_blogs_for_sitemap()

    def lastmod(self, blog: LiveBlog) -> datetime:
        last_event_at = getattr(blog, "last_event_at", None)
        return max(blog.updated_at, last_event_at) if last_event_at else blog.updated_at


SITEMAPS = {"live": LiveBlogSitemap}
