"""The PA folder watcher (results desk issue): files written by pa_export replayed into an
empty election, each applied once through the results services, in revision order, with
every refusal logged, quarantined and survived."""

import pathlib
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from liveblog import services as liveblog_services
from liveblog.models import LiveEvent
from results import services
from results.feeds.watch import QUARANTINE, SETTLE_SECONDS, Delivered, delivery_order
from results.figures import result_figures
from results.ingest import (
    MSG_NOMINATIONS_DECLARED,
    MSG_RUSH_AFTER_RESULT,
    ensure_feed_user,
)
from results.models import ConstituencyResult, IngestLog, PostResultCard, ResultRevision
from results.selectors import get_night_state, get_scoreboard
from tests.results.pa_night import (
    BUCKINGHAM,
    KENSINGTON,
    MK_SOUTH,
    PREFIX,
    SEATS,
    edited,
    make_night,
    pa_number,
    recount_xml,
)

pytestmark = pytest.mark.django_db

MK = "Milton_Keynes_South"


@pytest.fixture
def night(tmp_path):
    return make_night(tmp_path)


def card_html(result: ConstituencyResult) -> str:
    card = result_figures(ConstituencyResult.objects.for_card().get(pk=result.pk))
    return render_to_string("results/_card.html", {"card": card})


def facts(result: ConstituencyResult) -> tuple:
    card = result_figures(result)
    return (
        card.headline,
        card.majority,
        result.electorate,
        result.invalid_votes,
        result.declared_at,
        sorted((c.name, c.party.code, c.votes, c.change_percent) for c in card.candidates),
    )


def states(night) -> list[tuple[str, str]]:
    return list(
        IngestLog.objects.filter(election=night.election)
        .order_by("id")
        .values_list("file", "state")
    )


# A night as PA delivers it ---------------------------------------------------------------------


def test_the_exported_night_replays_as_the_official_results(night):
    night.deliver_night()

    report = night.scan()

    assert report.count("applied") == 9 and not report.failed
    for ons_id in SEATS:
        assert facts(night.result(ons_id)) == facts(night.official_result(ons_id))
    assert night.result(KENSINGTON).previous_winner.code == "CON"
    assert result_figures(night.result(KENSINGTON)).headline == "LAB GAIN FROM CON"


def test_every_file_is_logged_with_revision_kind_seat_time_and_process(night):
    night.deliver_seat(MK_SOUTH, "nominations", "rush", "result")

    night.scan(process="desk-1:42")

    entries = IngestLog.objects.filter(election=night.election).order_by("id")
    assert [(e.kind, e.revision, e.constituency.ons_id, e.state) for e in entries] == [
        ("nominations", 1, MK_SOUTH, "applied"),
        ("rush", 1, MK_SOUTH, "applied"),
        ("result", 1, MK_SOUTH, "applied"),
    ]
    assert {e.process for e in entries} == {"desk-1:42"}
    assert all(e.at is not None for e in entries)


def test_a_result_declares_through_the_services_with_a_revision_by_the_feed(night):
    night.deliver_seat(MK_SOUTH, "nominations", "result")

    night.scan()

    result = night.result(MK_SOUTH)
    revision = result.revisions.get()
    assert (result.status, revision.kind) == ("declared", "declared")
    assert revision.by == ensure_feed_user()
    assert result.declared_at == night.official_result(MK_SOUTH).declared_at


def test_delivering_the_same_files_again_applies_nothing(night):
    night.deliver_night()
    night.scan()
    events = LiveEvent.objects.count()
    revisions = ResultRevision.objects.count()

    night.deliver_night()  # every file again, newer times, same bytes
    report = night.scan()

    assert (report.new, report.seen) == ([], 9)
    assert (LiveEvent.objects.count(), ResultRevision.objects.count()) == (events, revisions)
    assert IngestLog.objects.filter(election=night.election).count() == 9


