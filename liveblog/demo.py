"""Demo content modelled on the BBC's Three Counties live page of 7-9 June 2017.

Times are Europe/London wall-clock times. `by` names the demo login that filed the post.
`pictures` are drawn when the demo loads (liveblog.demo_pictures) and go through the picture
pipeline; `embeds` are links readers load only after consent, as on the seed pages.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from liveblog.media.embeds import YOUTUBE

# Our own drawings: the credit says so.
CREDIT = "Live blog demo (illustration)"
X_POST = "https://x.com/BBCLookEast/status/873120139222306817"

LONDON = ZoneInfo("Europe/London")

BLOG = {
    "slug": "general-election-2017",
    "title": "General election 2017: live results",
    "description": "Results, reaction and analysis from Bedfordshire, Hertfordshire and "
    "Buckinghamshire as the UK votes in the general election of 8 June 2017.",
    "time_zone": "Europe/London",
}

# name -> (outlet or role, demo login linked to it or None)
CONTRIBUTORS: dict[str, tuple[str, str | None]] = {
    "Alex Pope": ("BBC Local Live", "reporter"),
    "Katy Lewis": ("BBC Local Live", "editor"),
    "Patrick Byrne": ("BBC News", None),
    "Jonathan Vernon-Smith": ("BBC Three Counties Radio", None),
    "Luke Ashmead": ("BBC Three Counties Radio sport", None),
    "Andy Holmes": ("BBC Three Counties Radio political reporter", None),
    "Deborah McGurran": ("BBC East political editor", None),
    "Gareth Lloyd": ("BBC Three Counties Radio", None),
    "Dani Bailey": ("BBC Local Live", None),
}


def at(day: int, hhmm: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(2017, 6, day, hour, minute, tzinfo=LONDON)


def p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


POSTS: list[dict] = [
    # Wednesday 7 June: the day before polling
    {
        "at": at(7, "10:12"),
        "headline": "Roads re-open in Royston after two unexploded WW2 shells were discovered",
        "body": p(
            "Roads around the site in Royston have re-opened after army bomb disposal "
            "experts dealt with two shells from the Second World War."
        ),
        "by": "reporter",
        "contributors": ["Alex Pope"],
    },
    {
        "at": at(7, "12:40"),
        "headline": "Watford teenager died from stab wound to the chest",
        "body": p(
            "An inquest has heard that a teenager from Watford died from a stab wound to the chest."
        ),
        "by": "reporter",
        "contributors": ["Alex Pope"],
    },
    {
        "at": at(7, "14:05"),
        "headline": "Teacher banned for running unauthorised wrestling lessons",
        "body": p(
            "A teacher has been banned from the classroom after running wrestling "
            "lessons that the school had not authorised."
        ),
        "by": "editor",
        "contributors": ["Katy Lewis"],
    },
    {
        "at": at(7, "15:47"),
        "headline": "Investigation launched after father found dead in Luton hole",
        "body": p(
            "An investigation has been launched after a father was found dead in a hole in Luton."
        ),
        "by": "editor",
        "contributors": ["Katy Lewis"],
    },
    {
        "at": at(7, "18:30"),
        "headline": "Milton Keynes South: Constituency analysis",
        "body": p(
            "Milton Keynes South is one of our newer constituencies, having been formed after "
            "rapid expansion in the town led to a need for boundary changes in 2010.",
            "Labour had held the previous Milton Keynes South West seat for 13 years under "
            "Phyllis Starkey, but Tory Iain Stewart won in 2010 and then increased his "
            "majority in 2015.",
            "He currently has the smallest majority (8,672) out of the seven seats in "
            "Buckinghamshire, and it's number 81 on Labour’s list of targets, although they "
            "would need a swing of more than 7% to gain control.",
            "The Lib Dems, UKIP and the Greens also have candidates standing.",
        ),
        "by": "editor",
        "contributors": ["Andy Holmes"],
    },
    # Thursday 8 June: polls close at 22:00
    {
        "at": at(8, "22:02"),
        "headline": "Election analysis: Few shocks but a couple of upsets likely",
        "body": p(
            "The votes have been cast and the counts have begun.",
            "Here are our political reporter Andrew Holmes' thoughts on this year's general "
            "election:",
        )
        + "<blockquote>"
        + p(
            "The Three Counties is largely a Tory stronghold, aside from Luton, which has two "
            "Labour MPs, and 17 of our incumbent Conservative MPs have five figure majorities.",
            "So, on the surface, we’re not expecting too many shocks tonight, but there’s "
            "still a few seats to keep an eye on.",
            "Stevenage could also be a tight finish and it’s worth keeping tabs on our Milton "
            "Keynes seats too, with MK South in particular expected to be a close call.",
        )
        + "</blockquote>",
        "by": "editor",
        "contributors": ["Andy Holmes"],
        "key_event": True,
    },
    {
        "at": at(8, "22:16"),
        "headline": "'Anxious few hours' await counties' MPs",
        "body": p("Our political reporter Andrew Holmes's thoughts on the exit polls:")
        + "<blockquote>"
        + p(
            "The exit polls seem to suggest an anxious few hours for a number of Three "
            "Counties' Tory MPs.",
            "As it stands they say Labour are likely to win back Bedford and Kempston from "
            "the Conservative incumbent Richard Fuller.",
            "Meanwhile, both MK North and South are branded as too close to call, with the "
            "exit polls suggesting a win for Labour in the South.",
        )
        + "</blockquote>",
        "by": "editor",
        "contributors": ["Andy Holmes"],
        "key_event": True,
    },
    # Friday 9 June: results night and the morning after
    {
        "at": at(9, "00:48"),
        "headline": "MK South could turn red",
        "body": p(
            "Milton Keynes is one of the places to keep a close eye on this morning.",
            "Word on the street is that Iain Stewart could lose his Tory seat to Labour.",
            "MK South is number 81 on Labour's list of target seats and they need a swing "
            "of 7.36% to win here.",
            "We're hoping for a result at 02.30.",
        ),
        "by": "editor",
        "contributors": ["Luke Ashmead"],
        "pictures": [
            {
                "drawing": "rosettes",
                "alt_text": "Drawing of three red rosettes with white centres and ribbons.",
                "caption": "Labour rosettes at the Milton Keynes count",
            },
        ],
    },
    {
        "at": at(9, "01:35"),
        "headline": "Food glorious food",
        "body": p(
            "Food is always popular on election night, and it seems like cake is the sweet "
            "treat of choice in Milton Keynes.",
            "Whereas in Luton a Little Mix lunchbox is the receptacle of choice for Look East "
            "cameraman Andy Meeson.",
        ),
        "by": "reporter",
        "contributors": ["Alex Pope"],
        "pictures": [
            {
                "drawing": "cake",
                "alt_text": "Drawing of a cake with green icing and three lit blue candles on a "
                "white plate.",
                "caption": "Green cake",
            },
            {
                "drawing": "lunchbox",
                "alt_text": "Drawing of a purple lunchbox with a black handle and a yellow "
                "clasp on a grey desk.",
                "caption": "Andy Meeson's lunchbox",
            },
        ],
    },
    {
        "at": at(9, "03:10"),
        "headline": "Still no decision from MK",
        "body": p(
            "Things are getting rather interesting in Milton Keynes.",
            "There's still no news on who's won both the MK South or North seat.",
            "First I heard the incumbent Tory MP Iain Stewart had lost his seat to Labour, "
            "then he had won, then there was going to be a re-count.",
            "Now we've been told that all the candidates for MK South are inspecting bundles "
            "of ballot papers for each of their party.",
            "<strong>Watch this space!</strong>",
        ),
        "by": "editor",
        "contributors": ["Luke Ashmead"],
    },
    {
        "at": at(9, "03:52"),
        "headline": "Conservatives hold MK South",
        "body": p("Iain Stewart (Con) holds Milton Keynes South."),
        "by": "editor",
        "contributors": [],
        "breaking": True,
        "key_event": True,
    },
    {
        "at": at(9, "04:31"),
        "headline": "Iain Stewart MP: 'We made errors' but 'May should stay'",
        "body": p(
            "Conservative MP Iain Stewart, who retained his seat in Milton Keynes South, has "
            "told me that Theresa May should stay on as prime minister.",
            'Mr Stewart said he thought it "wasn\'t a mistake" to call the election but there '
            'were "clearly errors made in our campaign".',
            '"We allowed ourselves to get the focus of the campaign on issues other than the '
            'critical ones in front of the country, and that is delivering Brexit," he said.',
            '"She remains the prime minister if you look at the constitutional process... she '
            'has the first right to form a new government," he said.',
        ),
        "by": "editor",
        "contributors": ["Jonathan Vernon-Smith"],
    },
    {
        "at": at(9, "06:05"),
        "headline": "Speaker notes 'very large number' of spoiled ballots",
        "body": p(
            "The speaker of the House of Commons, John Bercow, who's been re-elected in "
            'Buckingham, has said he has noted the "very large number of spoiled ballot '
            'papers" and will be speaking to the House of Commons procedure committee about '
            "the situation in the constituency.",
            "Buckingham is a seat with a difference because as speaker, Bercow's role in "
            "Parliament is neutral, so traditionally the major parties have agreed not to "
            "stand against him.",
            "This election saw 1,967 spoiled ballot papers.",
        ),
        "by": "editor",
        "contributors": ["Katy Lewis"],
    },
    {
        "at": at(9, "06:40"),
        "headline": "",
        "body": p(
            "For anyone joining us just now, all the results are now in for Beds, Bucks and Herts.",
            "The main news is that all seats stayed the same, except for in Bedford and "
            "Kempston where Richard Fuller lost his Conservative seat to Mohammad Yasin for "
            "Labour.",
        ),
        "by": "editor",
        "contributors": ["Alex Pope"],
        "key_event": True,
    },
    {
        "at": at(9, "07:02"),
        "headline": "Turnout across the three counties",
        "body": p(
            "Here's the turnout table for Beds, Herts & Bucks.",
            "You can see which constituency had the biggest turnout across the three counties.",
        ),
        "by": "editor",
        "contributors": ["Gareth Lloyd"],
    },
    {
        "at": at(9, "07:20"),
        "headline": "",
        "body": p(
            "How much has turnout increased since 2015 in Bedfordshire, Hertfordshire and "
            "Buckinghamshire?"
        ),
        "by": "editor",
        "contributors": ["Dani Bailey"],
    },
    {
        "at": at(9, "07:48"),
        "headline": "St Albans: Lib Dems fall short",
        "body": p(
            "One of the seats we've been watching has been St Albans, where the Conservative "
            "MP Ann Main faced criticism for being a Brexit supporter in a city which voted "
            "to Remain.",
            "But it wasn't to be for Lib Dem candidate Daisy Cooper, who while managing to "
            "slash Mrs Main's majority to 6,109 from 12,732, still came in second place.",
        ),
        "by": "editor",
        "contributors": ["Katy Lewis"],
    },
    {
        "at": at(9, "08:15"),
        "headline": "A night that belonged to Labour in the East",
        "body": p(
            "It has been a shocking night for the Conservatives in this region while Labour "
            "celebrated three gains across the East.",
            "Labour wrestled Peterborough, Ipswich and Bedford from the Conservatives and "
            "returned thumping majorities in Luton North and Norwich South.",
            "The map of the East remains resolutely blue, but the night definitely belonged "
            "to Labour.",
        ),
        "embeds": [YOUTUBE.example],
        "by": "editor",
        "contributors": ["Deborah McGurran"],
        "key_event": True,
    },
    {
        "at": at(9, "08:40"),
        "headline": "The new MP for Bedford",
        "body": p(
            "Before the results came in there was talk that the political scene could change "
            "in Milton Keynes and Watford, but they stayed Conservative.",
            "So that just left Bedford to turn red, where Mohammad Yasin is the new MP, "
            "replacing Richard Fuller who was elected in 2010.",
            "This is the moment the biggest shock of the night happened in Bedfordshire, "
            "with Bedford and Kempston going from Conservative to Labour.",
        ),
        "by": "reporter",
        "contributors": ["Alex Pope"],
        "embeds": [X_POST],
    },
    {
        "at": at(9, "09:12"),
        "headline": "Stewart responds to criticism",
        "body": p(
            "The newly-elected Conservative MP for Milton Keynes South, Iain Stewart, has "
            "responded to criticism that he hadn't been very visible during the election "
            "campaign.",
            "After his re-election he revealed to the BBC that his father had been very ill "
            "and had a serious operation.",
        ),
        "by": "editor",
        "contributors": ["Katy Lewis"],
    },
    {
        "at": at(9, "09:51"),
        "headline": "Milton Keynes South: Conservative hold",
        "body": p("Iain Stewart holds Milton Keynes South for the Conservatives."),
        "by": "editor",
        "contributors": [],
    },
    {
        "at": at(9, "10:20"),
        "headline": "What happened in Buckinghamshire overnight",
        "body": p(
            "If you're browsing through the results this morning in a bit of a daze, the "
            "Tories have held on to their key seats in Buckinghamshire but it's been a rough "
            "ride for them nationally with Prime Minister Theresa May now resisting calls for "
            "her to resign.",
            "In Milton Keynes South, Conservative Iain Stewart also saw a marginal increase "
            "in his vote of 0.7% to win by 1,725 votes from Labour's Hannah O'Neill who saw a "
            "12.7% boost to her vote, picking up support from the same minority parties.",
            "Speaker John Bercow's Buckingham seat was uncontested by Labour and the Lib Dems "
            "but UKIP lost 13.8% of its vote from the last General Election.",
        ),
        "by": "editor",
        "contributors": ["Patrick Byrne"],
        "pinned": True,
    },
]
