"""Every recording format a contact centre sends us, and every way a file can be unusable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from qa_assist.transcribe import AudioError, Transcriber, load_audio
from qa_assist.transcribe.cer import cer

from .audio_files import FORMATS, encode, hold_music
from .conftest import aishell_clip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clip() -> tuple[np.ndarray, int, str]:
    wav, reference = aishell_clip("BAC009S0150W0003")
    samples, rate = soundfile.read(wav, dtype="float32")
    return samples[None], rate, reference


@pytest.mark.parametrize(
    ("name", "codec", "rate", "container"), FORMATS, ids=[f[0] for f in FORMATS]
)
def test_each_format_is_heard(faster_transcriber, clip, tmp_path, name, codec, rate, container):
    samples, clip_rate, reference = clip
    path = encode(samples, clip_rate, tmp_path / name, codec, rate, container)
    audio = load_audio(path, 60)
    assert audio.channels.shape[0] == 1
    assert audio.duration == pytest.approx(samples.shape[1] / clip_rate, abs=0.15)
    # 8 kHz narrowband codecs cost Whisper a few characters, not the sentence.
    assert cer(reference, faster_transcriber.transcribe(path).text) < 0.5


def test_stereo_telephony_keeps_the_two_parties_apart(faster_transcriber, stereo_call, tmp_path):
    samples, rate = soundfile.read(stereo_call, dtype="float32")
    path = encode(samples.T, rate, tmp_path / "call-ulaw.wav", "pcm_mulaw", 8000)
    transcript = faster_transcriber.transcribe(path)
    assert transcript.speaker_method == "channel"
    assert [turn.speaker for turn in transcript.turns] == ["agent", "customer"]


def test_hold_music_gives_no_text_and_counts_as_a_hold(faster_transcriber, clip, tmp_path):
    samples, rate, reference = clip
    speech = samples[0]
    music = hold_music(20, rate)
    hiss = np.random.default_rng(1).normal(0, 5e-4, len(music)).astype(np.float32)
    # The agent speaks, puts the customer on hold (music on the agent's line), then the
    # customer speaks: all text must come from the two utterances.
    left = np.concatenate([speech, music, np.zeros_like(speech)])
    right = np.concatenate([np.zeros_like(speech), hiss, speech])
    path = tmp_path / "hold.wav"
    soundfile.write(path, np.stack([left, right], axis=1), rate)
    transcript = faster_transcriber.transcribe(path)
    speech_seconds = len(speech) / rate
    music_span = (speech_seconds + 0.5, speech_seconds + 19.5)
    assert not [s for s in transcript.segments if music_span[0] < s.start < music_span[1]]
    assert cer(reference * 2, transcript.text) < 0.5
    assert transcript.metrics.holds and transcript.metrics.holds[0].seconds > 15


def _silent(path: Path) -> None:
    soundfile.write(
        path, np.random.default_rng(0).normal(0, 1e-4, 16000 * 8).astype(np.float32), 16000
    )


def _too_long(path: Path) -> None:
    soundfile.write(path, np.zeros(16000 * 12, dtype=np.float32), 16000)


def _truncated(path: Path) -> None:
    samples, rate = soundfile.read(aishell_clip("BAC009S0150W0003")[0], dtype="float32")
    encode(samples[None], rate, path, "libmp3lame", 16000)
    path.write_bytes(path.read_bytes()[:200])


def _no_audio_stream(path: Path) -> None:
    path.write_bytes(b"<html><body>not a recording</body></html>" * 40)


@pytest.mark.parametrize(
    ("name", "write", "reason"),
    [
        ("missing.wav", None, "no such file"),
        ("empty.wav", lambda path: path.write_bytes(b""), "empty"),
        ("silent.wav", _silent, "no speech"),
        ("long.wav", _too_long, "longer than the limit of 10 s"),
        ("cut.mp3", _truncated, "no audio|not a readable audio file|shorter than"),
        ("page.wav", _no_audio_stream, "not a readable audio file"),
    ],
)
def test_unusable_files_are_refused_with_the_file_and_the_reason(
    settings, registry, tmp_path, name, write, reason
):
    path = tmp_path / name
    if write:
        write(path)
    transcriber = Transcriber(settings.model_copy(update={"max_audio_seconds": 10}), registry)
    with pytest.raises(AudioError, match=reason) as caught:
        transcriber.transcribe(path)
    assert str(path) in str(caught.value)
