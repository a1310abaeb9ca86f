"""Reads for results: the national scoreboard, result cards, the posts that show a result."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet

from liveblog.models import Post
from results.figures import ResultFigures, find_winner, result_figures
from results.models import Candidacy, Constituency, ConstituencyResult, Election, Party

SPEAKER_CODE = "SPK"


@dataclass(frozen=True)
class PartySeats:
    party: Party
    seats: int
    change: int


@dataclass(frozen=True)
class Scoreboard:
    election: Election
    declared: int
    total: int
    parties: list[PartySeats]  # every party with a seat or a change, most seats first
    headline: list[PartySeats]  # the headline parties, in their order
    others_seats: int
    others_change: int


class Vote(NamedTuple):  # what find_winner reads (figures.VoteLike)
    name: str
    votes: int
    won_tie_break: bool
    party_id: int


def votes_by_result(election: Election) -> dict[int, list[Vote]]:
    """Every candidacy of `election` by its result's id, in one query."""
    votes: dict[int, list[Vote]] = {}
    for result_id, name, count, tie_break, party_id in Candidacy.objects.filter(
        result__election=election
    ).values_list("result_id", "name", "votes", "won_tie_break", "party_id"):
        votes.setdefault(result_id, []).append(Vote(name, count, tie_break, party_id))
    return votes


def get_scoreboard(election: Election) -> Scoreboard:
    """Seats and change since the previous election over the declared seats.

    Three queries whatever the number of seats. The Speaker's seat counts for
    `election.speaker_party` when set, as broadcasters count it, else for the Speaker.
    Change compares each declared seat's winner with its previous winner.
    """
    results = list(
        ConstituencyResult.objects.filter(election=election).values_list(
            "id", "status", "previous_winner_id"
        )
    )
    votes = votes_by_result(election)
    parties = {p.pk: p for p in Party.objects.all()}

    speaker_ids = {pk for pk, p in parties.items() if p.code == SPEAKER_CODE}

    def counted_for(party_id: int) -> int:
        if party_id in speaker_ids and election.speaker_party_id:
            return election.speaker_party_id
        return party_id

    seats: Counter[int] = Counter()
    before: Counter[int] = Counter()
    declared = 0
    for result_id, status, previous_id in results:
        if status == ConstituencyResult.Status.AWAITING:
            continue
        winner = find_winner(votes.get(result_id, []))
        if winner is None:
            continue
        declared += 1
        seats[counted_for(winner.party_id)] += 1
        if previous_id is not None:
            before[counted_for(previous_id)] += 1

    rows = [
        PartySeats(party=party, seats=seats[pk], change=seats[pk] - before[pk])
        for pk, party in parties.items()
        if seats[pk] or before[pk] or party.is_headline
    ]
    rows.sort(key=lambda r: (-r.seats, r.party.order, r.party.name))
    headline = sorted((r for r in rows if r.party.is_headline), key=lambda r: r.party.order)
    others = [r for r in rows if not r.party.is_headline]
    return Scoreboard(
        election=election,
        declared=declared,
        total=len(results),
        parties=[r for r in rows if r.seats or r.change or r.party.is_headline],
        headline=headline,
        others_seats=sum(r.seats for r in others),
        others_change=sum(r.change for r in others),
    )


def get_election(slug: str) -> Election:
    return Election.objects.select_related("previous", "speaker_party").get(slug=slug)


def get_result_figures(result: ConstituencyResult) -> ResultFigures:
    return result_figures(ConstituencyResult.objects.for_card().get(pk=result.pk))


def get_card_by_slug(election: Election, constituency_slug: str) -> ResultFigures:
    """Raises ConstituencyResult.DoesNotExist."""
    result = ConstituencyResult.objects.for_card().get(
        election=election, constituency__slug=constituency_slug
    )
    return result_figures(result)


def get_card_by_ons_id(election: Election, ons_id: str) -> ResultFigures:
    """Raises ConstituencyResult.DoesNotExist."""
    result = ConstituencyResult.objects.for_card().get(
        election=election, constituency__ons_id=ons_id
    )
    return result_figures(result)


def list_posts_showing(result: ConstituencyResult) -> QuerySet[Post]:
    """Visible live blog posts with this result's card, newest first."""
    return (
        Post.objects.visible()
        .filter(result_cards__result=result)
        .select_related("blog")
        .newest_first()
        .distinct()
    )


def list_constituencies(election: Election) -> QuerySet[Constituency]:
    return Constituency.objects.filter(results__election=election).order_by("name")


@dataclass(frozen=True)
class ConstituencyToken:
    """What a constituency page's validators need: its result, and (id, last seq, last
    edit) of each live blog with a post that shows it."""

    result_id: int
    blogs: tuple[tuple[int, int, datetime], ...]


def get_constituency_token(election: Election, constituency_slug: str) -> ConstituencyToken:
    """One query. Raises ConstituencyResult.DoesNotExist."""
    rows = list(
        ConstituencyResult.objects.filter(election=election, constituency__slug=constituency_slug)
        .values_list(
            "pk",
            "post_cards__post__blog_id",
            "post_cards__post__blog__last_seq",
            "post_cards__post__blog__updated_at",
        )
        .order_by("post_cards__post__blog_id")
        .distinct()
    )
    if not rows:
        raise ConstituencyResult.DoesNotExist
    blogs = tuple((blog, seq, at) for _, blog, seq, at in rows if blog is not None)
    return ConstituencyToken(result_id=rows[0][0], blogs=blogs)
