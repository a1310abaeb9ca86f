"""What a result looked like at a revision, and what changed between two revisions."""

from collections.abc import Iterable
from typing import Any

Snapshot = dict[str, Any]


def make_snapshot(
    *,
    status: str,
    electorate: int | None,
    invalid_votes: int,
    candidates: Iterable[dict[str, Any]],
) -> Snapshot:
    """A JSON-able picture of a result. Candidates: dicts with name, party (code), votes,
    sitting_mp and won_tie_break."""
    return {
        "status": status,
        "electorate": electorate,
        "invalid_votes": invalid_votes,
        "candidates": sorted(
            (
                {
                    "name": c["name"],
                    "party": c["party"],
                    "votes": c["votes"],
                    "sitting_mp": bool(c.get("sitting_mp", False)),
                    "won_tie_break": bool(c.get("won_tie_break", False)),
                }
                for c in candidates
            ),
            key=lambda c: c["name"],
        ),
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def describe_changes(before: Snapshot | None, after: Snapshot) -> list[str]:
    """Human-readable differences, e.g. ["Hannah O'Neill (LAB) votes: 28,927 → 28,987"]."""
    if not before:
        return ["First recorded"]
    changes = []
    for key, label in (
        ("status", "Status"),
        ("electorate", "Electorate"),
        ("invalid_votes", "Invalid votes"),
    ):
        if before.get(key) != after.get(key):
            changes.append(f"{label}: {_fmt(before.get(key))} → {_fmt(after.get(key))}")
    old = {c["name"]: c for c in before.get("candidates", [])}
    new = {c["name"]: c for c in after.get("candidates", [])}
    for name in sorted(old.keys() - new.keys()):
        changes.append(f"{name} ({old[name]['party']}) removed")
    for name in sorted(new.keys() - old.keys()):
        changes.append(f"{name} ({new[name]['party']}) added with {_fmt(new[name]['votes'])} votes")
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name], new[name]
        for key, label in (
            ("party", "party"),
            ("votes", "votes"),
            ("sitting_mp", "sitting MP"),
            ("won_tie_break", "won the tie-break"),
        ):
            if a.get(key) != b.get(key):
                changes.append(
                    f"{name} ({b['party']}) {label}: {_fmt(a.get(key))} → {_fmt(b.get(key))}"
                )
    return changes
