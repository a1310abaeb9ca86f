from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.ingest import import_pa_seats

DEFAULT = Path("data") / "pa-seats.csv"


class Command(BaseCommand):
    help = (
        "Load the PA seat lookup (PA number and name to ONS code) from a CSV file with "
        "pa_number, pa_name and ons_id columns, as manage.py pa_export writes it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT), metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            summary = import_pa_seats(path)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except ValidationError as exc:
            raise CommandError(f"{path}: {'; '.join(exc.messages)} Nothing was loaded.") from exc
        done = "loaded" if summary.changed else "already loaded, nothing changed"
        self.stdout.write(self.style.SUCCESS(f"{summary.rows} PA seats {done}."))
