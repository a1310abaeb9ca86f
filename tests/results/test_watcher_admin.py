"""The ingest log and the PA seat lookup in the admin, and `manage.py watch_results`
(results desk issue)."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from results.models import IngestLog, PASeat
from results.selectors import get_night_state
from tests.results.pa_night import BUCKINGHAM, KENSINGTON, MK_SOUTH, PREFIX, edited, make_night

pytestmark = pytest.mark.django_db

LOG_URL = reverse("admin:results_ingestlog_changelist")


@pytest.fixture
def night(tmp_path):
    return make_night(tmp_path)


@pytest.fixture
def desk(client, editor):
    """An editor signed in, with the PA feed's permissions (migration 0005)."""
    migration = importlib.import_module("results.migrations.0005_pa_ingest")
    migration.add_permissions(apps, None)
    client.force_login(editor)
    return client


@pytest.fixture
def busy_night(night):
    night.deliver_seat(MK_SOUTH, "nominations", "rush", "result")
    night.deliver_seat(KENSINGTON, "nominations", "rush")
    night.deliver_seat(BUCKINGHAM, "nominations")
    night.deliver_bytes(
        edited(night.exported("result", BUCKINGHAM), revision=1, votes={"Speaker": -1}),
        f"{PREFIX}_result_Buckingham_1.xml",
    )
    night.scan()
    return night


def test_editors_see_the_night_at_a_glance_above_the_log(desk, busy_night):
    response = desk.get(LOG_URL, {"election__id__exact": busy_night.election.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "General election 2017 (night): the night at a glance" in html
    assert "<strong data-declared>1</strong> of 3 seats" in html
    assert "<strong data-rushes>1</strong>" in html
    assert "<strong data-recounts>0</strong>" in html
    assert "<strong data-rejected>1</strong>" in html
    assert "data-last-file" in html and "none yet" not in html


def test_the_log_filters_by_state_and_shows_why_a_file_was_rejected(desk, busy_night):
    response = desk.get(LOG_URL, {"state__exact": "rejected"})

    html = response.content.decode()
    assert f"{PREFIX}_result_Buckingham_1.xml" in html
    assert "is negative" in html
    assert f"{PREFIX}_rush_Kensington_1.xml" not in html


def test_the_night_at_a_glance_is_two_queries(busy_night, django_assert_num_queries):
    with django_assert_num_queries(2):
        state = get_night_state(busy_night.election)

    assert (state.seats, state.declared, state.rushes_pending, state.rejected_files) == (3, 1, 1, 1)


def test_the_log_is_read_only_for_editors(desk, busy_night):
    entry = IngestLog.objects.filter(state="rejected").get()
    url = reverse("admin:results_ingestlog_change", args=[entry.pk])

    assert desk.get(reverse("admin:results_ingestlog_add")).status_code == 403
    assert desk.get(url).status_code == 200
    assert desk.post(url, {"reason": "fine"}).status_code == 403
    assert desk.post(reverse("admin:results_ingestlog_delete", args=[entry.pk])).status_code == 403
    entry.refresh_from_db()
    assert entry.reason != "fine"


def test_the_log_lists_in_the_same_queries_for_one_file_and_many(desk, night):
    night.deliver_seat(MK_SOUTH, "nominations")
    night.scan()
    with CaptureQueriesContext(connection) as one:
        desk.get(LOG_URL)
    night.deliver_seat(MK_SOUTH, "rush", "result")
    night.deliver_seat(KENSINGTON, "nominations", "rush", "result")
    night.scan()

    with CaptureQueriesContext(connection) as many:
        response = desk.get(LOG_URL)

    assert response.context["cl"].result_count == 6
    assert len(many) == len(one)


def test_editors_can_correct_the_seat_lookup(desk, night):
    seat = PASeat.objects.get(constituency__ons_id=MK_SOUTH)
    url = reverse("admin:results_paseat_change", args=[seat.pk])

    response = desk.post(
        url,
        {"number": seat.number, "name": "Milton Keynes S.", "constituency": seat.constituency_id},
    )

    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.name == "Milton Keynes S."


# manage.py watch_results -------------------------------------------------------------------


def test_watch_results_once_applies_the_folder_and_prints_each_file(night, capsys):
    night.deliver_seat(MK_SOUTH, "nominations", "rush", "result")
    night.deliver_bytes(b"<nope", f"{PREFIX}_result_Buckingham_1.xml")

    call_command("watch_results", str(night.feed), "--once", "--election", "night")

    out = capsys.readouterr().out
    assert f"applied  {PREFIX}_result_Milton_Keynes_South_1.xml" in out
    assert f"rejected {PREFIX}_result_Buckingham_1.xml: The file is not well-formed" in out
    assert night.result(MK_SOUTH).status == "declared"


def test_watch_results_refuses_to_start_without_the_seat_lookup(night):
    PASeat.objects.all().delete()

    with pytest.raises(CommandError, match="load_pa_seats"):
        call_command("watch_results", str(night.feed), "--once", "--election", "night")


def test_watch_results_refuses_an_unknown_election_or_folder(night, tmp_path):
    with pytest.raises(CommandError, match="No election 'ge1066'"):
        call_command("watch_results", str(night.feed), "--once", "--election", "ge1066")
    with pytest.raises(CommandError, match="neither nominations/ nor results/"):
        call_command("watch_results", str(tmp_path / "nowhere"), "--once")


def test_watch_results_refuses_an_account_that_may_not_declare_or_does_not_exist(night, reporter):
    args = ["watch_results", str(night.feed), "--once", "--election", "night", "--by"]
    with pytest.raises(CommandError, match="may not declare results"):
        call_command(*args, "reporter1")
    with pytest.raises(CommandError, match="No account 'pa-fed'"):
        call_command(*args, "pa-fed")
    assert not IngestLog.objects.exists()
    assert not get_user_model().objects.filter(username="pa-fed").exists()
