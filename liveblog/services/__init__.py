"""Business actions on live blogs: the only code that writes posts, blogs and their media.

The admin, views, API and management commands call these; none of them saves a Post
directly. `posts` holds filing, editing, publishing and pinning; `approval` the editors'
queue of reporters' submitted posts; `blogs` a blog's settings and status; `contributors`
bylines.
Pictures and embeds have their own services in `liveblog.media.services`.
"""

from liveblog.services.approval import (
    MSG_CANNOT_APPROVE,
    MSG_NOT_SUBMITTED,
    MSG_NOTE_REQUIRED,
    approve_post,
    discard_post,
    return_post,
)
from liveblog.services.blogs import (
    BLOG_FIELDS,
    create_blog,
    set_blog_status,
    update_blog,
)
from liveblog.services.contributors import BYLINE_FIELDS, save_contributor
from liveblog.services.posts import (
    EDITABLE_FIELDS,
    MSG_APPROVED_IS_EDITORS,
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
    unpin_post,
    update_post,
)

__all__ = [
    "BLOG_FIELDS",
    "BYLINE_FIELDS",
    "EDITABLE_FIELDS",
    "MSG_APPROVED_IS_EDITORS",
    "MSG_BYLINE_NOT_YOURS",
    "MSG_CANNOT_APPROVE",
    "MSG_CANNOT_FLAG",
    "MSG_CANNOT_PIN",
    "MSG_CONFLICT",
    "MSG_DELETED",
    "MSG_EMPTY_POST",
    "MSG_NOTE_REQUIRED",
    "MSG_NOT_SUBMITTED",
    "MSG_NOT_YOURS",
    "PostConflict",
    "approve_post",
    "create_blog",
    "create_post",
    "delete_post",
    "discard_post",
    "pin_post",
    "publish_post",
    "publish_scheduled_posts",
    "return_post",
    "save_contributor",
    "set_blog_status",
    "unpin_post",
    "update_blog",
    "update_post",
]
