from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from liveblog.models import LiveBlog
from results.demo import load_results_demo


class Command(BaseCommand):
    help = "Import the 2017 results and attach the demo result cards (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        blog = LiveBlog.objects.filter(slug="general-election-2017").first()
        editor = get_user_model().objects.filter(username="editor").first()
        summary = load_results_demo(blog=blog, by=editor)
        self.stdout.write(
            f"{summary.election.name}: {summary.created} results new, "
            f"{summary.changed} changed, {summary.unchanged} unchanged."
        )
