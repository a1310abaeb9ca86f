"""Business actions on live blogs: the only code that writes posts, blogs and their media.

The admin, views, API and management commands call these; none of them saves a Post
directly. `posts` holds filing, editing, publishing and pinning; `media` pictures and embeds.
"""

from .contributors import BYLINE_FIELDS, save_contributor
from .media import (
    MSG_ALT_TEXT,
    add_post_embed,
    add_post_image,
    rebroadcast_post,
    remove_post_embed,
    remove_post_image,
    update_post_embed,
    update_post_image,
)
from .posts import (
    EDITABLE_FIELDS,
    MSG_BYLINE_NOT_YOURS,
    MSG_CANNOT_FLAG,
    MSG_CANNOT_PIN,
    MSG_CONFLICT,
    MSG_DELETED,
    MSG_EMPTY_POST,
    MSG_NOT_YOURS,
    PostConflict,
    create_post,
    delete_post,
    pin_post,
    publish_post,
    publish_scheduled_posts,
    set_blog_status,
    unpin_post,
    update_post,
)

__all__ = [
    "BYLINE_FIELDS",
    "EDITABLE_FIELDS",
    "MSG_ALT_TEXT",
    "MSG_BYLINE_NOT_YOURS",
    "MSG_CANNOT_FLAG",
    "MSG_CANNOT_PIN",
    "MSG_CONFLICT",
    "MSG_DELETED",
    "MSG_EMPTY_POST",
    "MSG_NOT_YOURS",
    "PostConflict",
    "add_post_embed",
    "add_post_image",
    "create_post",
    "delete_post",
    "pin_post",
    "publish_post",
    "publish_scheduled_posts",
    "rebroadcast_post",
    "remove_post_embed",
    "remove_post_image",
    "save_contributor",
    "set_blog_status",
    "unpin_post",
    "update_post",
    "update_post_embed",
    "update_post_image",
]
