"""Transcription with both engines on real Mandarin speech."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa_assist.transcribe import Transcriber
from qa_assist.transcribe.cer import cer
from qa_assist.transcribe.chinese import to_simplified

from .conftest import AISHELL_CLIPS, aishell_clip

CLIPS = ("BAC009S0150W0003", "BAC009S0150W0009", "BAC009S0150W0013")

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("engine", ["faster", "openai"])
def test_each_engine_hears_real_mandarin_in_simplified_characters(engine: str, request) -> None:
    transcriber: Transcriber = request.getfixturevalue(f"{engine}_transcriber")
    rates = []
    for name in CLIPS:
        wav, reference = aishell_clip(name)
        transcript = transcriber.transcribe(wav)
        assert transcript.language == "zh"
        assert transcript.text == to_simplified(transcript.text)
        assert transcript.speaker_method == "none"
        assert all(segment.speaker == "unknown" for segment in transcript.segments)
        rates.append(cer(reference, transcript.text))
    # Whisper base is ~25 % CER on AISHELL; three clips stay well inside twice that.
    assert np.mean(rates) < 0.5, rates


def test_both_engines_give_the_same_words(faster_transcriber, openai_transcriber) -> None:
    for name in CLIPS:
        wav, _ = aishell_clip(name)
        faster = faster_transcriber.transcribe(wav).text
        openai = openai_transcriber.transcribe(wav).text
        # Same weights; int8 vs fp32 arithmetic may change a character, not the sentence.
        assert cer(openai, faster) <= 0.25, (faster, openai)


def test_stereo_channels_are_the_agent_and_the_customer(faster_transcriber, stereo_call) -> None:
    transcript = faster_transcriber.transcribe(stereo_call)
    assert transcript.speaker_method == "channel"
    speakers = [segment.speaker for segment in transcript.segments]
    assert speakers[0] == "agent" and speakers[-1] == "customer"
    agent_text = "".join(s.text for s in transcript.segments if s.speaker == "agent")
    customer_text = "".join(s.text for s in transcript.segments if s.speaker == "customer")
    assert cer(aishell_clip("BAC009S0150W0009")[1], agent_text) < 0.5
    assert cer(aishell_clip("BAC009S0150W0013")[1], customer_text) < 0.6
    agent_end = max(s.end for s in transcript.segments if s.speaker == "agent")
    customer_start = min(s.start for s in transcript.segments if s.speaker == "customer")
    assert agent_end <= customer_start + 0.5  # absolute times survive the channel split


def test_the_other_engine_is_agreed_on_via_settings(settings, registry) -> None:
    wav, reference = aishell_clip("BAC009S0150W0003")
    chosen = Transcriber(settings.model_copy(update={"engine": "openai-whisper"}), registry)
    transcript = chosen.transcribe(wav)
    assert transcript.engine == "openai-whisper"
    assert transcript.model_version.startswith("whisper-base-openai@")
    assert cer(reference, transcript.text) < 0.5


def test_cli_prints_json_lines_and_goes_on_past_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"\x00garbage" * 100)
    wav = AISHELL_CLIPS / "BAC009S0150W0003.wav"
    result = subprocess.run(
        [sys.executable, "-m", "qa_assist", "transcribe", str(bad), str(wav), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert f"{bad}: not a readable audio file" in result.stderr
    assert "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 1
    payload = lines[0]
    assert payload["file"] == str(wav) and payload["language"] == "zh" and payload["text"]
    segment = payload["segments"][0]
    assert {"start", "end", "speaker", "text"} <= segment.keys()
    assert 0 <= segment["start"] < segment["end"] <= 3.0


def test_language_is_detected_once_per_call_when_asked(settings, registry, tmp_path: Path) -> None:
    english = subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-us",
            "-s",
            "140",
            "--stdout",
            "Hello, my car broke down on the highway and the engine light is on.",
        ],
        check=True,
        capture_output=True,
    ).stdout
    path = tmp_path / "english.wav"
    path.write_bytes(english)
    transcriber = Transcriber(settings.model_copy(update={"language": None}), registry)
    transcript = transcriber.transcribe(path)
    assert transcript.language == "en"
    assert "car broke down on the highway" in transcript.text.lower()
