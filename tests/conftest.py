"""Shared fixtures: real models loaded once per session, real audio, a scratch data folder."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile
import uvicorn

from qa_assist.api import create_app
from qa_assist.models import ModelRegistry
from qa_assist.settings import Settings
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


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[str]:
    """The real service on a real uvicorn server on loopback, over the session's SQLite."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)
