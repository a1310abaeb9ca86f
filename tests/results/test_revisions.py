"""results.revisions: what a result looked like at a revision, and what changed."""

from results.revisions import describe_changes, make_snapshot


def _snapshot(**overrides):
    values = {
        "status": "declared",
        "electorate": 92417,
        "invalid_votes": 120,
        "candidates": [
            {"name": "Iain Stewart", "party": "CON", "votes": 30652, "sitting_mp": True},
            {"name": "Hannah O'Neill", "party": "LAB", "votes": 28987},
        ],
    }
    return make_snapshot(**{**values, **overrides})


def test_a_snapshot_lists_candidates_by_name_with_every_flag_given():
    snapshot = _snapshot()

    assert snapshot == {
        "status": "declared",
        "electorate": 92417,
        "invalid_votes": 120,
        "candidates": [
            {
                "name": "Hannah O'Neill",
                "party": "LAB",
                "votes": 28987,
                "sitting_mp": False,
                "won_tie_break": False,
            },
            {
                "name": "Iain Stewart",
                "party": "CON",
                "votes": 30652,
                "sitting_mp": True,
                "won_tie_break": False,
            },
        ],
    }


def test_the_same_result_entered_in_another_order_gives_the_same_snapshot():
    reordered = _snapshot(candidates=list(reversed(_snapshot()["candidates"])))

    assert reordered == _snapshot()


def test_the_first_revision_says_it_is_the_first():
    assert describe_changes(None, _snapshot()) == ["First recorded"]


def test_an_unchanged_result_has_no_changes():
    assert describe_changes(_snapshot(), _snapshot()) == []


def test_changed_figures_are_described_with_thousands_and_blank_for_none():
    after = _snapshot(status="corrected", electorate=None, invalid_votes=1200)

    assert describe_changes(_snapshot(), after) == [
        "Status: declared → corrected",
        "Electorate: 92,417 → blank",
        "Invalid votes: 120 → 1,200",
    ]


def test_candidates_added_removed_and_changed_are_each_described():
    before = _snapshot()
    after = _snapshot(
        candidates=[
            {"name": "Iain Stewart", "party": "CON", "votes": 30700, "sitting_mp": False},
            {"name": "Alan Francis", "party": "GRN", "votes": 1179},
        ]
    )

    assert describe_changes(before, after) == [
        "Hannah O'Neill (LAB) removed",
        "Alan Francis (GRN) added with 1,179 votes",
        "Iain Stewart (CON) votes: 30,652 → 30,700",
        "Iain Stewart (CON) sitting MP: yes → no",
    ]


def test_a_change_of_party_and_tie_break_names_the_new_party():
    before = _snapshot()
    after = _snapshot(
        candidates=[
            {"name": "Iain Stewart", "party": "IND", "votes": 30652, "sitting_mp": True},
            {"name": "Hannah O'Neill", "party": "LAB", "votes": 28987, "won_tie_break": True},
        ]
    )

    assert describe_changes(before, after) == [
        "Hannah O'Neill (LAB) won the tie-break: no → yes",
        "Iain Stewart (IND) party: CON → IND",
    ]
