"""Elections, parties, constituencies and results.

Only facts are stored: votes, electorate, invalid votes, who stood for which party. Share,
change, majority, turnout, the winner and HOLD / GAIN are derived (see results.figures) and
never stored a second time.

The one exception is the *baseline* of a result: the previous election's winner and each
party's previous share in the seat. The importer fills it from the previous election's
results when they are in the database, else from the Library's files (the "Lab gain from
Con" column and the per-candidate change), so reads never need the previous election.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from liveblog.text import CleanCharField

if TYPE_CHECKING:
    from results.selectors import Scoreboard


class Party(models.Model):
    name = CleanCharField(max_length=120, unique=True)
    code = CleanCharField(
        max_length=10, unique=True, help_text="Short code shown on cards, e.g. CON, LAB, SNP."
    )
    collective_name = CleanCharField(
        max_length=120,
        blank=True,
        help_text="How a headline names the party: “Conservatives hold …”, “Labour gain …”.",
    )
    colour = models.CharField(
        max_length=7, default="#767676", help_text="Hex colour, e.g. #0087DC."
    )
    is_headline = models.BooleanField(
        "headline party",
        default=False,
        help_text="Shown as its own column in the national table; other parties count as Others.",
    )
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"),
                name="results_party_colour_hex",
                violation_error_message="Give the colour as # and six hex digits, e.g. #0087DC.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def headline_name(self) -> str:
        return self.collective_name or self.name

    @property
    def text_colour(self) -> str:
        """Black or white, whichever reads better on the party colour."""
        from results.colours import best_text_colour

        return best_text_colour(self.colour)


class PartyAlias(models.Model):
    """Another name or abbreviation a file may use for a party (“Labour and Co-operative”)."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="aliases")
    alias = CleanCharField(max_length=120, unique=True)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "party aliases"

    def __str__(self) -> str:
        return self.alias


class Election(models.Model):
    name = CleanCharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True)
    date = models.DateField()
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The election that HOLD / GAIN and changes are measured against.",
    )
    speaker_party = models.ForeignKey(
        Party,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Count the Speaker's seat for this party, as broadcasters do (the 2017 "
        "table counts John Bercow for the Conservatives). Blank counts it separately.",
    )
    # Moved by results.services with every change to the election's results, in the same
    # transaction: the results pages' and API's ETag (results.caching).
    results_version = models.PositiveIntegerField(default=0, editable=False)
    results_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("results:scoreboard", kwargs={"election": self.slug})


class Constituency(models.Model):
    ons_id = CleanCharField("ONS id", max_length=12, unique=True)
    name = CleanCharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    region = CleanCharField(max_length=80, blank=True)
    country = CleanCharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "constituencies"

    def __str__(self) -> str:
        return self.name


class ConstituencyResultQuerySet(models.QuerySet["ConstituencyResult"]):
    def for_card(self) -> "ConstituencyResultQuerySet":
        """Everything a result card shows, in three queries whatever the number of rows."""
        return self.select_related("election", "constituency", "previous_winner").prefetch_related(
            models.Prefetch(
                "candidacies", queryset=Candidacy.objects.select_related("party").order_by("id")
            )
        )

    def declared(self) -> "ConstituencyResultQuerySet":
        return self.exclude(status=ConstituencyResult.Status.AWAITING)


