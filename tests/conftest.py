"""Shared fixtures: real models loaded once per session, real audio, a scratch data folder."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile
import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, make_url, text

from qa_assist.api import create_app
from qa_assist.auth import ROLE_NAMES, UserStore
from qa_assist.models import ModelRegistry
from qa_assist.settings import Settings
from qa_assist.storage import open_database
from qa_assist.transcribe import Transcriber
from qa_assist.triage.build import BuildOutcome, ensure_trained

TESTS = Path(__file__).resolve().parent
AISHELL_CLIPS = TESTS / "data" / "aishell"
#: The full 150 AISHELL utterances live in the shared folder beside the clone.
SHARED_AISHELL = Path(
    os.environ.get("QA_ASSIST_AISHELL_DIR", TESTS.parents[1] / "shared" / "data" / "aishell-dev")
)


def aishell_clip(name: str) -> tuple[Path, str]:
    """A committed clip and its reference text."""
    wav = AISHELL_CLIPS / f"{name}.wav"
    return wav, wav.with_suffix(".txt").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Models come from the per-user cache (prepared once by the README's test command, or on
    # first use); everything a test writes goes to a scratch data folder.
    return Settings(data_dir=tmp_path_factory.mktemp("data"), threads=2)


@pytest.fixture(scope="session")
def registry(settings: Settings) -> ModelRegistry:
    return ModelRegistry(settings)


@pytest.fixture(scope="session")
def triage_build(settings: Settings) -> BuildOutcome:
    """The trained triage model in the models folder: scripts/test.sh trains it before the
    tests, so this is a check that it is up to date (training here takes minutes)."""
    return ensure_trained(settings)


@pytest.fixture(scope="session")
def faster_transcriber(settings: Settings, registry: ModelRegistry) -> Transcriber:
    return Transcriber(settings, registry, "faster-whisper")


@pytest.fixture(scope="session")
def openai_transcriber(settings: Settings, registry: ModelRegistry) -> Transcriber:
    return Transcriber(settings, registry, "openai-whisper")


@pytest.fixture(scope="session")
def stereo_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-channel recording made of real speech: one clip on the left (the agent), a
    second on the right (the customer) after it, the other channel silent meanwhile."""
    agent, rate = soundfile.read(AISHELL_CLIPS / "BAC009S0150W0009.wav", dtype="float32")
    customer, _ = soundfile.read(AISHELL_CLIPS / "BAC009S0150W0013.wav", dtype="float32")
    gap = np.zeros(int(rate * 1.0), dtype=np.float32)
    left = np.concatenate([gap, agent, gap, np.zeros_like(customer), gap])
    right = np.concatenate([gap, np.zeros_like(agent), gap, customer, gap])
    path = tmp_path_factory.mktemp("stereo") / "call.wav"
    soundfile.write(path, np.stack([left, right], axis=1), rate)
    return path


@pytest.fixture(scope="session")
def stereo_call_of(stereo_call: Path, tmp_path_factory: pytest.TempPathFactory):
    """``owner`` -> the stereo call's speech as a recording of that owner's own. Calls are
    stored once per content hash, so two modules storing the very same file in the session's
    database would share one call, its first scenario and agent; a few milliseconds more of
    trailing silence per owner make each copy a different content."""
    made: dict[str, Path] = {}

    def recording(owner: str) -> Path:
        if owner not in made:
            samples, rate = soundfile.read(stereo_call, dtype="float32")
            tail = np.zeros(((len(made) + 1) * rate // 100, 2), dtype=np.float32)
            path = tmp_path_factory.mktemp(f"stereo-{owner}") / "call.wav"
            soundfile.write(path, np.concatenate([samples, tail]), rate)
            made[owner] = path
        return made[owner]

    return recording


@pytest.fixture(scope="session")
def embedder(registry: ModelRegistry):
    """The real multilingual-e5-small behind semantic rubric checks, loaded once."""
    from qa_assist.score.embedding import E5Embedder

    return E5Embedder(registry)


@pytest.fixture(scope="session")
def scorer(embedder):
    """A scorer with every judge but the LLM (no endpoint: those items wait for a person)."""
    from qa_assist.score import Scorer
    from qa_assist.score.judges import make_judges

    return Scorer(make_judges(embedder), {"semantic": lambda: embedder.version})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(service: Settings | FastAPI) -> Iterator[str]:
    """The real service (of these settings, or this app) on a real uvicorn server on loopback;
    yields its base URL."""
    port = _free_port()
    app = service if isinstance(service, FastAPI) else create_app(service)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[str]:
    """The real service over the session's SQLite."""
    with serving(settings) as url:
        yield url


#: Password of every test account (``test-admin``, ``test-qa``, ``test-agent``, ``test-viewer``).
TEST_PASSWORD = "correct horse battery"
#: The agent id of the ``test-agent`` account: calls carrying it are that agent's own.
TEST_AGENT_ID = "A-TEST-01"


@pytest.fixture(scope="module")
def accounts(settings: Settings) -> dict[str, str]:
    """One account per role in the test database (module-scoped, so a module with a database of
    its own has them too); role -> a fresh API token."""
    users = UserStore(open_database(settings.resolved_database_url))
    tokens = {}
    for role in ROLE_NAMES:
        name = f"test-{role}"
        if users.get(name) is None:
            agent_id = TEST_AGENT_ID if role == "agent" else None
            users.create(name, role, TEST_PASSWORD, agent_id=agent_id)
        tokens[role] = users.issue_token(name, "tests")
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def client_as(server: str, token: str, prefix: str = "") -> httpx.Client:
    """An HTTP client of the real server holding ``token``; paths are relative to ``prefix``."""
    return httpx.Client(base_url=server + prefix, headers=bearer(token), timeout=120)


@pytest.fixture(scope="module")
def api(server: str, accounts: dict[str, str]) -> Iterator[httpx.Client]:
    """An administrator's client of the real server (every permission)."""
    with client_as(server, accounts["admin"]) as client:
        yield client


#: A PostgreSQL server the tests may create databases on: scripts/test.sh starts one
#: (scripts/postgres.sh) and sets this; without it the PostgreSQL cases skip, saying why.
POSTGRES_URL = os.environ.get("QA_ASSIST_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each dialect: a SQLite file in the test's folder, or a
    PostgreSQL database created for the test and dropped after it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'qa_assist.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("QA_ASSIST_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server)")
    server = make_url(POSTGRES_URL)
    name = f"qa_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE: the test's engines may still hold connections in their pools.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
