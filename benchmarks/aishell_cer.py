"""CER and speed of each engine on the real Mandarin utterances in shared/data/aishell-dev.

    python benchmarks/aishell_cer.py [--engine faster-whisper openai-whisper] [--limit N]

Prints one line per engine: utterances, CER (Simplified, no punctuation, numerals as
characters), wall and CPU seconds per second of audio, and the first call's time (model load).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from qa_assist.models import ModelRegistry
from qa_assist.settings import Settings
from qa_assist.transcribe import Transcriber
from qa_assist.transcribe.cer import character_errors

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "aishell-dev"


def evaluate(engine: str, wavs: list[Path], settings: Settings) -> dict[str, float | int | str]:
    transcriber = Transcriber(settings, ModelRegistry(settings), engine)
    started = time.perf_counter()
    transcriber.transcribe(wavs[0])  # loads the model; timed apart
    load_seconds = time.perf_counter() - started
    errors = length = 0
    audio_seconds = compute_seconds = cpu_seconds = 0.0
    for wav in wavs:
        started, cpu_started = time.perf_counter(), time.process_time()
        transcript = transcriber.transcribe(wav)
        compute_seconds += time.perf_counter() - started
        cpu_seconds += time.process_time() - cpu_started
        audio_seconds += transcript.duration
        reference = wav.with_suffix(".txt").read_text(encoding="utf-8")
        wrong, total = character_errors(reference, transcript.text)
        errors, length = errors + wrong, length + total
    return {
        "engine": engine,
        "utterances": len(wavs),
        "cer": round(errors / length, 4),
        "seconds_per_audio_second": round(compute_seconds / audio_seconds, 3),
        # CPU time of all the process's threads: steadier than wall time on a shared machine.
        "cpu_seconds_per_audio_second": round(cpu_seconds / audio_seconds, 3),
        "audio_seconds": round(audio_seconds, 1),
        "first_call_seconds_incl_load": round(load_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--engine", nargs="+", default=["faster-whisper", "openai-whisper"])
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    wavs = sorted(args.data.glob("*.wav"))[: args.limit]
    settings = Settings()
    for engine in args.engine:
        print(json.dumps(evaluate(engine, wavs, settings), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
