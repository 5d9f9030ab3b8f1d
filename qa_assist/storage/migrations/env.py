"""Alembic's entry point: migrations run on the connection the caller hands over
(``config.attributes["connection"]``), else on the database of the settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from qa_assist.storage.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: autogenerate writes batch operations (copy and move).
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from qa_assist.settings import Settings

    url = context.get_x_argument(as_dictionary=True).get("url") or Settings().resolved_database_url
    with create_engine(url).connect() as own:
        _run(own)
        own.commit()
