"""Two watchers on one folder at once (results desk issue): every file is applied once.

Each watcher runs in its own thread with its own database connection (on PostgreSQL, row
locks and the ingest log's unique constraints decide; on SQLite, the database lock does,
and a scan that met it tries the file again on its next scan)."""

import threading

import pytest
from django.db import connection

from results.ingest import ensure_feed_user
from results.models import ConstituencyResult, IngestLog, ResultRevision
from tests.results.conftest import CONSTITUENCIES_2017, ensure_results_permissions, read_rows
from tests.results.pa_night import MK_SOUTH, PREFIX, SEATS, edited, make_night

pytestmark = pytest.mark.django_db(transaction=True)

MORE_SEATS = 9
ROUNDS = 30  # scans each watcher may need before nothing is left (SQLite's lock)


@pytest.fixture
def night(tmp_path):
    ensure_results_permissions()  # transactional tests before this one flushed them
    ensure_feed_user()  # before the threads: each watcher declares as this account
    _, rows = read_rows(CONSTITUENCIES_2017)
    seats = tuple(dict.fromkeys((*SEATS, *(r[0] for r in rows[:MORE_SEATS]))))
    night = make_night(tmp_path, seats)
    for folder in ("nominations", "results"):
        for path in sorted((night.source / folder).glob("*.xml")):
            night.deliver(path, folder=folder)
    two = edited(night.exported("result", MK_SOUTH), revision=2, votes={"Lab": 28927})
    night.deliver_bytes(two, f"{PREFIX}_result_Milton_Keynes_South_2.xml")
    bad = edited(night.exported("result", MK_SOUTH), revision=3, votes={"Lab": -1})
    night.deliver_bytes(bad, f"{PREFIX}_result_Milton_Keynes_South_3.xml")
    return night


def _follow(night, name: str, start: threading.Barrier, errors: list) -> None:
    try:
        start.wait(timeout=60)  # both start together (or neither, broken, if one is late)
        watcher = night.watcher(process=name)
        for _ in range(ROUNDS):
            report = watcher.scan()
            if not report.failed and not watcher.pending():
                break
    except Exception as exc:  # reported to the test below
        errors.append(exc)
    finally:
        connection.close()


def test_two_watchers_on_one_folder_apply_every_file_once(night):
    files = len(list(night.feed.rglob("*.xml")))
    start = threading.Barrier(2)
    errors: list = []
    threads = [
        threading.Thread(target=_follow, args=(night, name, start, errors), daemon=True)
        for name in ("watcher-1", "watcher-2")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    assert not any(t.is_alive() for t in threads)
    assert errors == []
    log = list(IngestLog.objects.filter(election=night.election).values_list("file", "state"))
    assert len(log) == len({f for f, _ in log}) == files
    assert sorted(s for _, s in log).count("rejected") == 1
    seats = ConstituencyResult.objects.filter(election=night.election)
    assert seats.count() == len(night.official.results.all())
    assert set(seats.values_list("status", flat=True)) <= {"declared", "corrected"}
    # One declaration per seat, and Milton Keynes South's one correction.
    revisions = ResultRevision.objects.filter(result__election=night.election)
    assert revisions.filter(kind="declared").count() == seats.count()
    assert list(revisions.filter(kind="corrected").values_list("result__constituency__ons_id")) == [
        (MK_SOUTH,)
    ]
    assert len(list((night.feed / "quarantine").rglob("*.xml"))) == 1