def test_a_second_scan_does_not_read_files_it_has_handled(night, monkeypatch):
    night.deliver_night()
    watcher = night.watcher()
    watcher.scan()
    opened = []
    original = pathlib.Path.open
    monkeypatch.setattr(
        pathlib.Path, "open", lambda self, *a, **k: opened.append(self) or original(self, *a, **k)
    )

    report = watcher.scan()

    assert (report.new, report.seen, opened) == ([], 0, [])


# Nominations, rushes, results ------------------------------------------------------------------


def test_nominations_open_the_seat_with_its_candidates_and_previous_winner(night):
    night.deliver_seat(KENSINGTON, "nominations")

    night.scan()

    result = night.result(KENSINGTON)
    official = night.official_result(KENSINGTON)
    assert result.status == "awaiting"
    assert sorted(result.candidacies.values_list("name", "votes", "previous_share")) == sorted(
        (c.name, 0, c.previous_share) for c in official.candidacies.all()
    )
    assert (result.electorate, result.previous_winner) == (
        official.electorate,
        official.previous_winner,
    )


def test_a_higher_revision_of_nominations_updates_the_candidates(night):
    night.deliver_seat(MK_SOUTH, "nominations")
    night.scan()
    path = night.exported("nominations", MK_SOUTH)
    root = ET.parse(path).getroot()
    root.set("revision", "2")
    seat = root.find("Election/Constituency")
    seat.remove(seat.findall("Candidate")[-1])  # one candidate withdrew
    night.deliver_bytes(
        ET.tostring(root, encoding="utf-8"),
        f"{PREFIX}_nominations_{MK}_2.xml",
        folder="nominations",
    )

    night.scan()

    assert night.result(MK_SOUTH).candidacies.count() == len(seat.findall("Candidate"))


def test_nominations_after_the_declaration_are_ignored(night):
    night.deliver_seat(MK_SOUTH, "nominations", "result")
    night.scan()
    data = edited(night.exported("nominations", MK_SOUTH), revision=2)

    night.deliver_bytes(data, f"{PREFIX}_nominations_{MK}_2.xml", folder="nominations")
    night.scan()

    entry = IngestLog.objects.get(file=f"{PREFIX}_nominations_{MK}_2.xml")
    assert (entry.state, entry.reason) == ("ignored", MSG_NOMINATIONS_DECLARED)
    assert night.result(MK_SOUTH).status == "declared"


def test_a_rush_marks_the_winner_with_the_full_result_to_follow(night):
    night.deliver_seat(KENSINGTON, "nominations", "rush")

    night.scan()

    result = night.result(KENSINGTON)
    card = result_figures(result)
    html = card_html(result)
    assert (result.status, result.rush_winner.code) == ("awaiting", "LAB")
    assert card.headline == "LAB GAIN FROM CON"
    assert "Full result to follow" in html and "Awaiting result" not in html
    assert get_scoreboard(night.election).declared == 1
    assert get_night_state(night.election).rushes_pending == 1


def test_the_result_supersedes_the_rush(night):
    night.deliver_seat(KENSINGTON, "nominations", "rush")
    night.scan()

    night.deliver_seat(KENSINGTON, "result")
    night.scan()

    result = night.result(KENSINGTON)
    assert (result.status, result.rush_winner) == ("declared", None)
    assert "Full result to follow" not in card_html(result)
    assert get_night_state(night.election).rushes_pending == 0


def test_a_rush_arriving_after_its_result_is_logged_and_ignored(night):
    night.deliver_seat(KENSINGTON, "nominations", "result")
    night.scan()
    before = facts(night.result(KENSINGTON))

    night.deliver_seat(KENSINGTON, "rush")
    night.scan()

    entry = IngestLog.objects.get(kind="rush")
    assert (entry.state, entry.reason) == ("ignored", MSG_RUSH_AFTER_RESULT)
    assert facts(night.result(KENSINGTON)) == before
    assert night.result(KENSINGTON).rush_winner is None


