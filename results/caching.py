"""HTTP caching of the results pages and the results API, as the live page has it
(liveblog.pages.caching): a strong ETag, Last-Modified, a 304 as soon as the validators
are known (before anything is rendered), public caching for anonymous readers and
`private, no-store` for signed-in users.

The token is the election's `results_version`, which results.services moves in the same
transaction as every declaration, correction or new seat, plus the election's own fields
that the pages show (its name, the previous election, whom the Speaker counts for). A
constituency page also lists the live blog posts that show its result, so its token adds
the seq and last edit of each blog with such a post. Edits of parties and constituencies in
the admin do not move the token: they show on the next change of a result.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponseBase

from liveblog.pages.caching import (
    Validators,
    conditional_response,
    patch_private,
    patch_public,
)
from results.models import Election
from results.selectors import ConstituencyToken


def _digest(*values: object) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=6).hexdigest()


def election_validators(election: Election) -> Validators:
    """Of everything the results pages and API show of `election` (read with
    results.selectors.get_election)."""
    shown = (
        election.name,
        election.date,
        election.previous_id,
        election.previous.name if election.previous else None,
        election.speaker_party_id,
    )
    return Validators(
        etag=f'"results-{election.pk}-{election.results_version}-{_digest(*shown)}"',
        last_modified=int(election.results_changed_at.timestamp()),
    )


def constituency_validators(election: Election, token: ConstituencyToken) -> Validators:
    """Of a constituency page: the election's, and the blogs whose posts show the result."""
    election_token = election_validators(election)
    blogs = token.blogs
    modified = max([election_token.last_modified, *(int(at.timestamp()) for _, _, at in blogs)])
    return Validators(
        etag=f'"results-{election.pk}-{election.results_version}-{token.result_id}-'
        f'{_digest(election_token.etag, blogs)}"',
        last_modified=modified,
    )


def respond(
    request: HttpRequest,
    validators: Validators,
    build: Callable[[], HttpResponseBase],
    *,
    signed_in: bool,
    vary: Iterable[str] = ("Cookie",),
) -> HttpResponseBase:
    """`build()`'s response cached by `validators`: a 304 without building it when the
    reader's copy is current; signed-in users get it built afresh and never stored."""
    if signed_in:
        return patch_private(build(), vary=vary)
    not_modified = conditional_response(request, validators, vary=vary)
    if not_modified is not None:
        return not_modified
    response = build()
    if response.status_code != 200:
        return patch_private(response, vary=vary)
    return patch_public(response, validators, vary=vary)
