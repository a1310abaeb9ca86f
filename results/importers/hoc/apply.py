"""Apply the House of Commons Library's files (parsed by .parse) through results.services.

All or nothing: the files are checked first, then every seat is entered in one transaction
with results.services.enter_result, the write path the admin uses, so each result is
written under its row lock with a revision; a post showing the results gets one event at
the end. An import is a correction like any other: a seat that an editor corrected since
is set back to the file's figures, with an “imported” revision saying what changed.
Importing the same files again changes nothing.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.text import slugify

from liveblog.live.events import one_event_per_post
from results import services
from results.figures import result_figures
from results.importers.hoc.layouts import ResultsImportError
from results.importers.hoc.parse import UK, PartyName, ResultsFiles, SeatRow, parse_files
from results.models import Constituency, ConstituencyResult, Election, Party
from results.parties import PartyResolver, ensure_known_parties

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportSummary:
    election: Election
    constituencies: int
    candidates: int
    created: int
    changed: int
    unchanged: int


@dataclass
class SeatCounts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Baseline:
    """The previous election as the database has it: who won each seat, each party's share."""

    winners: dict[str, Party]  # by ONS id
    shares: dict[tuple[str, int], Decimal]  # by (ONS id, party id)

    @classmethod
    def of(cls, previous: Election | None) -> "Baseline":
        winners: dict[str, Party] = {}
        shares: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        if previous is None:
            return cls(winners=winners, shares=shares)
        for result in ConstituencyResult.objects.filter(election=previous).declared().for_card():
            figures = result_figures(result)
            ons_id = result.constituency.ons_id
            if figures.winner is not None:
                winners[ons_id] = figures.winner.party
            for c in figures.candidates:
                shares[(ons_id, c.party.pk)] += Decimal(str(round(c.share, 6)))
        return cls(winners=winners, shares=shares)


def import_results_csv(
    paths: Sequence[Path | str],
    *,
    election: str,
    name: str,
    date: date,
    previous: str | None = None,
    speaker_party: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import the Library's files for one election; all or nothing, and idempotent.

    `previous` is the slug of the election HOLD/GAIN and changes are measured against; its
    results are used when in the database, else the constituency file's result column and
    the candidate file's change column. `speaker_party` is the code of the party the
    Speaker's seat counts for (None keeps the election's current setting).
    """
    report = progress or (lambda stage, done, total: None)
    report("Reading files", 0, len(paths))
    files = parse_files(paths)
    report("Reading files", len(paths), len(paths))
    # One transaction; a post showing the scoreboard (or several of the seats) gets one
    # event at its end, not one per seat.
    with one_event_per_post():
        ensure_known_parties()
        speaker = None
        if speaker_party:
            speaker = Party.objects.filter(code__iexact=speaker_party).first()
            if speaker is None:
                raise ResultsImportError(
                    [f"--speaker-party {speaker_party}: no party has that code."]
                )
        party_of = _resolve_parties(files.party_names())
        previous_election = Election.objects.filter(slug=previous).first() if previous else None
        the_election, _ = Election.objects.update_or_create(
            slug=election,
            defaults={
                "name": name,
                "date": date,
                "previous": previous_election,
                **({"speaker_party": speaker} if speaker is not None else {}),
            },
        )
        counts = _enter_seats(
            the_election,
            files,
            constituencies=_save_constituencies(files.seats),
            party_of=party_of,
            baseline=Baseline.of(previous_election),
            report=report,
        )
    return ImportSummary(
        election=the_election,
        constituencies=len(files.seats),
        candidates=files.candidates,
        created=counts.created,
        changed=counts.changed,
        unchanged=counts.unchanged,
    )


def _resolve_parties(names: Sequence[PartyName]) -> Callable[[PartyName], Party]:
    """Find every party the files name, creating those no name, alias or code matches."""
    resolver = PartyResolver()
    found = {name: resolver.resolve(name.name, name.abbreviation) for name in names}
    by_code = resolver.create_planned()

    def party_of(name: PartyName) -> Party:
        party = found[name]
        return party if isinstance(party, Party) else by_code[party]

    return party_of


def _unique_slug(name: str, ons_id: str, taken: set[str]) -> str:
    slug = slugify(name)[:100] or ons_id.lower()
    if slug in taken:
        slug = f"{slug}-{ons_id.lower()}"
    taken.add(slug)
    return slug


def _save_constituencies(seats: dict[str, SeatRow]) -> dict[str, Constituency]:
    """The seats' constituencies by ONS id: new ones created, names and regions updated."""
    existing = {c.ons_id: c for c in Constituency.objects.all()}
    taken = {c.slug for c in existing.values()}
    new, changed = [], []
    for seat in seats.values():
        current = existing.get(seat.ons_id)
        if current is None:
            new.append(
                Constituency(
                    ons_id=seat.ons_id,
                    name=seat.name,
                    slug=_unique_slug(seat.name, seat.ons_id, taken),
                    region=seat.region,
                    country=seat.country,
                )
            )
        elif (current.name, current.region, current.country) != (
            seat.name,
            seat.region or current.region,
            seat.country or current.country,
        ):
            current.name = seat.name
            current.region = seat.region or current.region
            current.country = seat.country or current.country
            changed.append(current)
    Constituency.objects.bulk_create(new, batch_size=500)
    Constituency.objects.bulk_update(changed, ["name", "region", "country"], batch_size=500)
    return {c.ons_id: c for c in Constituency.objects.filter(ons_id__in=seats.keys())}


