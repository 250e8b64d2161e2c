"""Alembic's entry point: Lamina runs migrations itself at start, on the store's own connection."""

from alembic import context

from lamina.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
