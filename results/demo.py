"""Demo results: the official 2017 general election, with the Milton Keynes South card in
the demo blog's “Milton Keynes South: Conservative hold” post. Idempotent."""

from datetime import date

from django.conf import settings

from liveblog.models import LiveBlog, Post
from liveblog.permissions import User
from results.importers.hoc import ImportSummary, import_results_csv
from results.models import ConstituencyResult
from results.services import attach_result_card

DATA = settings.BASE_DIR / "data"
FILES = (
    DATA / "HoC-GE2017-results-by-candidate.csv",
    DATA / "HoC-GE2017-constituency-results.csv",
)
CARDS = {"Milton Keynes South: Conservative hold": "E14000822"}


def load_results_demo(*, blog: LiveBlog | None = None, by: User | None = None) -> ImportSummary:
    """Import the 2017 results (Speaker counted for the Conservatives, as the seed's table
    does) and, given the demo blog and an editor, attach the result cards to its posts."""
    summary = import_results_csv(
        FILES,
        election="ge2017",
        name="General election 2017",
        date=date(2017, 6, 8),
        previous="ge2015",
        speaker_party="CON",
    )
    if blog is not None and by is not None:
        for headline, ons_id in CARDS.items():
            post = Post.objects.filter(blog=blog, headline=headline).first()
            if post is None:
                continue
            result = ConstituencyResult.objects.get(
                election=summary.election, constituency__ons_id=ons_id
            )
            attach_result_card(post, result, by=by)
    return summary
