"""Plain value objects shared by the service and the workers: sites, comments, decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain.vocabulary import DecidedBy, Event, Role, Status


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Site:
    """A publishing site that posts comments with its API key."""

    id: int
    slug: str
    name: str
    policy: dict[str, Any]
    api_key_prefix: str
    created_at: datetime
    webhook_url: str | None = None


@dataclass(frozen=True)
class Submission:
    """A comment that passed the form's rules, ready to store."""

    article_id: str
    sender_name: str
    email: str
    comment: str
    parent_id: str | None = None
    author_ip: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    permalink: str | None = None
    section: str | None = None
    article_title: str | None = None
    article_url: str | None = None
    nudged: bool = False  # the pre-check warned the author, who posted anyway


@dataclass
class Comment:
    """A stored comment with its latest verdict."""

    id: str
    site_id: int
    article_id: str
    sender_name: str
    email: str
    body: str
    status: Status
    created_at: datetime
    parent_id: str | None = None
    author_ip: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    permalink: str | None = None
    spam: float | None = None
    toxicity: float | None = None
    attributes: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)
    model_version: str | None = None
    decided_by: DecidedBy | None = None
    decided_at: datetime | None = None
    section: str | None = None
    article_title: str | None = None
    article_url: str | None = None
    site_slug: str = ""
    language: str | None = None  # ISO 639-1 or "und"; None until scored
    author_blocked: bool = False  # only known when loaded for scoring
    statement: dict[str, Any] | None = None  # a rejection's statement of reasons
    nudged: bool = False


@dataclass(frozen=True)
class Verdict:
    """What the policy decided for one scored comment."""

    status: Status
    decided_by: DecidedBy
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """One recorded status change: the audit log row and the result to publish."""

    id: int
    comment_id: str
    site_id: int
    site_slug: str
    article_id: str
    event: Event
    decided_by: DecidedBy
    previous_status: Status
    new_status: Status
    created_at: datetime
    reason: str | None = None
    model_version: str | None = None
    user_email: str | None = None
    spam: float | None = None
    toxicity: float | None = None
    reasons: tuple[str, ...] = ()
    published_at: datetime | None = None
    statement: dict[str, Any] | None = None
    language: str | None = None


@dataclass(frozen=True)
class User:
    """A moderator or admin of the review pages."""

    id: int
    email: str
    role: Role
    site_slugs: tuple[str, ...] | None  # None: every site
    active: bool = True

    def may_see(self, site_slug: str) -> bool:
        """Whether this user may see and moderate the given site's comments."""
        return self.site_slugs is None or site_slug in self.site_slugs

    @property
    def is_admin(self) -> bool:
        """Whether this user manages sites, users and policies."""
        return self.role is Role.ADMIN
