"""Atom feeds of a live blog: every update, or only the key events.

Served through liveblog.pages.caching.cache_per_seq like the reader page: validators from the
blog's seq, 304 before rendering, rendered once per seq for anonymous readers.

Every string reaches the XML through one writer that applies the text rule
(liveblog.text.scrub_text), so the feed stays well-formed even for text stored before the
rule existed: XML 1.0 cannot carry control characters or U+FFFE/U+FFFF.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from xml.sax.xmlreader import AttributesImpl

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

from liveblog import selectors
from liveblog.models import LiveBlog, Post
from liveblog.pages.caching import cache_per_seq
from liveblog.pages.seo import post_headline
from liveblog.text import scrub_text

FEED_LENGTH = 50


class XMLSafeGenerator(SimplerXMLGenerator):
    """Writes text and attribute values under the text rule instead of failing on them."""

    def characters(self, content: str) -> None:
        super().characters(scrub_text(content) if content else content)

    # Django's feed generator passes dicts, as the SAX handler's AttributesImpl would.
    def startElement(self, name: str, attrs: AttributesImpl | Mapping[str, str] | None) -> None:
        clean = {k: scrub_text(v) for k, v in (attrs or {}).items()}
        super().startElement(name, AttributesImpl(clean))


class XMLSafeAtom1Feed(Atom1Feed):
    def write(self, outfile: Any, encoding: str) -> None:
        # Atom1Feed.write with our generator.
        handler = XMLSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class LiveBlogFeed(Feed):
    feed_type = XMLSafeAtom1Feed
    key_events_only = False

    def get_object(self, request: HttpRequest, blog: LiveBlog) -> LiveBlog:
        return blog

    def title(self, blog: LiveBlog) -> str:
        return f"{blog.title}: key events" if self.key_events_only else blog.title

    def subtitle(self, blog: LiveBlog) -> str:
        return blog.description or f"Live coverage: {blog.title}"

    def link(self, blog: LiveBlog) -> str:
        return blog.get_absolute_url()

    def feed_url(self, blog: LiveBlog) -> str:
        name = "liveblog:feed_key_events" if self.key_events_only else "liveblog:feed"
        return reverse(name, kwargs={"slug": blog.slug})

    def author_name(self, blog: LiveBlog) -> str:
        name: str = settings.SITE_NAME
        return name

    def items(self, blog: LiveBlog) -> list[Post]:
        return selectors.list_feed_posts(
            blog, key_events_only=self.key_events_only, limit=FEED_LENGTH
        )

    def item_title(self, post: Post) -> str:
        return post_headline(post)

    def item_description(self, post: Post) -> str:
        # Atom1Feed writes this as <summary type="html">; the body is already sanitised.
        return post.body

    def item_link(self, post: Post) -> str:
        return post.get_absolute_url()

    def item_guid(self, post: Post) -> str:
        # Stable for the life of the post, whatever page it moves to.
        return f"tag:{settings.SITE_NAME.lower().replace(' ', '-')},2017:liveblog-post-{post.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, post: Post) -> str:
        names = [c.name for c in post.contributors.all()]  # prefetched
        return ", ".join(names) or settings.SITE_NAME

    def item_pubdate(self, post: Post) -> datetime | None:
        return post.published_at

    def item_updateddate(self, post: Post) -> datetime:
        return max(post.updated_at, post.published_at or post.updated_at)


class KeyEventsFeed(LiveBlogFeed):
    key_events_only = True


@cache_per_seq(name="feed")
def blog_feed(request: HttpRequest, blog: LiveBlog) -> HttpResponse:
    return LiveBlogFeed()(request, blog=blog)


@cache_per_seq(name="feed-key-events")
def key_events_feed(request: HttpRequest, blog: LiveBlog) -> HttpResponse:
    return KeyEventsFeed()(request, blog=blog)