def test_a_rush_naming_a_party_with_no_candidate_is_rejected(night):
    night.deliver_seat(MK_SOUTH, "nominations")
    night.scan()
    data = edited(
        night.exported("rush", MK_SOUTH),
        revision=1,
        winningPartyAbbreviation="SNP",
        winningPartyName="Scottish National Party",
    )
    night.deliver_bytes(data, f"{PREFIX}_rush_{MK}_1.xml")

    night.scan()

    entry = IngestLog.objects.get(kind="rush")
    assert entry.state == "rejected" and "no SNP candidate" in entry.reason
    assert night.result(MK_SOUTH).rush_winner is None


# Revisions -------------------------------------------------------------------------------------


@pytest.fixture
def declared(night):
    night.deliver_seat(MK_SOUTH, "nominations", "rush", "result")
    night.scan()
    return night


@pytest.fixture
def shown_in_a_post(declared, editor, blog):
    post = liveblog_services.create_post(blog=blog, by=editor, headline="Milton Keynes South")
    PostResultCard.objects.create(post=post, result=declared.result(MK_SOUTH), order=0)
    return post


def test_a_higher_revision_corrects_the_result_and_updates_every_post_showing_it(
    declared, shown_in_a_post, django_capture_on_commit_callbacks
):
    data = edited(declared.exported("result", MK_SOUTH), revision=2, votes={"Lab": 28927})
    declared.deliver_bytes(data, f"{PREFIX}_result_{MK}_2.xml")

    with django_capture_on_commit_callbacks(execute=True):
        declared.scan()

    result = declared.result(MK_SOUTH)
    revision = result.revisions.order_by("number").last()
    assert result.status == "corrected"
    assert revision.kind == "corrected"
    assert revision.changes == [
        "Status: declared → corrected",
        "Hannah O'Neill (LAB) votes: 28,987 → 28,927",
    ]
    assert "PA revision 2" in revision.note
    event = LiveEvent.objects.filter(blog=shown_in_a_post.blog).order_by("seq").last()
    assert (event.kind, event.post_id) == (LiveEvent.Kind.POST_UPDATED, shown_in_a_post.pk)
    assert "28,927" in event.html


def test_a_file_that_opens_and_declares_a_seat_pushes_one_event_per_post(
    night, editor, blog, django_capture_on_commit_callbacks
):
    post = liveblog_services.create_post(blog=blog, by=editor, headline="The national picture")
    PostResultCard.objects.create(post=post, election=night.election, order=0)
    before = LiveEvent.objects.filter(blog=blog).count()
    night.deliver_seat(KENSINGTON, "result")  # no nominations: the result opens the seat

    with django_capture_on_commit_callbacks(execute=True):
        night.scan()

    events = LiveEvent.objects.filter(blog=blog).order_by("seq")[before:]
    assert [(e.kind, e.post_id) for e in events] == [(LiveEvent.Kind.POST_UPDATED, post.pk)]


def test_a_lower_revision_arriving_late_is_logged_and_ignored(declared):
    two = edited(declared.exported("result", MK_SOUTH), revision=2, votes={"Lab": 28927})
    declared.deliver_bytes(two, f"{PREFIX}_result_{MK}_2.xml")
    declared.scan()
    before = facts(declared.result(MK_SOUTH))

    one_again = edited(declared.exported("result", MK_SOUTH), revision=1, votes={"Lab": 1})
    declared.deliver_bytes(one_again, f"{PREFIX}_result_{MK}_1.xml")  # replaced, different
    declared.scan()

    late = IngestLog.objects.filter(file=f"{PREFIX}_result_{MK}_1.xml").order_by("id").last()
    assert (late.state, late.reason) == (
        "ignored",
        "Revision 1 is not newer than revision 2, already applied.",
    )
    assert facts(declared.result(MK_SOUTH)) == before


