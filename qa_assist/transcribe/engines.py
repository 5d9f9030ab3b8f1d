"""The two Whisper backends behind one small interface, picked by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..models import ModelRegistry
from .types import Word


@dataclass(frozen=True)
class DecodeOptions:
    #: Whisper language code, or None to detect it
    language: str | None
    initial_prompt: str | None
    beam_size: int
    hotwords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decoded:
    """One Whisper segment, times relative to the start of the decoded samples."""

    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    words: tuple[Word, ...]


class SpeechEngine(Protocol):
    name: str

    @property
    def parallel_windows(self) -> int:
        """How many windows this engine decodes at once from different threads."""
        ...

    def decode(self, samples: np.ndarray, options: DecodeOptions) -> tuple[str, list[Decoded]]:
        """Transcribe 16 kHz mono samples; returns the language and the segments."""
        ...

    def model_version(self) -> str: ...


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry

    @property
    def parallel_windows(self) -> int:
        return self.registry.settings.threads

    def decode(self, samples: np.ndarray, options: DecodeOptions) -> tuple[str, list[Decoded]]:
        segments, info = self.registry.faster_whisper().transcribe(
            samples,
            language=options.language,
            beam_size=options.beam_size,
            # One temperature: the fallback ladder is what turns a bad 5 s clip into 15 s.
            temperature=0.0,
            condition_on_previous_text=False,
            initial_prompt=options.initial_prompt,
            hotwords=" ".join(options.hotwords) or None,
            # Words place each piece of a packed window back in its turn (see packing.py).
            word_timestamps=True,
        )
        decoded = [
            Decoded(
                start=segment.start,
                end=segment.end,
                text=segment.text,
                avg_logprob=segment.avg_logprob,
                no_speech_prob=segment.no_speech_prob,
                words=tuple(
                    Word(word.start, word.end, word.word, word.probability)
                    for word in segment.words or ()
                ),
            )
            for segment in segments
        ]
        return info.language, decoded

    def model_version(self) -> str:
        return self.registry.whisper_version(self.name)


class OpenAIWhisperEngine:
    name = "openai-whisper"
    #: Its word timestamps hook the model's attention layers: one window at a time.
    parallel_windows = 1

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry

    def decode(self, samples: np.ndarray, options: DecodeOptions) -> tuple[str, list[Decoded]]:
        result = self.registry.openai_whisper().transcribe(
            samples,
            language=options.language,
            beam_size=options.beam_size if options.beam_size > 1 else None,
            temperature=0.0,
            condition_on_previous_text=False,
            # openai-whisper has no hotwords; faster-whisper puts them where the prompt goes.
            initial_prompt=" ".join(filter(None, [options.initial_prompt, *options.hotwords]))
            or None,
            word_timestamps=True,
            fp16=False,
            verbose=None,
        )
        decoded = [
            Decoded(
                start=float(segment["start"]),
                end=float(segment["end"]),
                text=segment["text"],
                avg_logprob=float(segment["avg_logprob"]),
                no_speech_prob=float(segment["no_speech_prob"]),
                words=tuple(
                    Word(float(w["start"]), float(w["end"]), w["word"], float(w["probability"]))
                    for w in segment.get("words", ())
                ),
            )
            for segment in result["segments"]
        ]
        return result["language"], decoded

    def model_version(self) -> str:
        return self.registry.whisper_version(self.name)


ENGINES: dict[str, type[FasterWhisperEngine | OpenAIWhisperEngine]] = {
    FasterWhisperEngine.name: FasterWhisperEngine,
    OpenAIWhisperEngine.name: OpenAIWhisperEngine,
}


def make_engine(name: str, registry: ModelRegistry) -> SpeechEngine:
    try:
        return ENGINES[name](registry)
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}") from None
