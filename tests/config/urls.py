"""A URLconf for the logging tests: the project's URLs plus views that log and fail."""

import logging

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def logs_a_line(request):
    logging.getLogger("liveblog.tests").warning("inside the view")
    return HttpResponse("ok")


def fails(request):
    raise ZeroDivisionError("the view failed")


urlpatterns = [
    path("__tests__/logs/", logs_a_line),
    path("__tests__/fails/", fails),
    *project_urlpatterns,
]
