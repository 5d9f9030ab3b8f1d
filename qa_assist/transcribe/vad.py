"""Voice-activity detection, so Whisper never decodes the silence that fills most of a channel."""

from __future__ import annotations

import numpy as np

from .audio import SAMPLE_RATE
from .types import Interval

#: Whisper decodes 30 s windows; a little headroom keeps a chunk in one window.
MAX_CHUNK_SECONDS = 28.0
#: Pauses up to this long stay inside a chunk (a breath within a turn). Longer ones split it:
#: on one channel of a call they hold the other party's turn, and a Whisper segment that
#: spans them would be stamped across both turns.
MAX_PAUSE_IN_CHUNK = 1.0


def speech_regions(samples: np.ndarray, min_silence_ms: int = 500) -> list[Interval]:
    """Where someone speaks, by Silero VAD (shipped inside faster-whisper), in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=200,
        max_speech_duration_s=MAX_CHUNK_SECONDS,
    )
    return [
        Interval(round(region["start"] / SAMPLE_RATE, 3), round(region["end"] / SAMPLE_RATE, 3))
        for region in get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    ]


def decoding_chunks(regions: list[Interval]) -> list[Interval]:
    """Speech regions merged across short pauses into chunks of at most MAX_CHUNK_SECONDS;
    pauses inside a chunk stay, so timestamps need no remapping."""
    chunks: list[Interval] = []
    for region in regions:
        if (
            chunks
            and region.start - chunks[-1].end <= MAX_PAUSE_IN_CHUNK
            and region.end - chunks[-1].start <= MAX_CHUNK_SECONDS
        ):
            chunks[-1] = Interval(chunks[-1].start, region.end)
        else:
            chunks.append(region)
    return chunks
