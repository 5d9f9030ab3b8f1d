"""Schema migrations (Alembic) on real databases: a new one, SQLite or PostgreSQL, is created at
the newest revision with exactly the declared schema, and every migration goes down and up
again; a SQLite file made by the schema of before migrations keeps every row through the
upgrade."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import UniqueConstraint, inspect

from qa_assist.score import CallScore, ItemResult
from qa_assist.storage import CallStore, ReviewStore, models_key, open_database
from qa_assist.storage.migrate import _config, current_revision, head_revision
from qa_assist.storage.tables import Base

OLD_SCHEMA = Path(__file__).parent / "data" / "migrations" / "schema_before_alembic.sql"
VERSIONS = {"asr": "whisper-base@1a2b", "semantic": "multilingual-e5-small@3c4d"}


def _old_database(path: Path) -> Path:
    """A database as ``create_all`` made it before migrations, holding a reviewed call."""
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA.read_text(encoding="utf-8"))
        db.execute(
            "INSERT INTO calls (content_hash, file_name, audio_path, scenario, agent_id, "
            "duration, created_at) VALUES ('ab' || hex(randomblob(31)), '救援来电.wav', "
            "'/audio/a.wav', 'rescue', 'A1024', 93.5, '2026-11-01 08:00:00')"
        )
        greeting = ItemResult(
            "greeting",
            "开场问候",
            "Greeting",
            "pass",
            10.0,
            10.0,
            False,
            0.9,
            (),
            "standard phrase said",
        )
        payload = CallScore(
            "rescue",
            "2026.11-1",
            "rescue",
            80.0,
            100.0,
            False,
            (greeting,),
            (),
            model_versions=VERSIONS,
        ).to_dict()
        db.execute(
            "INSERT INTO scores (call_id, rubric_id, rubric_version, model_version, total, "
            "fatal_failure, payload, created_at) VALUES (1, 'rescue', '2026.11-1', ?, 80, 0, ?, "
            "'2026-11-01 08:01:00')",
            (VERSIONS["asr"], json.dumps(payload)),
        )
        db.execute(
            "INSERT INTO item_reviews (score_id, call_id, item_id, verdict, action, reviewer, "
            "comment, updated_at) VALUES (1, 1, 'greeting', 'fail', 'override', '王质检', "
            "'没有报工号', '2026-11-01 09:00:00')"
        )
    return path


def _differences(sessions) -> list:  # type: ignore[no-untyped-def]
    with sessions.kw["bind"].connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def test_a_new_database_is_created_at_the_newest_revision(database_url: str) -> None:
    sessions = open_database(database_url)
    with sessions.kw["bind"].connect() as connection:
        assert current_revision(connection) == head_revision()
    # The migrations build exactly the schema the tables declare, on either dialect.
    assert _differences(sessions) == []


def test_every_migration_goes_down_to_nothing_and_up_again(database_url: str) -> None:
    engine = open_database(database_url).kw["bind"]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            command.downgrade(_config(connection), "base")
        assert inspect(connection).get_table_names() == ["alembic_version"]
    sessions = open_database(database_url)
    with sessions.kw["bind"].connect() as connection:
        assert current_revision(connection) == head_revision()
    assert _differences(sessions) == []


def test_a_database_from_before_migrations_upgrades_and_keeps_its_rows(tmp_path: Path) -> None:
    database = _old_database(tmp_path / "old.db")
    sessions = open_database(f"sqlite:///{database}")
    with sessions.kw["bind"].connect() as connection:
        assert current_revision(connection) == head_revision()
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        key = connection.exec_driver_sql("SELECT models_key FROM scores").scalar_one()
        # The override made before the upgrade is in the reviewed total the lists show.
        reviewed = connection.exec_driver_sql(
            "SELECT reviewed_total, reviewed_fatal_failure FROM scores"
        ).one()
        assert tuple(reviewed) == (0.0, False)
    call = CallStore(sessions).get_call(1)
    assert call is not None
    assert (call.file_name, call.scenario, call.agent_id, call.duration) == (
        "救援来电.wav",
        "rescue",
        "A1024",
        93.5,
    )
    assert call.team is None and call.ticket_type is None
    # The old score is keyed by the model versions it recorded, so it is found as done.
    assert key == models_key(VERSIONS)
    assert CallStore(sessions).has_score(1, "rescue", "2026.11-1", VERSIONS)
    assert not CallStore(sessions).has_score(1, "rescue", "2026.11-1", {"asr": "other"})
    ((score, human),) = ReviewStore(sessions).human_scores()
    assert score.total == 80.0 and human.items == {"greeting": "fail"}
    # Its unique constraints were unnamed: the only difference left is their names.
    differences = _differences(sessions)
    assert all(
        kind == "add_constraint" and isinstance(constraint, UniqueConstraint)
        for kind, constraint in differences
    ), differences


def test_opening_a_migrated_database_again_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{_old_database(tmp_path / 'old.db')}"
    open_database(url)
    before = (tmp_path / "old.db").read_bytes()
    open_database(url)
    assert (tmp_path / "old.db").read_bytes() == before


def test_downgrade_to_the_first_revision_and_back_keeps_the_call(tmp_path: Path) -> None:
    url = f"sqlite:///{_old_database(tmp_path / 'old.db')}"
    engine = open_database(url).kw["bind"]
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        with connection.begin():
            command.downgrade(_config(connection), "0001")
            assert current_revision(connection) == "0001"
    sessions = open_database(url)
    with sessions.kw["bind"].connect() as connection:
        assert current_revision(connection) == head_revision()
    call = CallStore(sessions).get_call(1)
    assert call is not None and call.score is not None and call.score.total == 80.0


def test_processes_opening_a_new_database_at_once_migrate_it_once(database_url: str) -> None:
    # Separate engines, as the service and batch workers have; one migrates, the others wait
    # (a file lock on SQLite, an advisory lock on PostgreSQL) and find it done.
    start = threading.Barrier(4)
    errors: list[Exception] = []

    def open_at_once() -> None:
        start.wait()
        try:
            open_database(database_url)
        except Exception as error:  # noqa: BLE001 - the test reports any
            errors.append(error)

    threads = [threading.Thread(target=open_at_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sessions = open_database(database_url)
    with sessions.kw["bind"].connect() as connection:
        assert current_revision(connection) == head_revision()
        versions = connection.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar()
    assert versions == 1 and _differences(sessions) == []
