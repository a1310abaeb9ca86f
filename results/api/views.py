"""Read API: the national scoreboard and a constituency's result card.

Cached by the election's results version (results.caching): anonymous readers whose copy
is current get a 304 after the one query that reads the election."""

from collections.abc import Callable

from django.http import Http404, HttpResponseBase
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liveblog.api.fields import UtcDateTimeField
from results import caching, selectors
from results.figures import CandidateFigures, ResultFigures
from results.models import ConstituencyResult, Election

VARY = ("Cookie", "Authorization")


def _election(slug: str) -> Election:
    try:
        return selectors.get_election(slug)
    except Election.DoesNotExist as exc:
        raise Http404("No such election.") from exc


def _respond(
    request: Request, election: Election, build: Callable[[], Response]
) -> HttpResponseBase:
    return caching.respond(
        request,
        caching.election_validators(election),
        build,
        signed_in=request.user.is_authenticated,
        vary=VARY,
    )


class ScoreboardApi(APIView):
    permission_classes = [AllowAny]

    class PartySerializer(serializers.Serializer):
        code = serializers.CharField(source="party.code")
        name = serializers.CharField(source="party.name")
        seats = serializers.IntegerField()
        change = serializers.IntegerField()

    class OutputSerializer(serializers.Serializer):
        declared = serializers.IntegerField()
        total = serializers.IntegerField()
        parties = serializers.SerializerMethodField()
        others = serializers.SerializerMethodField()

        def get_parties(self, board: selectors.Scoreboard) -> list[dict]:
            rows = [row for row in board.parties if row.seats]
            # The stubs type .data as a dict; with many=True it is a list. (The return type
            # is the schema's, drf-spectacular reads it.)
            return ScoreboardApi.PartySerializer(rows, many=True).data  # type: ignore[return-value]

        def get_others(self, board: selectors.Scoreboard) -> dict:
            return {"seats": board.others_seats, "change": board.others_change}

    def get(self, request: Request, slug: str) -> HttpResponseBase:
        election = _election(slug)
        return _respond(
            request,
            election,
            lambda: Response(self.OutputSerializer(selectors.get_scoreboard(election)).data),
        )


class ConstituencyResultApi(APIView):
    permission_classes = [AllowAny]

    class PartySerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        colour = serializers.CharField()

    class CandidateSerializer(serializers.Serializer):
        name = serializers.CharField()
        party = serializers.SerializerMethodField()
        votes = serializers.IntegerField()
        share = serializers.FloatField(source="share_percent")
        change = serializers.FloatField(source="change_percent", allow_null=True)
        sitting_mp = serializers.BooleanField()
        elected = serializers.BooleanField()

        def get_party(self, candidate: CandidateFigures) -> dict:
            return ConstituencyResultApi.PartySerializer(candidate.party).data

    class OutputSerializer(serializers.Serializer):
        election = serializers.CharField(source="result.election.slug")
        ons_id = serializers.CharField(source="result.constituency.ons_id")
        constituency = serializers.CharField(source="result.constituency.name")
        slug = serializers.CharField(source="result.constituency.slug")
        status = serializers.CharField(source="result.status")
        declared_at = UtcDateTimeField(source="result.declared_at", allow_null=True)
        headline = serializers.CharField()
        winner = serializers.SerializerMethodField()
        outcome = serializers.CharField(allow_null=True)
        gained_from = serializers.SerializerMethodField()
        majority = serializers.IntegerField(allow_null=True)
        turnout = serializers.FloatField(source="turnout_percent", allow_null=True)
        electorate = serializers.IntegerField(source="result.electorate", allow_null=True)
        valid_votes = serializers.IntegerField()
        invalid_votes = serializers.IntegerField(source="result.invalid_votes")
        candidates = serializers.SerializerMethodField()

        def get_winner(self, card: ResultFigures) -> dict | None:
            if card.winner is None:
                return None
            return ConstituencyResultApi.CandidateSerializer(card.winner).data

        def get_gained_from(self, card: ResultFigures) -> dict | None:
            if card.gained_from is None:
                return None
            return ConstituencyResultApi.PartySerializer(card.gained_from).data

        def get_candidates(self, card: ResultFigures) -> list[dict]:
            candidates = ConstituencyResultApi.CandidateSerializer(card.candidates, many=True)
            return candidates.data  # type: ignore[return-value]  # many=True: a list

    def get(self, request: Request, slug: str, ons_id: str) -> HttpResponseBase:
        election = _election(slug)

        def build() -> Response:
            try:
                card = selectors.get_card_by_ons_id(election, ons_id)
            except ConstituencyResult.DoesNotExist as exc:
                raise Http404("No result for that constituency.") from exc
            return Response(self.OutputSerializer(card).data)

        return _respond(request, election, build)
