"""Alerts: a site hears of a full queue, a wave of rejections or a flood of near-identical
comments before its moderators find out from the queue.

Beat runs ``check_alerts`` every minute (``MODERATION_ALERT_INTERVAL``). Each site opts in with
an ``alerts`` object in its policy (README "Site policy"); an alert is recorded (the dashboard
lists it), then sent as Slack-compatible JSON to the site's webhook and by email through the
operator's SMTP settings. The same kind of alert is not raised again for a site during its
cool-down, so a long wave makes one alert, not one a minute.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import requests

from classifier.normalize import normalize
from config import Settings
from domain.records import Site, utcnow
from domain.store.policies import AlertRepository

log = logging.getLogger(__name__)

FLAGGED_QUEUE = "flagged_queue"
REJECTION_WAVE = "rejection_wave"
NEAR_DUPLICATES = "near_duplicates"
BASELINE_MINUTES = 30
MAX_CLUSTERS = 300  # compare each comment with at most this many groups (bounded work)


@dataclass(frozen=True)
class AlertLines:
    """A site's alert settings; a line left out is not watched."""

    flagged_queue: int | None = None
    rejections_per_minute: int | None = None
    rejection_jump_factor: float = 3.0
    near_duplicates: int | None = None
    near_duplicate_minutes: float = 10.0
    near_duplicate_similarity: float = 0.8
    cooldown_minutes: float = 30.0
    webhook_url: str | None = None
    emails: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, policy: Mapping[str, Any]) -> AlertLines | None:
        """Read a policy's ``alerts`` object (None when the site watches nothing)."""
        raw = policy.get("alerts")
        if not isinstance(raw, Mapping):
            return None
        values: dict[str, Any] = {}
        for name, kind in (("flagged_queue", int), ("rejections_per_minute", int),
                           ("rejection_jump_factor", float), ("near_duplicates", int),
                           ("near_duplicate_minutes", float),
                           ("near_duplicate_similarity", float), ("cooldown_minutes", float)):
            try:
                if raw.get(name) is not None:
                    values[name] = kind(raw[name])
            except (TypeError, ValueError):
                log.warning("alerts.%s is not a number; ignored", name)
        if isinstance(raw.get("webhook_url"), str) and raw["webhook_url"].startswith("http"):
            values["webhook_url"] = raw["webhook_url"]
        emails = raw.get("emails")
        if isinstance(emails, str):
            emails = [emails]
        if isinstance(emails, list):
            values["emails"] = tuple(e for e in emails if isinstance(e, str) and "@" in e)
        return cls(**values)


@dataclass(frozen=True)
class Finding:
    """Something worth an alert."""

    kind: str
    message: str
    value: float


def check_alerts(
    sites: Sequence[Site], store: AlertRepository, settings: Settings,
    now: datetime | None = None,
) -> list[tuple[Site, Finding, dict[str, str]]]:
    """Check every site that watches something; raise and deliver what crossed a line."""
    now = now or utcnow()
    raised = []
    for site in sites:
        lines = AlertLines.of(site.policy)
        if lines is None:
            continue
        for finding in findings(site, lines, store, now):
            last = store.last_raised(site.id, finding.kind)
            if last and now - last < timedelta(minutes=lines.cooldown_minutes):
                continue
            alert_id = store.raise_alert(site.id, finding.kind, finding.message, finding.value)
            delivery = deliver(site, lines, finding, settings)
            store.set_delivery(alert_id, delivery)
            raised.append((site, finding, delivery))
    return raised


