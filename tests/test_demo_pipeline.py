"""The walking skeleton end to end: synthesised demo calls through transcription, scoring,
storage and the CLI, checked against the calls' ground truth."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa_assist.demo import DemoCall, generate_demo_calls
from qa_assist.settings import Settings

pytestmark = pytest.mark.slow

CALLS = ("rescue-byd-song-motorway-no-safety", "fault-passat-misfire")


@pytest.fixture(scope="module")
def demo_calls(tmp_path_factory: pytest.TempPathFactory) -> list[DemoCall]:
    return generate_demo_calls(tmp_path_factory.mktemp("demo"), list(CALLS))


def _speaker_at(call: DemoCall, time: float) -> str | None:
    for turn in call.turns:
        if turn.start - 0.5 <= time <= turn.end + 0.5:
            return turn.speaker
    return None


def test_demo_calls_are_transcribed_by_channel_at_the_right_times(
    faster_transcriber, demo_calls
) -> None:
    for call in demo_calls:
        transcript = faster_transcriber.transcribe(call.path)
        assert transcript.speaker_method == "channel"
        assert {segment.speaker for segment in transcript.segments} == {"agent", "customer"}
        placed = [
            _speaker_at(call, (segment.start + segment.end) / 2) == segment.speaker
            for segment in transcript.segments
        ]
        # Each segment's middle lies in a ground-truth turn of the same speaker.
        assert sum(placed) / len(placed) >= 0.9, call.dialogue_id


def test_score_cli_stores_the_calls_and_the_api_payload_holds_them(
    demo_calls, settings: Settings, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    rescue, _fault = demo_calls
    command = [sys.executable, "-m", "qa_assist", "score", "--data-dir", str(data_dir)]
    first = subprocess.run(
        [*command, "--scenario", "rescue", str(rescue.path), str(tmp_path / "missing.wav")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert first.returncode == 1, first.stderr  # one bad file, reported, the other scored
    assert f"{tmp_path / 'missing.wav'}: no such file" in first.stderr
    assert "Traceback" not in first.stderr
    assert rescue.path.name in first.stdout and "safety_reminder" in first.stdout

    again = subprocess.run(
        [*command, "--scenario", "rescue", str(rescue.path)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert again.returncode == 0 and "already scored" in again.stdout

    from qa_assist.storage import CallStore, open_database

    store = CallStore(open_database(f"sqlite:///{data_dir / 'qa_assist.db'}"))
    summaries, count = store.list_calls()
    assert count == 1
    record = store.get_call(summaries[0].id)
    assert record.scenario == "rescue" and record.score is not None
    # The rescue call leaves out the safety reminder: scoring must not invent one.
    verdicts = {item.item_id: item.verdict for item in record.score.items}
    assert verdicts["safety_reminder"] == "fail"
    assert record.score.rubric_version and record.transcript.engine == "faster-whisper"
    kept = list((data_dir / "audio").iterdir())  # the recording is kept for playback
    assert len(kept) == 1 and kept[0].read_bytes() == rescue.path.read_bytes()
