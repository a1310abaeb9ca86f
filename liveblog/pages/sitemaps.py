"""Sitemaps: the live blogs and the election results pages (scoreboards and constituencies)."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from liveblog import selectors
from liveblog.models import LiveBlog
from results.models import ConstituencyResult, Election


class LiveBlogSitemap(Sitemap):
    changefreq = "always"
    priority = 0.8

    def items(self) -> QuerySet[LiveBlog]:
        return selectors.list_blogs_for_sitemap()

    def lastmod(self, blog: LiveBlog) -> datetime:
        last_event_at = getattr(blog, "last_event_at", None)
        return max(blog.updated_at, last_event_at) if last_event_at else blog.updated_at


class ElectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.6

    def items(self) -> QuerySet[Election]:
        return Election.objects.order_by("-date", "pk")


class ConstituencyResultSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.5

    def items(self) -> QuerySet[ConstituencyResult]:
        return ConstituencyResult.objects.select_related("election", "constituency").order_by(
            "election_id", "constituency__name", "pk"
        )

    def lastmod(self, result: ConstituencyResult) -> datetime:
        return result.updated_at


SITEMAPS = {
    "live": LiveBlogSitemap,
    "elections": ElectionSitemap,
    "results": ConstituencyResultSitemap,
}
