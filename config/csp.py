"""Content-Security-Policy helpers for templates (the policy itself is in settings).

`{% load csp_media %}{{ media|with_csp_nonce:request }}` renders a form's media with the request's
nonce on every script tag and on the import map: the admin's prose editor needs an inline
`<script type="importmap">`, the one inline script the policy lets through (by nonce).
"""

from typing import Any

from django import template
from django.http import HttpRequest
from js_asset import Media

register = template.Library()


@register.filter
def with_csp_nonce(media: Any, request: HttpRequest | None) -> Media:
    # str(): request.csp_nonce is lazy, and falsy until read (django-csp adds it to the header
    # only once read).
    nonce = str(request.csp_nonce) if request is not None and hasattr(request, "csp_nonce") else ""
    return Media.from_media(media, nonce=nonce)
