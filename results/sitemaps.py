"""Sitemaps of the election results pages: scoreboards and constituencies."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from results.models import ConstituencyResult, Election


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


SITEMAPS = {"elections": ElectionSitemap, "results": ConstituencyResultSitemap}
