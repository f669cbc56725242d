"""Alembic's entry point: run the migrations on the connection the store hands over."""

from __future__ import annotations

from alembic import context

from domain.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    # Migrations run inside the store's migration lock (domain/store/migrations/__init__.py);
    # a bare `alembic` command would bypass it.
    raise RuntimeError("run migrations with `moderation db upgrade` or Store.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite alters most things only by copying the table: batch operations do that for us.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
