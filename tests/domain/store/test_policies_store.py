"""The SQL of policies on SQLite and PostgreSQL: rules, authors' history, alerts, nudges."""

from __future__ import annotations

from datetime import timedelta

from domain.policies.rules import Action, Kind
from domain.records import Submission, utcnow
from domain.store import ScoredVerdict, Store
from domain.vocabulary import DecidedBy, Status


def _comment(store: Store, site_slug: str, email: str, status: Status, nudged: bool = False) -> str:
    """A comment with a verdict (or pending)."""
    site = store.sites.by_slug(site_slug)
    assert site is not None
    comment = store.comments.add(site, Submission("a1", "R", email, "text", nudged=nudged))
    if status is not Status.PENDING:
        store.comments.record_verdicts(
            [ScoredVerdict(comment.id, site.id, status, DecidedBy.MODEL, 0.1, 0.1, {}, [], [], "v")]
        )
    return comment.id


def test_rules_are_stored_versioned_and_removed(store: Store) -> None:
    site, _ = store.sites.create("planet")
    added = store.rules.add(
        site.id,
        [
            (Kind.WORD, Action.REJECT, "idiot", "insult"),
            (Kind.IP, Action.FLAG, "203.0.113.0/24", None),
        ],
        "cli",
    )
    assert [r.pattern for r in store.rules.for_site(site.id)] == ["idiot", "203.0.113.0/24"]
    assert store.rules.versions() == {site.id: (2, added[-1].id)}
    assert store.rules.by_ids([added[0].id])[added[0].id].note == "insult"
    assert store.rules.remove(site.id, added[0].id) and not store.rules.remove(site.id, 999)
    assert store.rules.versions() == {site.id: (1, added[-1].id)}


def test_an_authors_history_counts_decided_comments(store: Store) -> None:
    site, _ = store.sites.create("planet")
    other, _ = store.sites.create("other")
    for status in (
        Status.APPROVED,
        Status.APPROVED,
        Status.REJECTED,
        Status.FLAGGED,
        Status.PENDING,
    ):
        _comment(store, "planet", "a@example.com", status)
    _comment(store, "other", "a@example.com", Status.REJECTED)
    found = store.history.of_authors([(site.id, "a@example.com"), (other.id, "b@example.com")], 90)
    history = found[(site.id, "a@example.com")]
    assert (history.decided, history.approved, history.rejected, history.flagged) == (4, 2, 1, 1)
    assert (other.id, "b@example.com") not in found
    assert store.history.of_author(site.id, "a@example.com", 90).reported == 0


def test_alerts_and_nudged_outcomes(store: Store) -> None:
    site, _ = store.sites.create("planet")
    _comment(store, "planet", "a@example.com", Status.FLAGGED, nudged=True)
    _comment(store, "planet", "b@example.com", Status.REJECTED, nudged=True)
    _comment(store, "planet", "c@example.com", Status.APPROVED)
    assert store.alerts.flagged_count(site.id) == 1
    now = utcnow()
    assert (
        store.alerts.rejections_since(
            site.id, now - timedelta(minutes=1), now + timedelta(seconds=1)
        )
        == 1
    )
    assert sorted(store.alerts.recent_bodies(site.id, 10)) == ["text"] * 3
    assert store.alerts.nudged_outcomes(None, 14) == {"planet": {"flagged": 1, "rejected": 1}}
    alert_id = store.alerts.raise_alert(site.id, "flagged_queue", "full", 1)
    store.alerts.set_delivery(alert_id, {"webhook": "ok"})
    [alert] = store.alerts.recent(["planet"])
    assert (alert.kind, alert.delivery) == ("flagged_queue", {"webhook": "ok"})
    assert store.alerts.recent(["other"]) == []
    assert store.alerts.last_raised(site.id, "flagged_queue") is not None