def test_revisions_landing_out_of_order_in_one_scan_are_applied_in_revision_order(night):
    night.deliver_seat(MK_SOUTH, "nominations")
    three = edited(night.exported("result", MK_SOUTH), revision=3, votes={"Lab": 28987})
    two = edited(night.exported("result", MK_SOUTH), revision=2, votes={"Lab": 28927})
    night.deliver_bytes(three, f"{PREFIX}_result_{MK}_3.xml")  # lands first
    night.deliver_bytes(two, f"{PREFIX}_result_{MK}_2.xml")
    night.deliver(night.exported("result", MK_SOUTH))  # revision 1 lands last

    night.scan()

    assert [s for _, s in states(night)] == ["applied"] * 4
    assert [f.rsplit("_", 1)[1] for f, _ in states(night)[1:]] == ["1.xml", "2.xml", "3.xml"]
    assert facts(night.result(MK_SOUTH)) == facts(night.official_result(MK_SOUTH))
    assert night.result(MK_SOUTH).revisions.count() == 3


def test_delivery_order_keeps_arrival_across_kinds_and_revision_order_within_one():
    def f(name, folder="results", mtime=0):
        return Delivered(folder, pathlib.Path(name), (0, 0, mtime))

    files = [
        f(f"{PREFIX}_result_A_2.xml", mtime=1),
        f(f"{PREFIX}_recount_A_1.xml", mtime=2),
        f(f"{PREFIX}_result_A_1.xml", mtime=3),
        f(f"{PREFIX}_nominations_A_1.xml", folder="nominations", mtime=9),
        f("junk.xml", mtime=0),
    ]

    assert [d.name for d in delivery_order(files)] == [
        f"{PREFIX}_nominations_A_1.xml",
        "junk.xml",
        f"{PREFIX}_result_A_1.xml",
        f"{PREFIX}_recount_A_1.xml",
        f"{PREFIX}_result_A_2.xml",
    ]


# Recounts --------------------------------------------------------------------------------------


def test_a_recount_marks_every_card_until_the_next_result(declared, shown_in_a_post):
    declared.deliver_bytes(
        recount_xml(MK_SOUTH, pa_number(MK_SOUTH), "Milton Keynes South"),
        f"{PREFIX}_recount_{MK}_1.xml",
    )
    declared.scan()
    recounting = declared.result(MK_SOUTH)
    assert "Recount" in card_html(recounting)
    assert get_night_state(declared.election).recounts == 1
    revisions = recounting.revisions.count()

    # The recount confirms the figures: revision 2 is the same result.
    same = edited(declared.exported("result", MK_SOUTH), revision=2)
    declared.deliver_bytes(same, f"{PREFIX}_result_{MK}_2.xml")
    declared.scan()

    result = declared.result(MK_SOUTH)
    assert result.recount_called_at is None
    assert "Recount" not in card_html(result)
    assert (result.status, result.revisions.count()) == ("declared", revisions)
    event = LiveEvent.objects.filter(blog=shown_in_a_post.blog).order_by("seq").last()
    assert "Recount" not in event.html


def test_a_recount_before_any_result_shows_recount_instead_of_awaiting(night):
    night.deliver_seat(BUCKINGHAM, "nominations")
    night.deliver_bytes(
        recount_xml(BUCKINGHAM, pa_number(BUCKINGHAM), "Buckingham"),
        f"{PREFIX}_recount_Buckingham_1.xml",
    )

    night.scan()

    html = card_html(night.result(BUCKINGHAM))
    assert "Recount" in html and "Awaiting result" not in html
    assert result_figures(night.result(BUCKINGHAM)).headline == "Recount"


def test_an_editor_declaring_by_hand_ends_the_rush_and_the_recount(night, editor):
    night.deliver_seat(KENSINGTON, "nominations", "rush")
    night.deliver_bytes(
        recount_xml(KENSINGTON, pa_number(KENSINGTON), "Kensington"),
        f"{PREFIX}_recount_Kensington_1.xml",
    )
    night.scan()
    result = night.result(KENSINGTON)
    official = night.official_result(KENSINGTON)

    services.enter_result(
        result,
        by=editor,
        declare=True,
        electorate=official.electorate,
        candidates=[
            services.CandidateEntry(name=c.name, party=c.party, votes=c.votes)
            for c in official.candidacies.all()
        ],
    )

    result.refresh_from_db()
    assert (result.status, result.rush_winner, result.recount_called_at) == ("declared", None, None)


