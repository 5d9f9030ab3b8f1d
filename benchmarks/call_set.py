"""Benchmark calls that look like real ones: two parties on two channels, turns with pauses.

Two sources, both with reference text:
- AISHELL-dev utterances laid alternately on the agent (left) and customer (right) channel,
  with the pauses between turns of a phone conversation (the utterances are real Mandarin);
- the demo generator's scripted hotline dialogues (robot voices, but real call structure).
"""

from __future__ import annotations

import json
import random
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_assist.transcribe.audio import SAMPLE_RATE, load_audio

AISHELL_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "aishell-dev"
UTTERANCES_PER_CALL = 30
#: Pauses between turns on a phone line: quick replies, thinking, typing.
PAUSE_RANGE_SECONDS = (0.4, 2.5)


@dataclass(frozen=True)
class BenchmarkCall:
    stereo: Path
    mono: Path
    #: what was said, sentence by sentence (an utterance or a turn), in order
    sentences: tuple[str, ...]
    duration: float
    #: "aishell" (real Mandarin) or "demo" (robot voices)
    source: str

    @property
    def reference(self) -> str:
        return "".join(self.sentences)


def _write_wav(path: Path, samples: np.ndarray) -> None:
    """16-bit PCM; ``samples`` has shape (channels, n)."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(samples.shape[0])
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.T.tobytes())


def _save(
    stereo: np.ndarray, sentences: list[str], folder: Path, name: str, source: str
) -> BenchmarkCall:
    folder.mkdir(parents=True, exist_ok=True)
    stereo_path, mono_path = folder / f"{name}.stereo.wav", folder / f"{name}.mono.wav"
    if not stereo_path.exists():
        _write_wav(stereo_path, stereo)
        _write_wav(mono_path, stereo.mean(axis=0, keepdims=True))
    call = BenchmarkCall(
        stereo_path, mono_path, tuple(sentences), stereo.shape[1] / SAMPLE_RATE, source
    )
    (folder / f"{name}.txt").write_text(call.reference, encoding="utf-8")
    return call


def aishell_calls(
    folder: Path, aishell_dir: Path = AISHELL_DIR, seed: int = 7
) -> list[BenchmarkCall]:
    rng = random.Random(seed)
    wavs = sorted(aishell_dir.glob("*.wav"))
    calls = []
    for number, first in enumerate(range(0, len(wavs), UTTERANCES_PER_CALL)):
        pieces: list[np.ndarray] = []
        texts: list[str] = []
        for turn, wav in enumerate(wavs[first : first + UTTERANCES_PER_CALL]):
            speech = load_audio(wav, 60).channels[0]
            pause = np.zeros(int(rng.uniform(*PAUSE_RANGE_SECONDS) * SAMPLE_RATE), np.float32)
            silent = np.zeros_like(speech)
            channels = (speech, silent) if turn % 2 == 0 else (silent, speech)
            pieces.append(np.stack([np.concatenate([channel, pause]) for channel in channels]))
            texts.append(wav.with_suffix(".txt").read_text(encoding="utf-8").strip())
        stereo = np.concatenate(pieces, axis=1)
        # Line hiss, so a silent channel is never digital zero.
        stereo += np.random.default_rng(number).normal(0, 5e-4, stereo.shape).astype(np.float32)
        calls.append(_save(stereo, texts, folder, f"aishell-call-{number:02d}", "aishell"))
    return calls


def demo_calls(folder: Path) -> list[BenchmarkCall]:
    from qa_assist.demo import generate_demo_calls

    calls = []
    for call in generate_demo_calls(folder / "demo"):
        stereo = load_audio(call.path, 3600).channels
        turns = [turn.text for turn in sorted(call.turns, key=lambda turn: turn.start)]
        calls.append(_save(stereo, turns, folder, f"demo-{call.dialogue_id}", "demo"))
    return calls


def manifest(calls: list[BenchmarkCall]) -> str:
    return json.dumps(
        [{"file": str(call.stereo), "seconds": round(call.duration, 1)} for call in calls]
    )