def findings(
    site: Site, lines: AlertLines, store: AlertRepository, now: datetime
) -> Iterator[Finding]:
    """What crossed the site's lines now."""
    if lines.flagged_queue is not None:
        waiting = store.flagged_count(site.id)
        if waiting > lines.flagged_queue:
            yield Finding(FLAGGED_QUEUE, f"{site.name}: {waiting} comments wait in the flagged "
                          f"queue (alert line {lines.flagged_queue}).", waiting)
    if lines.rejections_per_minute is not None:
        minute_ago = now - timedelta(minutes=1)
        last = store.rejections_since(site.id, minute_ago, now)
        before = store.rejections_since(
            site.id, minute_ago - timedelta(minutes=BASELINE_MINUTES), minute_ago
        ) / BASELINE_MINUTES
        if last >= lines.rejections_per_minute and last >= lines.rejection_jump_factor * before:
            yield Finding(REJECTION_WAVE, f"{site.name}: {last} comments rejected in the last "
                          f"minute, {before:.1f} a minute before: a spam wave?", last)
    if lines.near_duplicates is not None:
        bodies = store.recent_bodies(site.id, lines.near_duplicate_minutes)
        size, sample = largest_group(bodies, lines.near_duplicate_similarity)
        if size >= lines.near_duplicates:
            yield Finding(NEAR_DUPLICATES, f"{site.name}: {size} near-identical comments in "
                          f"{lines.near_duplicate_minutes:g} minutes, such as "
                          f"\"{sample[:80]}\".", size)


def shingles(text: str) -> frozenset[str]:
    """The folded text's word triples (single words for short texts), digits dropped: two
    comments differing only in a number, a name or a letter share most of them."""
    words = [w for w in normalize(text).split() if not any(c.isdigit() for c in w)]
    if len(words) < 3:
        return frozenset(words)
    return frozenset(" ".join(words[i:i + 3]) for i in range(len(words) - 2))


def largest_group(bodies: Sequence[str], similarity: float) -> tuple[int, str]:
    """Size and an example of the largest group of near-identical texts (Jaccard of shingles).

    Greedy: each text joins the first group whose first text is similar enough; bounded by
    MAX_CLUSTERS groups, which a flood of copies never needs.
    """
    groups: list[tuple[frozenset[str], str, list[int]]] = []
    for body in bodies:
        mine = shingles(body)
        if not mine:
            continue
        for head, _, members in groups:
            if len(mine & head) / len(mine | head) >= similarity:
                members.append(1)
                break
        else:
            if len(groups) < MAX_CLUSTERS:
                groups.append((mine, body, [1]))
    if not groups:
        return 0, ""
    head, sample, members = max(groups, key=lambda g: len(g[2]))
    return len(members), sample


def deliver(site: Site, lines: AlertLines, finding: Finding, settings: Settings) -> dict[str, str]:
    """Send an alert to the site's webhook and mailboxes; per channel "ok" or the error."""
    delivery: dict[str, str] = {}
    if lines.webhook_url:
        delivery["webhook"] = _post_webhook(lines.webhook_url, site, finding)
    if lines.emails:
        delivery["email"] = _send_email(lines.emails, site, finding, settings)
    return delivery


def _post_webhook(url: str, site: Site, finding: Finding) -> str:
    """POST Slack-compatible JSON ({"text": ...}, which Slack, Mattermost and Teams accept)."""
    payload: dict[str, Any] = {"text": f":rotating_light: {finding.message}",
               "site": site.slug, "kind": finding.kind, "value": finding.value}
    try:
        response = requests.post(url, json=payload, timeout=5)
    except requests.RequestException as error:
        log.warning("alert webhook for %s failed: %s", site.slug, error)
        return f"error: {type(error).__name__}"
    return "ok" if response.ok else f"error: HTTP {response.status_code}"


def _send_email(
    to: Sequence[str], site: Site, finding: Finding, settings: Settings
) -> str:
    """Mail the alert through the operator's SMTP server (MODERATION_SMTP_*)."""
    if not settings.smtp_host:
        return "error: MODERATION_SMTP_HOST is not set"
    message = EmailMessage()
    message["Subject"] = f"[moderation] {site.name}: {finding.kind.replace('_', ' ')}"
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message.set_content(finding.message + "\n\nThe review dashboard lists every alert.")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("alert email for %s failed: %s", site.slug, error)
        return f"error: {type(error).__name__}"
    return "ok"