# Files the desk refuses ------------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<FirstPastThePostResult revision="1">&b;</FirstPastThePostResult>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<FirstPastThePostResult revision="1">&x;</FirstPastThePostResult>"""


def _bad_files(night):
    result = night.exported("result", MK_SOUTH)
    return {
        "malformed": (b"<FirstPastThePostResult revision='1'><Election>", "malformed"),
        "bomb": (BOMB, "dtd"),
        "external entity": (EXTERNAL, "dtd"),
        "negative votes": (edited(result, revision=1, votes={"Lab": -5}), "negative_votes"),
        "wrong winner": (edited(result, revision=1, winningParty="Lab"), "winner_not_top"),
        "unknown seat": (edited(result, revision=1, number=9999), "unknown_seat"),
        "misnamed seat": (edited(result, revision=1, name="Milton Keynes North"), "seat_mismatch"),
        "other election": (
            edited(result, revision=1).replace(b'date="2017-06-08"', b'date="2015-05-07"'),
            "other_election",
        ),
        "turnout below votes": (edited(result, revision=1, turnout=10), "bad_figures"),
        "tie without a draw": (
            edited(result, revision=1, votes={"C": 28987}, winningParty="C"),
            "tie",
        ),
    }


BAD = [
    "malformed",
    "bomb",
    "external entity",
    "negative votes",
    "wrong winner",
    "unknown seat",
    "misnamed seat",
    "other election",
    "turnout below votes",
    "tie without a draw",
]


@pytest.mark.parametrize("bad", BAD)
def test_a_bad_file_is_rejected_quarantined_and_the_watcher_carries_on(night, bad):
    night.deliver_seat(MK_SOUTH, "nominations")
    night.scan()
    data, code = _bad_files(night)[bad]
    name = f"{PREFIX}_result_{MK}_1.xml"
    before = (ResultRevision.objects.count(), LiveEvent.objects.count())
    night.deliver_bytes(data, name)
    night.deliver_seat(BUCKINGHAM, "nominations", "result")  # lands after the bad one

    report = night.scan()

    entry = IngestLog.objects.get(file=name)
    assert (entry.state, entry.code) == ("rejected", code)
    assert entry.reason
    assert not (night.feed / "results" / name).exists()
    assert (night.feed / entry.quarantined_as).read_bytes() == data
    assert entry.quarantined_as == f"{QUARANTINE}/results/{name}"
    assert night.result(MK_SOUTH).status == "awaiting"  # nothing half-written
    assert night.result(MK_SOUTH).candidacies.filter(votes__gt=0).count() == 0
    assert ResultRevision.objects.count() == before[0] + 1  # Buckingham's declaration only
    assert night.result(BUCKINGHAM).status == "declared"
    assert report.count("rejected") == 1 and not report.failed
    assert get_night_state(night.election).rejected_files == 1


def test_a_rejection_names_the_line_where_the_file_gives_one(night):
    data = edited(night.exported("result", MK_SOUTH), revision=1, votes={"Lab": -5})
    night.deliver_bytes(data, f"{PREFIX}_result_{MK}_1.xml")

    night.scan()

    entry = IngestLog.objects.get()
    lines = data.decode().splitlines()
    assert 'votes="-5"' in lines[entry.line - 1]


def test_a_test_account_file_while_the_election_is_live_is_rejected(night):
    data = night.exported("result", MK_SOUTH).read_bytes()
    name = f"General_Election_Test_result_{MK}_1.xml"

    night.deliver_bytes(data, name)
    night.scan()

    entry = IngestLog.objects.get()
    assert (entry.state, entry.code) == ("rejected", "test_account")
    assert not ConstituencyResult.objects.filter(election=night.election).exists()


