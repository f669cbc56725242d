"""language model versions beside the English ones: a kind per version and per pointer

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-19 21:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply the change."""
    # Every version and pointer stored so far is the English model's: the server default
    # fills them in.
    with op.batch_alter_table("current_model", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="english", nullable=False)
        )
        batch_op.create_index("ix_current_model_kind", ["kind"], unique=True)

    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="english", nullable=False)
        )


def downgrade() -> None:
    """Undo the change (the other languages' versions and pointer go with it)."""
    op.execute("DELETE FROM current_model WHERE kind <> 'english'")
    op.execute("DELETE FROM model_versions WHERE kind <> 'english'")
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("current_model", schema=None) as batch_op:
        batch_op.drop_index("ix_current_model_kind")
        batch_op.drop_column("kind")
