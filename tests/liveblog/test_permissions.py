"""liveblog.permissions.acting_user: what the admin and the write API pass the services as `by`."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from liveblog.permissions import acting_user


def test_acting_user_is_the_signed_in_user_of_the_request(reporter):
    request = RequestFactory().post("/admin/")
    request.user = reporter
    assert acting_user(request) == reporter


def test_acting_user_refuses_a_request_nobody_signed_in_to():
    request = RequestFactory().post("/admin/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        acting_user(request)
