"""What transcription produces: plain dataclasses that the scorer, storage and API share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import TypeAdapter

Speaker = Literal["agent", "customer", "unknown"]
#: How speakers were told apart: by stereo channel, by clustering the voices of a mono
#: recording into two, or not at all (mono with one voice).
SpeakerMethod = Literal["channel", "clustering", "none"]


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
class Turn:
    """What one speaker said before the other spoke: consecutive segments joined.

    Turns are what people read and what rubric evidence points at (by ``id``).
    """

    id: int
    speaker: Speaker
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Interval:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return round(self.end - self.start, 3)


@dataclass(frozen=True)
class SpeechRegion(Interval):
    """A stretch of speech found by voice-activity detection, and whose it is."""

    speaker: Speaker = "unknown"


@dataclass(frozen=True)
class SpeakerMetrics:
    speaker: Speaker
    #: seconds of speech found by voice-activity detection
    talk_seconds: float
    #: share of the call this speaker talks
    talk_ratio: float
    #: characters per minute of talk (Chinese speech runs at about 200-300)
    speech_rate_cpm: float
    turns: int


@dataclass(frozen=True)
class CallMetrics:
    """Timing of the conversation, from the speech regions of each speaker.

    Dead air is a stretch where nobody speaks once the call is under way (leading and trailing
    silence do not count); a hold is dead air at least as long as the hold threshold of the
    settings. Overtalk is both speakers at once; an interruption is the agent starting to speak
    while the customer is mid-turn.
    """

    duration: float
    speakers: tuple[SpeakerMetrics, ...]
    #: share of the call (first to last speech) in which nobody speaks
    silence_ratio: float
    longest_dead_air: Interval | None
    holds: tuple[Interval, ...]
    overtalk: tuple[Interval, ...]
    agent_interruptions: tuple[Interval, ...]
    #: seconds from the customer's first words (or the call start) to the agent's first words
    agent_first_response: float | None

    def for_speaker(self, speaker: Speaker) -> SpeakerMetrics | None:
        return next((item for item in self.speakers if item.speaker == speaker), None)

    @property
    def overtalk_seconds(self) -> float:
        return round(sum(item.seconds for item in self.overtalk), 3)


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
    turns: tuple[Turn, ...] = field(default_factory=tuple)
    metrics: CallMetrics | None = None
    #: how sure the speaker labels are, 0..1 (1 for separate channels)
    speaker_confidence: float = 1.0

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    def to_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["text"] = self.text
        return payload

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> Transcript:
        return _TRANSCRIPT.validate_python(
            {key: value for key, value in payload.items() if key in cls.__dataclass_fields__}
        )


_TRANSCRIPT = TypeAdapter(Transcript)
