import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse

from liveblog import demo, services
from liveblog.demo_pictures import picture_upload
from liveblog.extensions import post_extensions
from liveblog.media import services as media_services
from liveblog.models import Contributor, LiveBlog, Post
from liveblog.permissions import EDITOR_GROUP, REPORTER_GROUP

DEMO_USERS = {"reporter": REPORTER_GROUP, "editor": EDITOR_GROUP}


class Command(BaseCommand):
    help = "Create the demo blog, contributors, posts and the reporter/editor logins (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="Print where the demo's pictures, embeds and partner embed are, under this "
            "address (make run passes its own).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the demo logins even with DEBUG off (never on a public site).",
        )

    def handle(self, *args: Any, force: bool = False, base_url: str = "", **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: refusing to create demo logins on what may be a public site. "
                "Use --force if you really mean it."
            )
        with transaction.atomic():
            password, generated = self._password()
            users = self._users(password)
            blog, _ = LiveBlog.objects.update_or_create(
                slug=demo.BLOG["slug"],
                defaults={k: v for k, v in demo.BLOG.items() if k != "slug"},
            )
            contributors = self._contributors(users)
            created = self._posts(blog, users, contributors)
            # What other apps add to the demo (results: the 2017 results and their cards).
            for load in post_extensions.demo_loaders():
                load(blog, users["editor"])

        self.stdout.write(f"Demo blog “{blog.title}”: {created} new posts.")
        if base_url:
            self._show_where(blog, base_url.rstrip("/"))
        if password is None:
            self.stdout.write(
                "Demo logins reporter / editor exist; password unchanged "
                "(set DEMO_PASSWORD and run again to reset it)."
            )
        else:
            label = "generated password" if generated else "password from DEMO_PASSWORD"
            self.stdout.write(
                self.style.SUCCESS(f"Demo logins reporter / editor, {label}: {password}")
            )

    def _password(self) -> tuple[str | None, bool]:
        import os

        if os.environ.get("DEMO_PASSWORD"):
            return os.environ["DEMO_PASSWORD"], False
        User = get_user_model()
        if User.objects.filter(username__in=DEMO_USERS).count() == len(DEMO_USERS):
            return None, False
        return secrets.token_urlsafe(9), True

    def _users(self, password: str | None) -> dict:
        User = get_user_model()
        users = {}
        for username, group_name in DEMO_USERS.items():
            user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            if password is not None:
                user.set_password(password)
                user.is_staff = True
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
            users[username] = user
        return users

    def _contributors(self, users: dict) -> dict[str, Contributor]:
        result = {}
        for name, (role, login) in demo.CONTRIBUTORS.items():
            contributor, _ = Contributor.objects.update_or_create(
                name=name, defaults={"role": role, "user": users.get(login) if login else None}
            )
            result[name] = contributor
        return result

    def _posts(self, blog: LiveBlog, users: dict, contributors: dict) -> int:
        created = 0
        for spec in demo.POSTS:
            post = Post.objects.filter(
                blog=blog, published_at=spec["at"], headline=spec["headline"]
            ).first()
            if post is None:
                post = services.create_post(
                    blog=blog,
                    by=users[spec["by"]],
                    headline=spec["headline"],
                    body=spec["body"],
                    contributors=[contributors[name] for name in spec["contributors"]],
                    published_at=spec["at"],
                    is_breaking=spec.get("breaking", False),
                    is_key_event=spec.get("key_event", False),
                    is_pinned=spec.get("pinned", False),
                )
                created += 1
            self._media(post, spec, users[spec["by"]])
        return created

    def _media(self, post: Post, spec: dict, by: Any) -> None:
        """The post's pictures (drawn, then through the picture pipeline) and embeds, unless
        it has them already: a re-run adds nothing."""
        if spec.get("pictures") and not post.images.exists():
            for order, picture in enumerate(spec["pictures"]):
                media_services.add_post_image(
                    post,
                    by=by,
                    upload=picture_upload(picture["drawing"]),
                    alt_text=picture["alt_text"],
                    caption=picture["caption"],
                    credit=demo.CREDIT,
                    order=order,
                )
        if spec.get("embeds") and not post.embeds.exists():
            for order, url in enumerate(spec["embeds"]):
                media_services.add_post_embed(post, by=by, url=url, order=order)

    def _show_where(self, blog: LiveBlog, base_url: str) -> None:
        """Where a newcomer sees pictures, a consent gate and the partner embed."""
        posts_of_blog = Post.objects.filter(blog=blog)
        wanted = [
            ("Pictures:", posts_of_blog.filter(images__isnull=False)),
            ("X post:", posts_of_blog.filter(embeds__provider="x")),
            ("YouTube:", posts_of_blog.filter(embeds__provider="youtube")),
        ]
        for label, posts in wanted:
            first = posts.visible().newest_first().distinct().first()
            if first is not None:
                # The post's permalink: the reader page from that post on.
                href = f"{first.get_absolute_url()}#{first.anchor}"
                self.stdout.write(f"  {label:<14}{base_url}{href}")
        embed = reverse("liveblog:embed_live", kwargs={"slug": blog.slug})
        self.stdout.write(f"  {'Embed:':<14}{base_url}{embed}")
