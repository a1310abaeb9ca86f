import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.importers.hoc import ResultsImportError, import_results_csv


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date {value}: give the polling day as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Import House of Commons Library results (candidate file in either layout, plus the "
        "constituency file). All or nothing; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--election", required=True, help="Slug, e.g. ge2017.")
        parser.add_argument("--name", required=True, help='e.g. "General election 2017".')
        parser.add_argument("--date", required=True, help="Polling day, YYYY-MM-DD.")
        parser.add_argument(
            "--previous", help="Slug of the election HOLD/GAIN and changes are measured against."
        )
        parser.add_argument(
            "--speaker-party",
            metavar="CODE",
            help="Count the Speaker's seat for this party (e.g. CON); default: keep the "
            "election's setting (separately for a new election).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        polling_day = _date(options["date"])
        show = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()

        def progress(stage: str, done: int, total: int) -> None:
            if show and options["verbosity"] >= 1:
                end = "\n" if done == total else ""
                self.stdout.write(f"\r{stage}: {done}/{total}", ending=end)
                self.stdout.flush()

        try:
            summary = import_results_csv(
                options["files"],
                election=options["election"],
                name=options["name"],
                date=polling_day,
                previous=options["previous"],
                speaker_party=options["speaker_party"],
                progress=progress,
            )
        except ResultsImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.election.name}: {summary.constituencies} constituencies, "
                f"{summary.candidates} candidates; {summary.created} results new, "
                f"{summary.changed} changed, {summary.unchanged} unchanged."
            )
        )
