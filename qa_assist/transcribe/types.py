"""What transcription produces: plain dataclasses that the scorer, storage and API share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Speaker = Literal["agent", "customer", "unknown"]
#: How speakers were told apart: by stereo channel, or not at all (mono, one speaker label).
SpeakerMethod = Literal["channel", "none"]


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    """One stretch of speech by one speaker; times in seconds from the start of the call."""

    start: float
    end: float
    speaker: Speaker
    text: str
    #: mean token log-probability reported by Whisper (closer to 0 is surer)
    avg_logprob: float = 0.0
    #: Whisper's probability that the stretch holds no speech
    no_speech_prob: float = 0.0
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Transcript:
    file: str
    language: str
    duration: float
    engine: str
    #: identity of the weights (see ``qa_assist.models.model_version``)
    model_version: str
    speaker_method: SpeakerMethod
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    def to_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["text"] = self.text
        return payload

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> Transcript:
        segments = tuple(
            Segment(
                **{key: value for key, value in item.items() if key != "words"},
                words=tuple(Word(**word) for word in item.get("words", ())),
            )
            for item in payload["segments"]
        )
        fields = {key: payload[key] for key in cls.__dataclass_fields__ if key != "segments"}
        return cls(**fields, segments=segments)
