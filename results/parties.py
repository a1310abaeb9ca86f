"""The parties every UK import knows, with the names and codes the Library's files use.

Other parties are created by the importer from the file (code from the abbreviation).
"""

from dataclasses import dataclass, field

from django.db import transaction

from results.models import Party, PartyAlias

UNKNOWN_PARTY_COLOUR = "#767676"


@dataclass(frozen=True)
class KnownParty:
    code: str
    name: str
    collective_name: str
    colour: str
    is_headline: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)


KNOWN_PARTIES: tuple[KnownParty, ...] = (
    KnownParty(
        "CON",
        "Conservative",
        "Conservatives",
        "#0087DC",
        True,
        ("Con", "Conservative and Unionist", "Conservative and Unionist Party", "Conservatives"),
    ),
    KnownParty(
        "LAB",
        "Labour",
        "Labour",
        "#E4003B",
        True,
        ("Lab", "Labour and Co-operative", "Labour and Co-operative Party", "Labour Party"),
    ),
    KnownParty("SNP", "Scottish National Party", "the SNP", "#FDF38E", True, ("SNP",)),
    KnownParty(
        "LD",
        "Liberal Democrat",
        "Liberal Democrats",
        "#FAA61A",
        True,
        ("Liberal Democrats", "Lib Dem", "Lib Dems"),
    ),
    KnownParty("DUP", "Democratic Unionist Party", "the DUP", "#D46A4C", True),
    KnownParty("SF", "Sinn Féin", "Sinn Féin", "#326760", False, ("Sinn Fein",)),
    KnownParty("PC", "Plaid Cymru", "Plaid Cymru", "#005B54", False, ("Plaid",)),
    KnownParty(
        "GRN",
        "Green Party",
        "the Greens",
        "#6AB023",
        False,
        ("Green", "Greens", "Scottish Green Party", "Green Party Northern Ireland"),
    ),
    KnownParty("UKIP", "UKIP", "UKIP", "#6D3177", False, ("UK Independence Party",)),
    KnownParty(
        "SDLP",
        "Social Democratic & Labour Party",
        "the SDLP",
        "#2AA82C",
        False,
        ("Social Democratic and Labour Party",),
    ),
    KnownParty("UUP", "Ulster Unionist Party", "the UUP", "#48A5EE", False),
    KnownParty("ALL", "Alliance", "Alliance", "#F6CB2F", False, ("APNI", "Alliance Party")),
    KnownParty("SPK", "Speaker", "the Speaker", "#4D4D4D", False, ("Spk", "The Speaker")),
    KnownParty("IND", "Independent", "Independent", "#AAAAAA", False, ("Ind",)),
)


def ensure_known_parties() -> None:
    """Create the known parties and aliases that are missing; leaves edited ones alone."""
    with transaction.atomic():
        existing = set(Party.objects.values_list("code", flat=True))
        Party.objects.bulk_create(
            [
                Party(
                    code=p.code,
                    name=p.name,
                    collective_name=p.collective_name,
                    colour=p.colour,
                    is_headline=p.is_headline,
                    order=i,
                )
                for i, p in enumerate(KNOWN_PARTIES)
                if p.code not in existing
            ]
        )
        ids = dict(Party.objects.values_list("code", "id"))
        taken = {a.lower() for a in PartyAlias.objects.values_list("alias", flat=True)}
        PartyAlias.objects.bulk_create(
            [
                PartyAlias(party_id=ids[p.code], alias=alias)
                for p in KNOWN_PARTIES
                for alias in p.aliases
                if alias.lower() not in taken
            ]
        )


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


class PartyResolver:
    """Finds the party a file means, by name, alias or abbreviation.

    Names first (“Labour and Co-operative” is an alias of Labour), then the abbreviation
    against codes and aliases (“Con” → CON). A party found by neither is planned as a new
    one; `create_planned()` writes those, so validation can finish before anything is saved.
    """

    def __init__(self) -> None:
        self.by_key: dict[str, Party | str] = {}
        for party in Party.objects.all():
            self.by_key[normalise(party.name)] = party
            self.by_key[normalise(party.code)] = party
        for alias in PartyAlias.objects.select_related("party"):
            self.by_key.setdefault(normalise(alias.alias), alias.party)
        self.planned: dict[str, tuple[str, str]] = {}  # code -> (name, code)

    def resolve(self, name: str, abbreviation: str) -> Party | str:
        """The party, or the code of a planned new party."""
        for key in (name, abbreviation):
            found = self.by_key.get(normalise(key)) if key.strip() else None
            if found is not None:
                return found
        code = (abbreviation.strip() or name.strip())[:10].upper()
        if normalise(code) in self.by_key:
            return self.by_key[normalise(code)]
        self.planned[code] = (name.strip() or code, code)
        self.by_key[normalise(name)] = code
        self.by_key[normalise(code)] = code
        return code

    def create_planned(self) -> dict[str, Party]:
        """Create the planned parties; returns code -> Party for everything resolved."""
        if self.planned:
            taken_names = set(Party.objects.values_list("name", flat=True))
            Party.objects.bulk_create(
                [
                    Party(
                        code=code,
                        name=name if name not in taken_names else f"{name} ({code})",
                        colour=UNKNOWN_PARTY_COLOUR,
                        order=1000,
                    )
                    for code, (name, _) in self.planned.items()
                ]
            )
        return {p.code: p for p in Party.objects.all()}
