from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.feeds.pa_export import export_election
from results.models import Election


class Command(BaseCommand):
    help = (
        "Write an election's results as PA Media XML files, laid out as PA delivers them "
        "(nominations/, results/, .timestamp), for rehearsing election night."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument("--election", required=True, help="Slug, e.g. ge2017.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            election = Election.objects.select_related("previous").get(slug=options["election"])
        except Election.DoesNotExist as exc:
            raise CommandError(
                f"No election {options['election']!r}: import its results first "
                "(manage.py import_results)."
            ) from exc
        directory = Path(options["directory"])
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        try:
            summary = export_election(election, directory)
        except OSError as exc:
            raise CommandError(f"Cannot write to {directory}: {exc.strerror}.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{election.name}: {summary.files} files for {summary.seats} seats in {directory}."
            )
        )
