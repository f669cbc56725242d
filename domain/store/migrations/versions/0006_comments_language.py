"""comments.language

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 19:51:14.744200
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply the change."""
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))



def downgrade() -> None:
    """Undo the change."""
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("language")

