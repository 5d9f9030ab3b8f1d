"""Transcription of call recordings: both Whisper backends behind one pipeline."""

from .audio import Audio, AudioError, load_audio
from .engines import ENGINES, DecodeOptions, SpeechEngine, make_engine
from .pipeline import Transcriber
from .types import Segment, Speaker, Transcript, Word

__all__ = [
    "ENGINES",
    "Audio",
    "AudioError",
    "DecodeOptions",
    "Segment",
    "Speaker",
    "SpeechEngine",
    "Transcriber",
    "Transcript",
    "Word",
    "load_audio",
    "make_engine",
]