def test_a_test_account_file_before_polling_day_is_a_rehearsal_and_applied(night):
    night.election.date = night.election.date.replace(year=2999)
    night.election.save(update_fields=["date"])
    data = night.exported("result", MK_SOUTH).read_bytes().replace(b"2017-06-08", b"2999-06-08")

    night.deliver_bytes(data, f"General_Election_Test_result_{MK}_1.xml")
    night.scan()

    assert IngestLog.objects.get().state == "applied"
    assert night.result(MK_SOUTH).status == "declared"


def test_a_file_pa_would_not_name_is_rejected_as_unreadable(night):
    night.deliver_bytes(b"<x/>", "notes.xml")

    night.scan()

    entry = IngestLog.objects.get()
    assert (entry.kind, entry.state, entry.code) == ("unknown", "rejected", "file_name")


def test_a_rejected_file_delivered_again_is_not_logged_twice(night):
    data = edited(night.exported("result", MK_SOUTH), revision=1, votes={"Lab": -5})
    night.deliver_bytes(data, f"{PREFIX}_result_{MK}_1.xml")
    night.scan()

    night.deliver_bytes(data, f"{PREFIX}_result_{MK}_1.xml")
    report = night.scan()

    assert (IngestLog.objects.count(), report.seen) == (1, 1)
    assert not (night.feed / "results" / f"{PREFIX}_result_{MK}_1.xml").exists()


def test_a_fixed_file_under_the_rejected_ones_name_is_applied(night):
    bad = edited(night.exported("result", MK_SOUTH), revision=1, votes={"Lab": -5})
    night.deliver_bytes(bad, f"{PREFIX}_result_{MK}_1.xml")
    night.scan()

    night.deliver(night.exported("result", MK_SOUTH))
    night.scan()

    assert [s for _, s in states(night)] == ["rejected", "applied"]
    assert night.result(MK_SOUTH).status == "declared"


# Files in motion and crashes -------------------------------------------------------------------


def test_a_file_replaced_while_it_is_read_is_read_again_next_scan(night, monkeypatch):
    target = night.deliver(night.exported("result", MK_SOUTH))
    fixed = edited(night.exported("result", MK_SOUTH), revision=1, votes={"Lab": 28927})
    original = pathlib.Path.open

    def open_then_replace(self, *args, **kwargs):
        handle = original(self, *args, **kwargs)
        if self == target and not getattr(open_then_replace, "done", False):
            open_then_replace.done = True
            night.deliver_bytes(fixed, target.name)  # PA replaces it under our feet
        return handle

    monkeypatch.setattr(pathlib.Path, "open", open_then_replace)
    watcher = night.watcher()

    first = watcher.scan()
    second = watcher.scan()

    assert (first.unsettled, first.new) == ([target.name], [])
    assert [e.state for e in second.new] == ["applied"]
    votes = dict(night.result(MK_SOUTH).candidacies.values_list("party__code", "votes"))
    assert votes["LAB"] == 28927


def test_a_file_modified_moments_ago_waits_for_the_next_scan(night):
    target = night.deliver(night.exported("result", MK_SOUTH))
    mtime = target.stat().st_mtime
    watcher = night.watcher()
    watcher.now = lambda: mtime + SETTLE_SECONDS / 2

    report = watcher.scan()

    assert (report.unsettled, IngestLog.objects.count()) == ([target.name], 0)


