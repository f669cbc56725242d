"""context: sections, article titles and urls, review claims, author notes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 19:11:56.139116
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "author_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("author_notes", schema=None) as batch_op:
        batch_op.create_index("ix_author_notes_site_email", ["site_id", "email"], unique=False)

    op.create_table(
        "review_claims",
        sa.Column("comment_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("comment_id"),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("section", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("article_title", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("article_url", sa.String(length=2048), nullable=True))
        batch_op.create_index(
            "ix_comments_site_section", ["site_id", "section", "status"], unique=False
        )



def downgrade() -> None:
    """Undo the change."""
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_site_section")
        batch_op.drop_column("article_url")
        batch_op.drop_column("article_title")
        batch_op.drop_column("section")

    op.drop_table("review_claims")
    with op.batch_alter_table("author_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_author_notes_site_email")

    op.drop_table("author_notes")
