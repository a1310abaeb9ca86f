"""Partner embeds of the results pages: the scoreboard and a constituency without the site's
chrome, framed by the sites in settings.EMBED_ORIGINS (liveblog.pages.framing), with the
page's height reported to them as the blog's embed does (liveblog.pages.embed)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from liveblog.extensions import EmbedTarget
from liveblog.pages.embed import DEFAULT_HEIGHT
from liveblog.pages.framing import allow_framing
from results import views
from results.models import ConstituencyResult, Election

EMBED_BASE = "liveblog/embed_base.html"


def _embed_context() -> dict[str, Any]:
    return {"base_template": EMBED_BASE, "embed_origins": settings.EMBED_ORIGINS}


def embed_scoreboard_page(request: HttpRequest, election: str) -> HttpResponseBase:
    """Cached as the scoreboard is; every answer (304s too) carries the frame-ancestors."""
    response = views.scoreboard_response(request, election, extra_context=_embed_context())
    return allow_framing(response, settings.EMBED_ORIGINS)


def embed_constituency_page(
    request: HttpRequest, election: str, constituency: str
) -> HttpResponseBase:
    response = views.constituency_response(
        request, election, constituency, extra_context=_embed_context()
    )
    return allow_framing(response, settings.EMBED_ORIGINS)


# For the oEmbed answer (liveblog.extensions.embeddable_pages, registered in results.apps).


def find_scoreboard_target(election: str) -> EmbedTarget | None:
    found = Election.objects.filter(slug=election).first()
    if found is None:
        return None
    return EmbedTarget(
        title=f"{found.name}: UK results",
        embed_path=reverse("results_embed:scoreboard", kwargs={"election": found.slug}),
        height=DEFAULT_HEIGHT,
    )


def find_constituency_target(election: str, constituency: str) -> EmbedTarget | None:
    result = (
        ConstituencyResult.objects.filter(election__slug=election, constituency__slug=constituency)
        .select_related("election", "constituency")
        .first()
    )
    if result is None:
        return None
    return EmbedTarget(
        title=f"{result.constituency.name}: {result.election.name}",
        embed_path=reverse(
            "results_embed:constituency",
            kwargs={"election": election, "constituency": constituency},
        ),
        height=DEFAULT_HEIGHT,
    )
