"""The database tables: the source of truth for comments, decisions, labels, sites and users."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Bump when a table changes; `migrate()` adds what an older database lacks.
SCHEMA_VERSION = 4

schema_info = Table(
    "schema_info",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("api_key_hash", String(64), nullable=False, unique=True),
    Column("api_key_prefix", String(16), nullable=False),
    Column("policy", JSON, nullable=False, default=dict),
    Column("webhook_url", String(2048)),
    Column("webhook_secret", String(128)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Coral Talk's signing secrets for its external moderation phase (a list, for rotation).
    Column("coral_secrets", JSON),
)

comments = Table(
    "comments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("article_id", String(200), nullable=False),
    Column("parent_id", String(64)),
    Column("sender_name", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("body", Text, nullable=False),
    Column("author_ip", String(45)),
    Column("user_agent", String(512)),
    Column("referrer", String(2048)),
    Column("permalink", String(2048)),
    Column("status", String(16), nullable=False),
    Column("spam", Float),
    Column("toxicity", Float),
    Column("attributes", JSON),
    Column("reasons", JSON),
    Column("spans", JSON),
    Column("model_version", String(64)),
    Column("decided_by", String(16)),
    # the comment's language (ISO 639-1 or "und"), detected when it is scored
    Column("language", String(8), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("enqueued_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Index("ix_comments_status_created", "status", "created_at"),
    Index("ix_comments_site_created", "site_id", "created_at"),
    Index("ix_comments_site_email", "site_id", "email"),
    # the approved comments of an article: the scorer's article context (v4)
    Index("ix_comments_article", "site_id", "article_id", "status", "created_at"),
)

# Every status change, by the model, a rule or a moderator: the audit log and the outbox
# of results to publish (`published_at` stays empty until Redis has the entry).
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", String(32), ForeignKey("comments.id"), nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("event", String(16), nullable=False),
    Column("decided_by", String(16), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("previous_status", String(16), nullable=False),
    Column("new_status", String(16), nullable=False),
    Column("reason", String(200)),
    Column("model_version", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Index("ix_decisions_comment", "comment_id"),
    Index("ix_decisions_unpublished", "published_at", "created_at"),
    Index("ix_decisions_site_created", "site_id", "created_at"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("site_slugs", JSON),  # null: every site
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Append-only training labels: moderator decisions, imports and site feedback.
labels = Table(
    "labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("label", String(8), nullable=False),
    Column("source", String(16), nullable=False),
    Column("comment_id", String(32)),
    Column("site_id", Integer),
    Column("user_id", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # the moderator decision that taught the label; an undo of it retracts the label (v3)
    Column("decision_id", Integer),
    Column("retracted_at", DateTime(timezone=True)),
    Index("ix_labels_created", "created_at"),
)

blocked_authors = Table(
    "blocked_authors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("user_id", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("site_id", "email", name="uq_blocked_site_email"),
)

# One row per attempt to POST a decision to a site's webhook URL.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("status_code", Integer),
    Column("attempt", Integer, nullable=False),
    Column("error", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_webhook_deliveries_decision", "decision_id"),
)
