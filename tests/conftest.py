import importlib
import os

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from hypothesis import settings as hypothesis_settings

from liveblog import services
from liveblog.models import Contributor, LiveBlog
from liveblog.permissions import EDITOR_GROUP, REPORTER_GROUP

# Property tests explore new inputs on every local run; CI replays a fixed sequence, so a
# submission's result does not depend on the draw (a failure found locally becomes a named
# regression test, as in tests/liveblog/test_sanitize_properties.py).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def ensure_newsroom_groups() -> None:
    """Transactional tests flush the tables the data migration filled; fill them again."""
    if Group.objects.filter(name__in=[REPORTER_GROUP, EDITOR_GROUP]).count() == 2:
        return
    importlib.import_module("liveblog.migrations.0002_newsroom_groups").create_groups(apps, None)
    approval = importlib.import_module("liveblog.migrations.0005_post_approval")
    approval.grant_approval_to_editors(apps, None)


def _staff_user(username: str, group: str):
    ensure_newsroom_groups()
    user = get_user_model().objects.create_user(
        username=username, password="pw-for-tests", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(db):
    user = _staff_user("reporter1", REPORTER_GROUP)
    Contributor.objects.create(name="Alex Pope", role="BBC Local Live", user=user)
    return user


@pytest.fixture
def other_reporter(db):
    user = _staff_user("reporter2", REPORTER_GROUP)
    Contributor.objects.create(name="Luke Ashmead", role="BBC Three Counties Radio", user=user)
    return user


@pytest.fixture
def editor(db):
    user = _staff_user("editor1", EDITOR_GROUP)
    Contributor.objects.create(name="Katy Lewis", role="BBC Local Live", user=user)
    return user


@pytest.fixture
def blog(db):
    return LiveBlog.objects.create(
        title="General election 2017: live results", slug="ge2017", time_zone="Europe/London"
    )


@pytest.fixture
def reporter_post(reporter, blog):
    """A published post filed by `reporter` through the services."""
    return services.create_post(
        blog=blog,
        by=reporter,
        headline="Counting under way in Luton",
        body="<p>Ballot boxes are arriving.</p>",
        contributors=[reporter.contributor],
    )
