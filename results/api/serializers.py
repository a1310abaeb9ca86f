"""How a post's result cards appear in the live blog API (registered in results.apps)."""

from rest_framework import serializers

from results.models import PostResultCard


class ResultCardSerializer(serializers.Serializer):
    """A constituency result card, or the national scoreboard of an election."""

    kind = serializers.SerializerMethodField()
    election = serializers.SerializerMethodField()
    ons_id = serializers.SerializerMethodField()
    constituency = serializers.SerializerMethodField()

    # A card has a result or an election, never both (MSG_CARD_KIND): hence the ignores.
    def get_kind(self, card: PostResultCard) -> str:
        return "scoreboard" if card.is_scoreboard else "result"

    def get_election(self, card: PostResultCard) -> str:
        return card.election.slug if card.is_scoreboard else card.result.election.slug  # type: ignore[union-attr]

    def get_ons_id(self, card: PostResultCard) -> str | None:
        return None if card.is_scoreboard else card.result.constituency.ons_id  # type: ignore[union-attr]

    def get_constituency(self, card: PostResultCard) -> str | None:
        return None if card.is_scoreboard else card.result.constituency.name  # type: ignore[union-attr]

    class Meta:
        ref_name = "PostResultCard"
