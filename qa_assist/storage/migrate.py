"""Bringing a database to the newest schema with the Alembic migrations shipped in the package.

A database made before migrations existed (by ``create_all``: tables, no ``alembic_version``)
is stamped at the initial revision first, then upgraded like any other: no row is lost.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

log = logging.getLogger("qa_assist")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The revision whose schema ``create_all`` made before there were migrations.
INITIAL_REVISION = "0001"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, f"no migrations under {MIGRATIONS}"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _one_migrator(engine: Engine) -> Iterator[None]:
    """Only one process migrates a SQLite file at a time (batch workers open the database
    together); PostgreSQL migrates in one transaction under an advisory lock instead."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade_database(engine: Engine) -> None:
    """Apply every migration the database lacks."""
    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return
    with _one_migrator(engine), engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Moving a table (SQLite's way to alter it) drops the old one; with foreign keys
            # on, rows that point at it would refuse. Only possible outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7270417)")
            current = current_revision(connection)
            if current != head:
                config = _config(connection)
                if current is None and inspect(connection).has_table("calls"):
                    log.info("database made before migrations: stamping %s", INITIAL_REVISION)
                    command.stamp(config, INITIAL_REVISION)
                log.info("upgrading the database from %s to %s", current, head)
                command.upgrade(config, "head")
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
