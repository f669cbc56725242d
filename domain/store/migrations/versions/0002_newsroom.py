"""newsroom: reader reports, appeals, statements of reasons, erasure jobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 18:59:56.974658
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "erasure_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("email_sha256", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("comments_erased", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("erasure_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_erasure_jobs_status", ["status"], unique=False)

    op.create_table(
        "refused_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("reporter", sa.String(length=200), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("last_refused_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "reporter", name="uq_refused_reports_site_reporter"),
    )
    op.create_table(
        "reader_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("reporter", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("legal_grounds", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", "reporter", name="uq_reader_reports_comment_reporter"),
    )
    with op.batch_alter_table("reader_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reader_reports_site_reporter", ["site_id", "reporter", "created_at"], unique=False
        )

    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("outcome_reason", sa.String(length=200), nullable=True),
        sa.Column("outcome_decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id"),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index("ix_appeals_comment", ["comment_id"], unique=False)
        batch_op.create_index("ix_appeals_status", ["status", "created_at"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statement", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("erased_by", sa.Integer(), nullable=True))

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statement", sa.JSON(), nullable=True))



def downgrade() -> None:
    """Undo the change."""
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("statement")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("erased_by")
        batch_op.drop_column("statement")

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index("ix_appeals_status")
        batch_op.drop_index("ix_appeals_comment")

    op.drop_table("appeals")
    with op.batch_alter_table("reader_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reader_reports_site_reporter")

    op.drop_table("reader_reports")
    op.drop_table("refused_reports")
    with op.batch_alter_table("erasure_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_erasure_jobs_status")

    op.drop_table("erasure_jobs")
