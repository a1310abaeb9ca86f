"""What other apps add to a post's render and to the reader page (liveblog.extensions)."""

from django import template

from liveblog.extensions import post_extensions
from liveblog.models import Post

register = template.Library()


@register.simple_tag
def post_extension_templates() -> list[str]:
    """Templates rendered inside each post, after its pictures and embeds."""
    return post_extensions.templates()


@register.simple_tag
def post_extension_stylesheets() -> list[str]:
    """Static paths of the stylesheets those templates need."""
    return post_extensions.stylesheets()


@register.simple_tag
def post_announcement(post: Post) -> str:
    """The line announced to screen readers when `post` arrives live, or ""."""
    return post_extensions.announcement(post)
