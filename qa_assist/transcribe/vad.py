"""Voice-activity detection, so Whisper never decodes the silence that fills most of a channel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .audio import SAMPLE_RATE

#: Whisper decodes 30 s windows; a little headroom keeps a chunk in one window.
MAX_CHUNK_SECONDS = 28.0
#: Pauses up to this long stay inside a chunk (a breath within a turn). Longer ones split it:
#: on one channel of a call they hold the other party's turn, and a Whisper segment that
#: spans them would be stamped across both turns.
MAX_PAUSE_IN_CHUNK = 1.0


@dataclass(frozen=True)
class Chunk:
    """A stretch of a channel to decode in one piece (seconds from the start of the call)."""

    start: float
    end: float


def speech_chunks(samples: np.ndarray, min_silence_ms: int = 500) -> list[Chunk]:
    """Speech regions found by Silero VAD (shipped inside faster-whisper), merged across short
    pauses into chunks of at most MAX_CHUNK_SECONDS; pauses inside a chunk stay, so
    timestamps need no remapping."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=200,
        max_speech_duration_s=MAX_CHUNK_SECONDS,
    )
    regions = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    chunks: list[Chunk] = []
    for region in regions:
        start, end = region["start"] / SAMPLE_RATE, region["end"] / SAMPLE_RATE
        if (
            chunks
            and start - chunks[-1].end <= MAX_PAUSE_IN_CHUNK
            and end - chunks[-1].start <= MAX_CHUNK_SECONDS
        ):
            chunks[-1] = Chunk(chunks[-1].start, end)
        else:
            chunks.append(Chunk(start, end))
    return chunks
