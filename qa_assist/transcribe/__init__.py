"""Transcription of call recordings: both Whisper backends behind one pipeline."""

from .audio import Audio, AudioError, load_audio
from .engines import ENGINES, DecodeOptions, SpeechEngine, make_engine
from .pipeline import Transcriber
from .turns import build_turns, punctuate
from .types import (
    CallMetrics,
    Interval,
    Segment,
    Speaker,
    SpeakerMetrics,
    Transcript,
    Turn,
    Word,
)

__all__ = [
    "ENGINES",
    "Audio",
    "AudioError",
    "CallMetrics",
    "DecodeOptions",
    "Interval",
    "Segment",
    "Speaker",
    "SpeakerMetrics",
    "SpeechEngine",
    "Transcriber",
    "Transcript",
    "Turn",
    "Word",
    "build_turns",
    "load_audio",
    "make_engine",
    "punctuate",
]