class ConstituencyResult(models.Model):
    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting"
        DECLARED = "declared", "Declared"
        CORRECTED = "corrected", "Corrected"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="results")
    constituency = models.ForeignKey(Constituency, on_delete=models.PROTECT, related_name="results")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING)
    declared_at = models.DateTimeField(null=True, blank=True)
    electorate = models.PositiveIntegerField(null=True, blank=True)
    invalid_votes = models.PositiveIntegerField(default=0)
    previous_winner = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who won the seat at the previous election (filled by the importer).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConstituencyResultQuerySet.as_manager()

    class Meta:
        ordering = ["constituency__name"]
        permissions = [("declare_result", "Can enter, declare and correct results")]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "constituency"], name="results_one_result_per_seat"
            ),
            models.CheckConstraint(
                condition=Q(status="awaiting") | Q(declared_at__isnull=False),
                name="results_declared_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.constituency} ({self.election})"

    def get_absolute_url(self) -> str:
        return reverse(
            "results:constituency",
            kwargs={"election": self.election.slug, "constituency": self.constituency.slug},
        )


class Candidacy(models.Model):
    result = models.ForeignKey(
        ConstituencyResult, on_delete=models.CASCADE, related_name="candidacies"
    )
    name = CleanCharField("candidate", max_length=160)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="candidacies")
    votes = models.PositiveIntegerField(default=0)
    sitting_mp = models.BooleanField("sitting MP", default=False)
    won_tie_break = models.BooleanField(
        "won the tie-break",
        default=False,
        help_text="Only when two candidates tie for first place: the one drawn by lot.",
    )
    previous_share = models.DecimalField(
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="The party's share (0–1) here at the previous election; blank if it "
        "did not stand.",
    )

    class Meta:
        ordering = ["-votes", "name"]
        verbose_name_plural = "candidacies"
        constraints = [
            models.UniqueConstraint(fields=["result", "name"], name="results_candidate_once"),
            models.UniqueConstraint(
                fields=["result"],
                condition=Q(won_tie_break=True),
                name="results_one_tie_break_winner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party.code})"


class ResultRevision(models.Model):
    """One declaration, correction or import of a result: who, when and what."""

    class Kind(models.TextChoices):
        DECLARED = "declared", "Declared"
        CORRECTED = "corrected", "Corrected"
        IMPORTED = "imported", "Imported"

    result = models.ForeignKey(
        ConstituencyResult, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    note = CleanCharField(max_length=300, blank=True)
    # The result as it stood after this revision (electorate, invalid votes, candidates).
    snapshot = models.JSONField(default=dict)
    # What changed against the revision before: ["Labour votes 28,927 → 28,987", ...].
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["result", "number"]
        constraints = [
            models.UniqueConstraint(fields=["result", "number"], name="results_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.result} #{self.number} {self.kind}"


MSG_CARD_KIND = "Choose either a constituency result or an election's scoreboard for the card."


class PostResultCardQuerySet(models.QuerySet["PostResultCard"]):
    def scoreboards(self) -> "PostResultCardQuerySet":
        return self.filter(election__isnull=False)


class CardScoreboard:
    """`card.scoreboard`: the national scoreboard a scoreboard card shows, derived from the
    current results (results.selectors.get_scoreboard); None on a constituency's card.

    Prefetched like a relation: `prefetch_related("scoreboard")` on cards reads each
    election's scoreboard once for all the cards fetched together, so a page with the
    scoreboard in several posts reads it once (this is Django's prefetch protocol,
    `get_prefetch_querysets`, as its GenericForeignKey implements it). On a card fetched
    without it, the first read computes it and the card keeps it.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def is_cached(self, card: "PostResultCard") -> bool:
        return self.name in card.__dict__

    def __get__(
        self, card: "PostResultCard | None", owner: type | None = None
    ) -> "Scoreboard | None":
        if card is None:
            return self  # type: ignore[return-value]  # the class attribute: the descriptor
        if not self.is_cached(card):
            boards = self.read([card])
            card.__dict__[self.name] = boards[0] if boards else None
        board: Scoreboard | None = card.__dict__[self.name]
        return board

    def __set__(self, card: "PostResultCard", board: "Scoreboard | None") -> None:
        card.__dict__[self.name] = board

    def read(self, cards: Iterable["PostResultCard"]) -> list["Scoreboard"]:
        """The scoreboard of each election among `cards`, once per election."""
        from results.selectors import get_scoreboard  # selectors import models

        elections: dict[int, Election] = {}
        for card in cards:
            if card.election_id is not None and card.election_id not in elections:
                elections[card.election_id] = card.election  # type: ignore[assignment]  # has an id
        return [get_scoreboard(election) for election in elections.values()]

    def get_prefetch_querysets(
        self, instances: list["PostResultCard"], querysets: list[Any] | None = None
    ) -> tuple[Any, ...]:
        if querysets:
            raise ValueError("A card's scoreboard is derived; it takes no queryset to prefetch.")
        # What prefetch_related expects of a single-valued relation: the related objects,
        # the key of each, the key each card looks for, single, where to keep it, and that
        # it is set through this descriptor.
        return (
            self.read(instances),
            lambda board: board.election.pk,
            lambda card: card.election_id,
            True,
            self.name,
            True,
        )


class PostResultCard(models.Model):
    """A card shown inside a live blog post, rendered from current data: one constituency's
    result (`result`) or an election's national scoreboard (`election`), never both."""

    post = models.ForeignKey("liveblog.Post", on_delete=models.CASCADE, related_name="result_cards")
    result = models.ForeignKey(
        ConstituencyResult,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="post_cards",
        help_text="A constituency's result card.",
    )
    election = models.ForeignKey(
        Election,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="post_scoreboards",
        verbose_name="scoreboard of",
        help_text="Or the national scoreboard of an election.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = PostResultCardQuerySet.as_manager()

    scoreboard = CardScoreboard()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "result"], name="results_card_once_per_post"),
            models.UniqueConstraint(
                fields=["post", "election"],
                condition=Q(election__isnull=False),
                name="results_scoreboard_once_per_post",
            ),
            models.CheckConstraint(
                condition=Q(result__isnull=False, election__isnull=True)
                | Q(result__isnull=True, election__isnull=False),
                name="results_card_is_result_or_scoreboard",
                violation_error_message=MSG_CARD_KIND,
            ),
        ]

    def __str__(self) -> str:
        if self.election_id is not None:
            return f"{self.election} scoreboard in post {self.post_id}"
        return f"{self.result} in post {self.post_id}"

    @property
    def is_scoreboard(self) -> bool:
        return self.election_id is not None


def post_cards_prefetch() -> models.Prefetch:
    """Prefetch for Post querysets (used by PostQuerySet): each post's cards with everything
    a card shows, in two queries whatever the number of posts and cards, plus one
    scoreboard (results.selectors.get_scoreboard) per election whose scoreboard is among
    them, only when there is one."""
    return models.Prefetch(
        "result_cards",
        queryset=PostResultCard.objects.select_related(
            "result__constituency", "result__election", "result__previous_winner", "election"
        ).prefetch_related(
            models.Prefetch(
                "result__candidacies",
                queryset=Candidacy.objects.select_related("party").order_by("id"),
            ),
            # A prefetchable descriptor (CardScoreboard), which the plugin takes for a field.
            "scoreboard",  # type: ignore[misc]
        ),
    )