def _entries(
    seat: SeatRow, party_of: Callable[[PartyName], Party], baseline: Baseline
) -> list[services.CandidateEntry]:
    entries = []
    for c in seat.candidates:
        party = party_of(c.party)
        if baseline.winners:
            share = baseline.shares.get((seat.ons_id, party.pk))
        else:
            share = c.previous_share
        entries.append(
            services.CandidateEntry(
                name=c.name,
                party=party,
                votes=c.votes,
                sitting_mp=c.sitting_mp,
                previous_share=share,
            )
        )
    return entries


def _enter_seats(
    election: Election,
    files: ResultsFiles,
    *,
    constituencies: dict[str, Constituency],
    party_of: Callable[[PartyName], Party],
    baseline: Baseline,
    report: Progress,
) -> SeatCounts:
    """Enter every seat through the services; how many results are new, changed, as were."""
    # Without a declaration time in the files, the night of polling day.
    fallback: datetime = datetime.combine(election.date, time(22, 0), tzinfo=UK)
    results = {r.constituency_id: r for r in ConstituencyResult.objects.filter(election=election)}
    counts = SeatCounts()
    total = len(files.seats)
    for done, seat in enumerate(files.seats.values(), start=1):
        if done % 50 == 0 or done == total:
            report("Writing results", done, total)
        constituency = constituencies[seat.ons_id]
        if baseline.winners and seat.ons_id in baseline.winners:
            previous_winner: Party | None = baseline.winners[seat.ons_id]
        else:
            previous_winner = party_of(seat.previous) if seat.previous else None
        result = results.get(constituency.pk)
        try:
            entered = services.enter_result(
                result,
                by=None,
                candidates=_entries(seat, party_of, baseline),
                electorate=seat.electorate,
                invalid_votes=seat.invalid_votes,
                declare=True,
                declared_at=seat.declared_at or fallback,
                election=election,
                constituency=constituency,
                previous_winner=previous_winner,
                note=f"Imported from {files.label}",
            )
        except (ValidationError, PermissionDenied) as exc:
            # What the services refuse and the files' checks let through (a result opened
            # meanwhile by an editor, say): the whole import rolls back.
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise ResultsImportError([f"{seat.where}: {seat.name}: {text}"]) from exc
        if result is None:
            counts.created += 1
        elif entered.outcome is services.Entered.UNCHANGED:
            counts.unchanged += 1
        else:
            counts.changed += 1
    return counts
