"""review sessions kept server-side

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 19:36:43.906574
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "review_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    with op.batch_alter_table("review_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_review_sessions_user", ["user_id"], unique=False)



def downgrade() -> None:
    """Undo the change."""
    with op.batch_alter_table("review_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_review_sessions_user")

    op.drop_table("review_sessions")
