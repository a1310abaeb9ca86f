from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liveblog.permissions import User
from results.feeds.watch import FOLDERS, FolderWatcher
from results.ingest import FEED_USERNAME, ensure_feed_user
from results.models import Election, IngestLog, PASeat
from results.services import PERM_DECLARE


class Command(BaseCommand):
    help = (
        "Follow a folder laid out as PA delivers it (nominations/, results/, .timestamp) and "
        "apply each new file once, in revision order, through the results services. "
        "Rejected files are moved to DIR/quarantine/; every file is in the ingest log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument("--once", action="store_true", help="Scan once and stop.")
        parser.add_argument(
            "--election", help="Slug of the election the files are for (default: the latest)."
        )
        parser.add_argument(
            "--by",
            default=FEED_USERNAME,
            help=f"The account results are declared as (default {FEED_USERNAME}, created "
            "when missing with only the right to declare results; another must exist).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        if not any((directory / folder).is_dir() for folder in FOLDERS):
            raise CommandError(f"{directory} has neither nominations/ nor results/.")
        slug = options["election"]
        election = Election.objects.filter(slug=slug).first() if slug else Election.objects.first()
        if election is None:
            raise CommandError(
                f"No election {slug!r}." if slug else "No election yet: create one first."
            )
        if not PASeat.objects.exists():
            raise CommandError(
                "The PA seat lookup is empty: load it first (manage.py load_pa_seats FILE)."
            )
        if options["by"] == FEED_USERNAME:
            by = ensure_feed_user()
        else:
            # Another account must exist already: a typo should not create one.
            found = User.objects.filter(username=options["by"]).first()
            if found is None:
                raise CommandError(f"No account {options['by']!r}.")
            by = found
        if not by.has_perm(PERM_DECLARE):
            raise CommandError(f"{options['by']} may not declare results.")

        def show(entry: IngestLog) -> None:
            text = f"{entry.state:8} {entry.file}"
            if entry.reason:
                text += f": {entry.reason}"
            style = self.style.ERROR if entry.state == IngestLog.State.REJECTED else str
            self.stdout.write(style(text))

        watcher = FolderWatcher(directory, election=election, by=by, on_entry=show)
        self.stdout.write(f"Watching {directory} for {election.name} as {watcher.process}.")
        try:
            watcher.run(once=options["once"])
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
