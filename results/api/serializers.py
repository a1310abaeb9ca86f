"""How a post's result cards appear in the live blog API (registered in results.apps)."""

from rest_framework import serializers


class ResultCardSerializer(serializers.Serializer):
    """A constituency result card, or the national scoreboard of an election."""

    kind = serializers.SerializerMethodField()
    election = serializers.SerializerMethodField()
    ons_id = serializers.SerializerMethodField()
    constituency = serializers.SerializerMethodField()

    def get_kind(self, card) -> str:
        return "scoreboard" if card.is_scoreboard else "result"

    def get_election(self, card) -> str:
        return card.election.slug if card.is_scoreboard else card.result.election.slug

    def get_ons_id(self, card) -> str | None:
        return None if card.is_scoreboard else card.result.constituency.ons_id

    def get_constituency(self, card) -> str | None:
        return None if card.is_scoreboard else card.result.constituency.name

    class Meta:
        ref_name = "PostResultCard"
