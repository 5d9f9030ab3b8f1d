"""From a recording to a :class:`Transcript`: decode, split channels, VAD, Whisper, Simplified."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..models import ModelRegistry
from ..settings import Settings
from .audio import SAMPLE_RATE, load_audio
from .chinese import to_simplified
from .guards import collapse_loops
from .engines import DecodeOptions, SpeechEngine, make_engine
from .turns import build_turns
from .types import Interval, Segment, Speaker, Transcript, Word
from .metrics import call_metrics
from .vad import decoding_chunks, speech_regions

log = logging.getLogger("qa_assist")


class Transcriber:
    """Transcribes recordings with one engine; cheap to build, the model loads on first use."""

    def __init__(self, settings: Settings, registry: ModelRegistry, engine: str | None = None):
        self.settings = settings
        self.engine: SpeechEngine = make_engine(engine or settings.engine, registry)

    def transcribe(self, path: Path, agent_channel: str | None = None) -> Transcript:
        audio = load_audio(path, self.settings.max_audio_seconds)
        options = DecodeOptions(
            language=self.settings.language,
            initial_prompt=self.settings.initial_prompt,
            beam_size=self.settings.beam_size,
            word_timestamps=self.settings.word_timestamps,
        )
        if audio.is_stereo:
            agent_index = 0 if (agent_channel or self.settings.agent_channel) == "left" else 1
            speakers: list[Speaker] = ["customer", "customer"]
            speakers[agent_index] = "agent"
        else:
            speakers = ["unknown"]
        segments: list[Segment] = []
        speech: dict[Speaker, list[Interval]] = {}
        language = options.language
        for samples, speaker in zip(audio.channels, speakers, strict=True):
            regions = speech_regions(samples)
            speech[speaker] = regions
            detected, channel_segments = self._transcribe_channel(samples, regions, speaker, options)
            language = language or detected
            segments.extend(channel_segments)
        segments.sort(key=lambda segment: (segment.start, segment.end))
        turns = build_turns(segments)
        metrics = call_metrics(
            audio.duration,
            speech,
            segments,
            turns,
            hold_min_seconds=self.settings.hold_min_seconds,
            overtalk_min_seconds=self.settings.overtalk_min_seconds,
        )
        return Transcript(
            file=str(path),
            language=language or "",
            duration=round(audio.duration, 3),
            engine=self.engine.name,
            model_version=self.engine.model_version(),
            speaker_method="channel" if audio.is_stereo else "none",
            segments=tuple(segments),
            turns=turns,
            metrics=metrics,
        )

    def _transcribe_channel(
        self,
        samples: np.ndarray,
        regions: list[Interval],
        speaker: Speaker,
        options: DecodeOptions,
    ) -> tuple[str | None, list[Segment]]:
        language = options.language
        segments: list[Segment] = []
        for chunk in decoding_chunks(regions):
            piece = samples[int(chunk.start * SAMPLE_RATE) : int(chunk.end * SAMPLE_RATE)]
            detected, decoded = self.engine.decode(piece, options)
            language = language or detected
            for item in decoded:
                text = collapse_loops(to_simplified(item.text.strip()))
                if not text:
                    continue
                segments.append(
                    Segment(
                        start=round(chunk.start + item.start, 3),
                        end=round(min(chunk.start + item.end, chunk.end), 3),
                        speaker=speaker,
                        text=text,
                        avg_logprob=round(item.avg_logprob, 4),
                        no_speech_prob=round(item.no_speech_prob, 4),
                        words=tuple(
                            Word(
                                round(chunk.start + w.start, 3),
                                round(chunk.start + w.end, 3),
                                to_simplified(w.text),
                                round(w.probability, 4),
                            )
                            for w in item.words
                        ),
                    )
                )
        return language, segments
