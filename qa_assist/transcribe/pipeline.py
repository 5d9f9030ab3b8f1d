"""From a recording to a :class:`Transcript`: decode, split channels, VAD, Whisper, Simplified."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..models import ModelRegistry
from ..settings import Settings
from .audio import AudioError, load_audio
from .chinese import to_simplified
from .engines import Decoded, DecodeOptions, SpeechEngine, make_engine
from .guards import collapse_loops, drop_repeated_segments, hallucination
from .metrics import call_metrics
from .packing import PackedWindow, pack
from .speakers import separate_speakers
from .turns import build_turns
from .types import (
    Interval,
    Segment,
    Speaker,
    SpeakerMethod,
    SpeechRegion,
    Transcript,
    Word,
)
from .vad import MAX_WINDOW_SECONDS, merge_close_regions, speech_regions


class Transcriber:
    """Transcribes recordings with one engine; cheap to build, the model loads on first use."""

    def __init__(self, settings: Settings, registry: ModelRegistry, engine: str | None = None):
        self.settings = settings
        self.engine: SpeechEngine = make_engine(engine or settings.engine, registry)

    def transcribe(self, path: Path, agent_channel: str | None = None) -> Transcript:
        audio = load_audio(path, self.settings.max_audio_seconds)
        if audio.is_stereo:
            agent_index = 0 if (agent_channel or self.settings.agent_channel) == "left" else 1
            speakers: list[Speaker] = ["customer", "customer"]
            speakers[agent_index] = "agent"
        else:
            speakers = ["unknown"]
        channel_regions = [
            speech_regions(samples, speaker)
            for samples, speaker in zip(audio.channels, speakers, strict=True)
        ]
        if not any(channel_regions):
            raise AudioError(path, "no speech in the recording (silent or only noise)")
        method: SpeakerMethod = "channel"
        speaker_confidence = 1.0
        if not audio.is_stereo:
            separation = separate_speakers(audio.channels[0], channel_regions[0])
            channel_regions = [separation.regions]
            method = "clustering" if separation.two_voices else "none"
            speaker_confidence = separation.confidence
            speakers = ["agent", "customer"] if separation.two_voices else ["unknown"]
        channel_regions = [merge_close_regions(regions) for regions in channel_regions]
        options = DecodeOptions(
            language=self.settings.language,
            initial_prompt=self.settings.initial_prompt,
            beam_size=self.settings.beam_size,
            hotwords=tuple(self.settings.hotwords),
        )
        jobs = [
            (window, window.samples(samples))
            for samples, regions in zip(audio.channels, channel_regions, strict=True)
            for window in pack(regions, MAX_WINDOW_SECONDS)
        ]
        options, decoded_windows = self._decode_windows([samples for _, samples in jobs], options)
        segments: list[Segment] = []
        spoken: list[SpeechRegion] = []
        for (window, _), decoded in zip(jobs, decoded_windows, strict=True):
            placed = [
                segment
                for item in drop_repeated_segments(decoded)
                if hallucination(item) is None
                for segment in _place(item, window)
            ]
            segments.extend(segment for _, segment in placed)
            spoken.extend(window.regions[index] for index in {index for index, _ in placed})
        segments.sort(key=lambda segment: (segment.start, segment.end))
        turns = build_turns(segments)
        # Regions that gave no words (hold music, noise) are not talk time.
        speech: dict[Speaker, list[Interval]] = {speaker: [] for speaker in speakers}
        for region in spoken:
            speech[region.speaker].append(region)
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
            language=options.language or "",
            duration=round(audio.duration, 3),
            engine=self.engine.name,
            model_version=self.engine.model_version(),
            speaker_method=method,
            speaker_confidence=speaker_confidence,
            segments=tuple(segments),
            turns=turns,
            metrics=metrics,
        )

    def _decode_windows(
        self, windows: list[np.ndarray], options: DecodeOptions
    ) -> tuple[DecodeOptions, list[list[Decoded]]]:
        """Every window decoded, as many at once as the engine allows; with no language set,
        the first window decides the language of the whole call."""
        decoded: list[list[Decoded]] = []
        if options.language is None:
            language, first = self.engine.decode(windows[0], options)
            options = replace(options, language=language)
            decoded.append(first)
        with ThreadPoolExecutor(self.engine.parallel_windows) as pool:
            decoded.extend(
                pool.map(
                    lambda samples: self.engine.decode(samples, options)[1], windows[len(decoded) :]
                )
            )
        return options, decoded


def _place(item: Decoded, window: PackedWindow) -> list[tuple[int, Segment]]:
    """One decoded segment of a packed window as call segments, one per region it covers,
    each with the index of its region."""
    by_region: dict[int, list[Word]] = {}
    for word in item.words:
        index = window.region_of_word(word.end)
        by_region.setdefault(index, []).append(
            Word(
                window.to_call_time(word.start, index),
                window.to_call_time(word.end, index),
                to_simplified(word.text),
                round(word.probability, 4),
            )
        )
    segments = []
    for index, words in by_region.items():
        text = collapse_loops("".join(word.text for word in words).strip())
        if text:
            segments.append(
                (
                    index,
                    Segment(
                        start=words[0].start,
                        end=words[-1].end,
                        speaker=window.regions[index].speaker,
                        text=text,
                        avg_logprob=round(item.avg_logprob, 4),
                        no_speech_prob=round(item.no_speech_prob, 4),
                        words=tuple(words),
                    ),
                )
            )
    return segments
