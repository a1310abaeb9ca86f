"""factory_boy factories for the live blog. Posts built here bypass the services: use them
for readers' fixtures and constraint tests, and the services for behaviour under test."""

from datetime import UTC, datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from liveblog.models import Contributor, LiveBlog, Post
from liveblog.permissions import EDITOR_GROUP, REPORTER_GROUP

TEST_PASSWORD = "pw-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password(TEST_PASSWORD)


class ReporterFactory(UserFactory):
    @factory.post_generation
    def groups(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.groups.add(Group.objects.get(name=REPORTER_GROUP))


class EditorFactory(UserFactory):
    @factory.post_generation
    def groups(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.groups.add(Group.objects.get(name=EDITOR_GROUP))


class LiveBlogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiveBlog
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Live blog {n}")
    slug = factory.Sequence(lambda n: f"live-blog-{n}")
    time_zone = "Europe/London"


class ContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contributor

    name = factory.Sequence(lambda n: f"Correspondent {n}")
    role = "BBC Three Counties Radio"


class PostFactory(factory.django.DjangoModelFactory):
    """A published post at a fixed past time, written straight to the table."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    blog = factory.SubFactory(LiveBlogFactory)
    headline = factory.Sequence(lambda n: f"Update {n}")
    body = "<p>Counting continues in Milton Keynes South.</p>"
    published_at = datetime(2017, 6, 9, 8, 51, tzinfo=UTC)
    status = Post.Status.PUBLISHED

    @factory.post_generation
    def contributors(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.contributors.set(extracted)
