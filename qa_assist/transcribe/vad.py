"""Voice-activity detection, so Whisper never decodes the silence that fills most of a channel."""

from __future__ import annotations

import numpy as np

from .audio import SAMPLE_RATE
from .types import Speaker, SpeechRegion

#: Whisper decodes 30 s windows; a little headroom keeps what we pack in one window.
MAX_WINDOW_SECONDS = 28.0
#: Pauses up to this long stay as they are (a breath within a turn); longer ones are cut out
#: when regions are packed (see packing.py): on one channel of a call they hold the other
#: party's turn.
MAX_PAUSE_IN_REGION = 1.0


def speech_regions(
    samples: np.ndarray, speaker: Speaker = "unknown", min_silence_ms: int = 500
) -> list[SpeechRegion]:
    """Where someone speaks, by Silero VAD (shipped inside faster-whisper), in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=200,
        max_speech_duration_s=MAX_WINDOW_SECONDS,
    )
    return [
        SpeechRegion(
            round(region["start"] / SAMPLE_RATE, 3), round(region["end"] / SAMPLE_RATE, 3), speaker
        )
        for region in get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    ]


def merge_close_regions(regions: list[SpeechRegion]) -> list[SpeechRegion]:
    """A speaker's consecutive speech regions merged across pauses of at most
    MAX_PAUSE_IN_REGION, each merged region at most MAX_WINDOW_SECONDS long."""
    merged: list[SpeechRegion] = []
    for region in regions:
        if (
            merged
            and region.speaker == merged[-1].speaker
            and region.start - merged[-1].end <= MAX_PAUSE_IN_REGION
            and region.end - merged[-1].start <= MAX_WINDOW_SECONDS
        ):
            merged[-1] = SpeechRegion(merged[-1].start, region.end, region.speaker)
        else:
            merged.append(region)
    return merged
