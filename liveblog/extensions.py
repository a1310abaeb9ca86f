"""What other apps let a post carry, registered from their `AppConfig.ready`.

liveblog never imports the apps built on it (a test walks its imports). An app that adds
something to posts (results adds result cards) describes it once as a `PostExtension` and
registers it; liveblog then prefetches it with every page of posts, renders its template
inside each post, offers its inline on the post form, adds its field to the API's posts,
links its stylesheet from the reader page and loads its part of the demo.

Apps also register the public pages partners may embed (`embeddable_pages`: results adds its
scoreboard and constituency pages), which the oEmbed answer (liveblog.pages.embed) looks up.

Registration happens while Django starts (before any request), so the registry is read-only
afterwards. Registering the same name again replaces the entry (tests do this).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch

if TYPE_CHECKING:
    from rest_framework.fields import Field

    from liveblog.models import LiveBlog, Post
    from liveblog.permissions import User


@dataclass(frozen=True)
class PostExtension:
    name: str
    # One Prefetch (or lookup) added to every queryset of posts rendered or serialised.
    prefetch: Callable[[], Prefetch | str]
    # Rendered inside each post after its pictures and embeds, with the post's context.
    template: str
    # Dotted path of an admin inline for the post form (imported when the admin needs it).
    admin_inline: str | None = None
    # A field of the API's post representation: (name, a factory of the serializer field).
    api_field: tuple[str, Callable[[], "Field"]] | None = None
    # Static paths of stylesheets the reader page links.
    stylesheets: tuple[str, ...] = ()
    # The extension's part of `load_demo`, given the demo blog and its editor.
    load_demo: Callable[["LiveBlog", "User"], object] | None = None
    # A short line for screen readers when the post arrives live ("Result: Conservatives
    # hold Milton Keynes South"), or "": from what `prefetch` loaded, no queries.
    announcement: Callable[["Post"], str] | None = None


class PostExtensions:
    def __init__(self) -> None:
        self._by_name: dict[str, PostExtension] = {}

    def register(self, extension: PostExtension) -> None:
        self._by_name[extension.name] = extension

    def __iter__(self) -> Iterator[PostExtension]:
        return iter(tuple(self._by_name.values()))

    def prefetches(self) -> list[Prefetch | str]:
        return [extension.prefetch() for extension in self]

    def templates(self) -> list[str]:
        return [extension.template for extension in self]

    def stylesheets(self) -> list[str]:
        return [sheet for extension in self for sheet in extension.stylesheets]

    def admin_inlines(self) -> list[str]:
        return [extension.admin_inline for extension in self if extension.admin_inline]

    def api_fields(self) -> dict[str, "Field"]:
        return {name: factory() for name, factory in (e.api_field for e in self if e.api_field)}

    def announcement(self, post: "Post") -> str:
        """The first extension's announcement for `post`, or ""."""
        for extension in self:
            line = extension.announcement(post) if extension.announcement else ""
            if line:
                return line
        return ""

    def demo_loaders(self) -> list[Callable[["LiveBlog", "User"], object]]:
        return [extension.load_demo for extension in self if extension.load_demo]


post_extensions = PostExtensions()


# Pages partners may embed -----------------------------------------------------------------


@dataclass(frozen=True)
class EmbedTarget:
    """What a partner's frame shows for one of our pages."""

    title: str
    # Path of the chrome-free page (e.g. /embed/live/<slug>/).
    embed_path: str
    # The frame's height until the embed reports its own.
    height: int


# Given the URL's keyword arguments, the target, or None when there is nothing to embed.
FindTarget = Callable[..., EmbedTarget | None]


class EmbeddablePages:
    def __init__(self) -> None:
        self._by_view: dict[str, FindTarget] = {}

    def register(self, view_name: str, find: FindTarget) -> None:
        """`view_name`: the namespaced URL name of a page (or of its embed page)."""
        self._by_view[view_name] = find

    def find(self, view_name: str, kwargs: dict[str, str]) -> EmbedTarget | None:
        find = self._by_view.get(view_name)
        return find(**kwargs) if find is not None else None


embeddable_pages = EmbeddablePages()