def test_a_crash_between_parse_and_apply_leaves_nothing_half_written(night, monkeypatch):
    night.deliver_seat(MK_SOUTH, "nominations", "result")
    night.scan()  # nominations and the result: declared
    two = edited(night.exported("result", MK_SOUTH), revision=2, votes={"Lab": 28927})
    night.deliver_bytes(two, f"{PREFIX}_result_{MK}_2.xml")
    before = (
        facts(night.result(MK_SOUTH)),
        ResultRevision.objects.count(),
        LiveEvent.objects.count(),
    )
    real = services.enter_result

    def crash(*args, **kwargs):
        real(*args, **kwargs)  # the figures are written...
        raise RuntimeError("the process dies here")  # ...and the process dies

    monkeypatch.setattr(services, "enter_result", crash)
    watcher = night.watcher()
    report = watcher.scan()

    assert report.failed == [f"{PREFIX}_result_{MK}_2.xml"]
    after = (
        facts(night.result(MK_SOUTH)),
        ResultRevision.objects.count(),
        LiveEvent.objects.count(),
    )
    assert after == before
    assert not IngestLog.objects.filter(revision=2).exists()

    monkeypatch.setattr(services, "enter_result", real)
    watcher.scan()  # the watcher carries on: the file is tried again, and applied once
    assert IngestLog.objects.get(revision=2).state == "applied"
    assert night.result(MK_SOUTH).revisions.count() == 2


def test_a_watcher_that_lost_the_race_for_a_file_applies_nothing(night, monkeypatch):
    """Two watchers read the same new file, and both find it in no log entry; the other
    one commits its entry first. This one's entry meets the unique constraint, and its
    whole transaction, the correction included, rolls back."""
    from results import ingest

    night.deliver_seat(MK_SOUTH, "nominations", "result")
    night.scan()
    name = f"{PREFIX}_result_{MK}_2.xml"
    data = edited(night.exported("result", MK_SOUTH), revision=2, votes={"Lab": 28927})
    before = (facts(night.result(MK_SOUTH)), ResultRevision.objects.count())
    theirs = IngestLog.objects.create(
        election=night.election,
        file=name,
        digest=ingest.file_digest(data),
        kind="result",
        revision=2,
        state="ignored",
        at=night.result(MK_SOUTH).declared_at,
        process="other:1",
    )
    real = ingest._logged
    calls = []

    def checked_too_early(*args):
        calls.append(args)
        return None if len(calls) <= 2 else real(*args)

    monkeypatch.setattr(ingest, "_logged", checked_too_early)

    done = ingest.ingest_file(
        data, name=name, election=night.election, by=ensure_feed_user(), process="late:1"
    )

    assert (done.new, done.log.pk) == (False, theirs.pk)
    assert len(calls) == 3  # before reading, under the seat's lock, after the refusal
    assert (facts(night.result(MK_SOUTH)), ResultRevision.objects.count()) == before


def test_files_outside_the_two_folders_and_dot_files_are_not_read(night):
    (night.feed / "results" / ".partial.xml.tmp").write_bytes(b"<half")
    (night.feed / "results" / "readme.txt").write_text("hello")
    (night.feed / "elsewhere").mkdir()
    (night.feed / "elsewhere" / "x.xml").write_bytes(b"<x/>")

    report = night.scan()

    assert (report.new, report.seen, report.failed) == ([], 0, [])


# Following the folder --------------------------------------------------------------------------


def test_run_scans_when_a_timestamp_changes_and_every_minute_regardless(night):
    watcher = night.watcher()
    scans = []
    watcher.scan = lambda: scans.append(now[0])  # type: ignore[method-assign]
    now = [0.0]
    steps = iter(
        [
            lambda: None,  # nothing changes: no scan
            lambda: night.deliver(night.exported("result", MK_SOUTH)),  # .timestamp changes
            lambda: None,
            lambda: now.__setitem__(0, 61.0),  # a minute without a change
            None,
        ]
    )

    def sleep(seconds):
        now[0] += seconds

    def stop():
        step = next(steps)
        if step is None:
            return True
        step()
        return False

    watcher.run(stop=stop, sleep=sleep, clock=lambda: now[0])

    assert scans == [0.0, 2.0, 62.0]


def test_run_once_scans_once(night):
    night.deliver_night()

    assert night.watcher().run(once=True) == 1
    assert IngestLog.objects.count() == 9
