"""Alerts' near-identical groups and their settings, without a server."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.policies.alerts import AlertLines, largest_group

SPAM = "Visit my shop now for cheap pills and great deals, order number {n} today"


@given(copies=st.integers(2, 30), others=st.lists(st.text(max_size=80), max_size=20))
def test_copies_differing_in_a_number_form_one_group(copies: int, others: list[str]) -> None:
    bodies = [SPAM.format(n=n) for n in range(copies)] + others
    size, sample = largest_group(bodies, 0.8)
    assert size >= copies


def test_different_comments_do_not_group() -> None:
    bodies = ["The council vote was close and the article explains why.",
              "I disagree with the author about the bus lanes on the high street.",
              "Great photos of the lighthouse, thanks to the photographer."]
    assert largest_group(bodies, 0.8)[0] == 1
    assert largest_group([], 0.8) == (0, "")


def test_alert_lines_are_read_leniently() -> None:
    assert AlertLines.of({}) is None
    lines = AlertLines.of({"alerts": {"flagged_queue": "50", "near_duplicates": "many",
                                      "emails": "desk@example.com", "webhook_url": "ftp://x"}})
    assert lines is not None
    assert lines.flagged_queue == 50 and lines.near_duplicates is None
    assert lines.emails == ("desk@example.com",) and lines.webhook_url is None
