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
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Change a table here, then write its migration: `moderation db revision "what changed"`
# (docs/architecture.md). tests/domain/store/test_migrations.py fails until you do.

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
    # the statement of reasons of a rejection, shown to the author
    Column("statement", JSON),
    # the erasure job (or retention run, -1) that anonymised this comment
    Column("erased_by", Integer),
    # the newsroom's context, optional on intake
    Column("section", String(64)),
    Column("article_title", String(300)),
    Column("article_url", String(2048)),
    # the author was warned by the pre-check (POST /comments:check) and posted anyway
    Column("nudged", Boolean),
    Index("ix_comments_status_created", "status", "created_at"),
    Index("ix_comments_site_created", "site_id", "created_at"),
    Index("ix_comments_site_email", "site_id", "email"),
    # the approved comments of an article: the scorer's article context (v4)
    Index("ix_comments_article", "site_id", "article_id", "status", "created_at"),
    Index("ix_comments_site_section", "site_id", "section", "status"),  # v5
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
    Column("statement", JSON),  # a rejection's statement of reasons, as published
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

# Moderators' log-in sessions, so a session can be ended server-side (log-out, log out
# everywhere, a new password, deactivation); the cookie carries the random id, we keep its hash.
review_sessions = Table(
    "review_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_review_sessions_user", "user_id"),
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

# Readers' reports (DSA notices): one per reporter and comment counts. A moderator's approval
# clears the reports it reviewed, so only reports with new reasons can flag the comment again.
reader_reports = Table(
    "reader_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", String(32), ForeignKey("comments.id"), nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("reporter", String(200), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("message", Text),
    Column("legal_grounds", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("cleared_at", DateTime(timezone=True)),
    UniqueConstraint("comment_id", "reporter", name="uq_reader_reports_comment_reporter"),
    Index("ix_reader_reports_site_reporter", "site_id", "reporter", "created_at"),
)

# Report attempts refused because one reporter flooded a site: shown to moderators.
refused_reports = Table(
    "refused_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("reporter", String(200), nullable=False),
    Column("refused", Integer, nullable=False),
    Column("last_refused_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("site_id", "reporter", name="uq_refused_reports_site_reporter"),
)

# Authors' appeals against a decision: one per decision.
appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", String(32), ForeignKey("comments.id"), nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=False, unique=True),
    Column("message", Text),
    Column("status", String(16), nullable=False),  # pending, upheld, reversed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("user_id", Integer),
    Column("outcome_reason", String(200)),
    Column("outcome_decision_id", Integer),
    Index("ix_appeals_status", "status", "created_at"),
    Index("ix_appeals_comment", "comment_id"),
)

# Erasure requests (GDPR art. 17): the audit of who was erased when, and the resumable job.
# The email is kept only while the job runs; afterwards only its SHA-256 remains.
erasure_jobs = Table(
    "erasure_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("email", String(254)),
    Column("email_sha256", String(64), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # running, done
    Column("comments_erased", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_erasure_jobs_status", "status"),
)

# A moderator's short hold on a comment, so two moderators do not review the same one.
# One row per comment; an expired row is free to take over.
review_claims = Table(
    "review_claims",
    metadata,
    Column("comment_id", String(32), ForeignKey("comments.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Moderators' notes on an author (site + email), seen by every moderator of the site.
author_notes = Table(
    "author_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_author_notes_site_email", "site_id", "email"),
)

# A site's rules: words, phrases, wildcards, regular expressions, email domains and IP ranges
# (domain/policies/rules.py), each rejecting, flagging or allowing what it matches.
rules = Table(
    "rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("pattern", String(500), nullable=False),
    Column("note", String(200)),
    Column("created_by", String(254)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_rules_site", "site_id"),
)

# Alerts raised for a site (a full queue, a wave of rejections, near-identical comments) and
# how each was delivered (webhook, email).
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("value", Float),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivery", JSON),
    Index("ix_alerts_site_created", "site_id", "created_at"),
)

# Model versions for every node (classifier/registry.py and classifier/languages/artifact.py
# keep a local folder as their cache): the artefact, its sha256 and its metadata, written once
# per version. ``kind`` keeps the English model's versions ("english") and the other
# languages' models ("languages") apart (classifier/version_store.py).
model_versions = Table(
    "model_versions",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("metadata", JSON, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("artifact", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False, server_default="english"),  # 0008
)

# The promoted version of each kind: one row per kind (id 1 the English model, id 2 the other
# languages') that every process polls, with the promotion history that a rollback walks back.
current_model = Table(
    "current_model",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", String(64), ForeignKey("model_versions.version"), nullable=False),
    Column("history", JSON, nullable=False),
    Column("promoted_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False, server_default="english"),  # 0008
    Index("ix_current_model_kind", "kind", unique=True),
)
