"""Engine and sessions: SQLite by default (WAL, so the web service reads while workers write;
a busy timeout so that concurrent writers wait for each other), any database SQLAlchemy speaks
by URL. Opening a database brings its schema up to date (Alembic migrations)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from .migrate import upgrade_database


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_database(url: str) -> sessionmaker[Session]:
    """Create the engine and migrate the schema to the newest revision; returns a session
    factory."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine: Engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    upgrade_database(engine)
    return sessionmaker(engine, expire_on_commit=False)
