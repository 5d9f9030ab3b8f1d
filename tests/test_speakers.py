"""Mono recordings: the two voices told apart by clustering, or one voice said to be one."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from qa_assist.demo import generate_demo_calls

from .conftest import SHARED_AISHELL

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mono_call(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mono")
    (call,) = generate_demo_calls(folder, ["rescue-nio-es6-tyre-motorway"])
    stereo, rate = soundfile.read(call.path, dtype="float32")
    path = folder / "mono.wav"
    soundfile.write(path, stereo.mean(axis=1), rate)
    return call, path


def test_two_voices_on_one_channel_are_the_agent_and_the_customer(faster_transcriber, mono_call):
    call, path = mono_call
    transcript = faster_transcriber.transcribe(path)
    assert transcript.speaker_method == "clustering"
    assert transcript.speaker_confidence > 0.5
    agreed = total = 0.0
    for turn in call.turns:
        for segment in transcript.segments:
            overlap = min(turn.end, segment.end) - max(turn.start, segment.start)
            if overlap > 0:
                total += overlap
                agreed += overlap * (segment.speaker == turn.speaker)
    assert agreed / total > 0.9
    assert transcript.turns[0].speaker == "agent"
    assert transcript.metrics.for_speaker("customer").talk_seconds > 10


def test_one_voice_is_not_split_in_two(faster_transcriber, tmp_path):
    # Twenty AISHELL utterances of one speaker with pauses: one voice, no agent or customer.
    clips = [
        soundfile.read(path, dtype="float32")[0]
        for path in sorted(SHARED_AISHELL.glob("*.wav"))[:20]
    ]
    assert clips, f"no AISHELL utterances in {SHARED_AISHELL}: set QA_ASSIST_AISHELL_DIR"
    pause = np.zeros(16000, dtype=np.float32)
    path = tmp_path / "one-voice.wav"
    soundfile.write(
        path, np.concatenate([piece for clip in clips for piece in (clip, pause)]), 16000
    )
    transcript = faster_transcriber.transcribe(path)
    assert transcript.speaker_method == "none"
    assert {segment.speaker for segment in transcript.segments} == {"unknown"}
