"""Databases made before Alembic (schema_info versions 1 to 4): catch them up to the baseline."""

from __future__ import annotations

from typing import Any

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, Column, Connection, DateTime, ForeignKey, Integer, String, inspect

# The revision whose schema equals the last pre-Alembic one (version 4).
BASELINE = "0001"


def is_pre_alembic(connection: Connection) -> bool:
    """Whether the database was made by the old migrate() and never seen by Alembic."""
    tables = set(inspect(connection).get_table_names())
    return "schema_info" in tables and "alembic_version" not in tables


def adopt(connection: Connection) -> None:
    """Add what versions 1 to 3 lacked, whatever the version they were left at."""
    op = Operations(MigrationContext.configure(connection))
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    # Frozen as each version added them: tables.py moves on, this history must not.
    columns: dict[str, list[Column[Any]]] = {
        "sites": [Column("coral_secrets", JSON)],  # v2
        "labels": [Column("decision_id", Integer), Column("retracted_at", DateTime(True))],  # v3
    }
    for table, wanted in columns.items():
        present = {column["name"] for column in inspector.get_columns(table)}
        for column in wanted:
            if column.name not in present:
                op.add_column(table, column)
    if "webhook_deliveries" not in tables:  # v2
        _create_webhook_deliveries(op)
    if "ix_comments_article" not in {index["name"] for index in inspector.get_indexes("comments")}:
        op.create_index(  # v4
            "ix_comments_article", "comments", ["site_id", "article_id", "status", "created_at"]
        )
    # The Alembic revision replaces the version number.
    op.drop_table("schema_info")


def _create_webhook_deliveries(op: Operations) -> None:
    """The table version 2 added: one row per attempt to POST a decision to a webhook."""
    op.create_table(
        "webhook_deliveries",
        Column("id", Integer, primary_key=True),
        Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=False),
        Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
        Column("url", String(2048), nullable=False),
        Column("status_code", Integer),
        Column("attempt", Integer, nullable=False),
        Column("error", String(500)),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_webhook_deliveries_decision", "webhook_deliveries", ["decision_id"])
