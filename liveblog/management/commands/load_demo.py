import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from liveblog import demo, services
from liveblog.extensions import post_extensions
from liveblog.models import Contributor, LiveBlog, Post
from liveblog.permissions import EDITOR_GROUP, REPORTER_GROUP

DEMO_USERS = {"reporter": REPORTER_GROUP, "editor": EDITOR_GROUP}


class Command(BaseCommand):
    help = "Create the demo blog, contributors, posts and the reporter/editor logins (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the demo logins even with DEBUG off (never on a public site).",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
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
            exists = Post.objects.filter(
                blog=blog, published_at=spec["at"], headline=spec["headline"]
            ).exists()
            if exists:
                continue
            services.create_post(
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
        return created
