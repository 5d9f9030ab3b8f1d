"""Assemble scripted dialogues into dual-channel demo recordings with ground truth.

A demo call is a stereo 16-bit WAV laid out like a real hotline recording: the agent on the
left channel, the customer on the right, one turn after the other with natural gaps, the
channel of whoever is silent carrying only faint noise. Beside ``<name>.wav`` lies
``<name>.json``, the ground truth: dialogue, scenario, script violations and every turn's
text with its start and end in seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import wave
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import write_atomically
from .script import Dialogue, Scenario, Speaker, Violation, load_dialogues
from .speech import VOICES, Voice, synthesize

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "CHANNELS",
    "DemoCall",
    "DemoTurn",
    "existing_call",
    "generate_call",
    "generate_demo_calls",
    "load_dialogues",
]

log = logging.getLogger("qa_assist")

#: Bump when the audio layout changes, so that calls made by an older generator are redone.
GENERATOR_VERSION = 1
GROUND_TRUTH_FORMAT = 1
#: Channel index of each speaker: the usual hotline recorder layout.
CHANNELS: dict[str, int] = {"agent": 0, "customer": 1}
#: Silence before the first and after the last turn (pick-up and hang-up), in seconds.
LEAD_IN = 0.6
TAIL = 0.8
#: Range of the gap between turns when a turn sets no ``pause_before``.
GAP_RANGE = (0.3, 1.2)
#: Speech is levelled to this RMS (about -20 dBFS), peaks kept under PEAK.
SPEECH_RMS = 0.1
PEAK = 0.9
#: Background noise on both channels (about -66 dBFS RMS): line hiss, so that a silent
#: channel is never digital zero, which no real recording is.
NOISE_RMS = 0.0005


@dataclass(frozen=True)
class DemoTurn:
    """One turn of a generated call as it lies in the audio."""

    speaker: Speaker
    text: str
    #: Seconds from the start of the file to the first and past the last speech sample.
    start: float
    end: float

    @property
    def channel(self) -> int:
        return CHANNELS[self.speaker]


@dataclass(frozen=True)
class DemoCall:
    """A generated demo recording and its ground truth."""

    dialogue_id: str
    scenario: Scenario
    title: str
    path: Path
    duration: float
    sample_rate: int
    follows_script: bool
    violations: tuple[Violation, ...]
    turns: tuple[DemoTurn, ...]

    @property
    def ground_truth_path(self) -> Path:
        return ground_truth_path(self.path)

    def to_dict(self) -> dict[str, Any]:
        """The ground-truth document written beside the WAV (paths relative to it)."""
        return {
            "format": GROUND_TRUTH_FORMAT,
            "dialogue_id": self.dialogue_id,
            "scenario": self.scenario,
            "title": self.title,
            "audio": self.path.name,
            "duration": self.duration,
            "sample_rate": self.sample_rate,
            "channels": {speaker: index for speaker, index in CHANNELS.items()},
            "follows_script": self.follows_script,
            "violations": list(self.violations),
            "turns": [
                {
                    "speaker": turn.speaker,
                    "channel": turn.channel,
                    "text": turn.text,
                    "start": turn.start,
                    "end": turn.end,
                }
                for turn in self.turns
            ],
        }

    @classmethod
    def from_dict(cls, payload: dict[str, Any], path: Path) -> DemoCall:
        """Rebuild a call from its ground-truth document; ``path`` is the WAV file."""
        return cls(
            dialogue_id=payload["dialogue_id"],
            scenario=payload["scenario"],
            title=payload["title"],
            path=path,
            duration=float(payload["duration"]),
            sample_rate=int(payload["sample_rate"]),
            follows_script=bool(payload["follows_script"]),
            violations=tuple(payload["violations"]),
            turns=tuple(
                DemoTurn(
                    speaker=turn["speaker"],
                    text=turn["text"],
                    start=float(turn["start"]),
                    end=float(turn["end"]),
                )
                for turn in payload["turns"]
            ),
        )


def ground_truth_path(wav_path: Path) -> Path:
    """``call.wav`` -> ``call.json``."""
    return wav_path.with_suffix(".json")


def _fingerprint(dialogue: Dialogue, sample_rate: int, voices: dict[str, Voice]) -> str:
    # Everything that shapes the audio: the script, the voices, the layout. A change in any
    # of them makes an existing file stale.
    material = {
        "generator": GENERATOR_VERSION,
        "dialogue": asdict(dialogue),
        "sample_rate": sample_rate,
        "voices": {speaker: asdict(voice) for speaker, voice in sorted(voices.items())},
        "layout": [LEAD_IN, TAIL, GAP_RANGE, SPEECH_RMS, PEAK, NOISE_RMS, CHANNELS],
    }
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _seed(dialogue: Dialogue) -> int:
    # A stable seed per dialogue (hash() of a str changes between interpreter runs).
    return zlib.crc32(dialogue.id.encode("utf-8"))


def _level(speech: np.ndarray) -> np.ndarray:
    import numpy as np

    rms = float(np.sqrt(np.mean(np.square(speech, dtype=np.float64))))
    peak = float(np.max(np.abs(speech)))
    gain = min(SPEECH_RMS / rms, PEAK / peak) if rms > 0 else 0.0
    return (speech * gain).astype(np.float32)


def _resolve_destination(dialogue: Dialogue, destination: Path) -> Path:
    destination = Path(destination)
    if destination.is_dir() or destination.suffix.lower() != ".wav":
        return destination / f"{dialogue.id}.wav"
    return destination


def _write_wav(path: Path, stereo: np.ndarray, sample_rate: int) -> None:
    import numpy as np

    pcm = np.clip(np.round(stereo * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm.tobytes())


def generate_call(
    dialogue: Dialogue,
    destination: Path,
    sample_rate: int = 16000,
    voices: dict[str, Voice] | None = None,
) -> DemoCall:
    """Synthesise ``dialogue`` into a stereo WAV and write its ground truth beside it.

    ``destination`` is the WAV path, or a folder to hold ``<dialogue id>.wav``. The result is
    deterministic: the same dialogue always gets the same gaps and the same noise.
    """
    import numpy as np

    voices = voices or VOICES
    wav_path = _resolve_destination(dialogue, destination)
    wav_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = np.random.default_rng(_seed(dialogue))

    # Lay the turns out first, then fill one buffer: the total length is known up front.
    placed: list[tuple[str, int, np.ndarray]] = []
    cursor = 0
    for index, turn in enumerate(dialogue.turns):
        speech = _level(synthesize(turn.text, voices[turn.speaker], sample_rate))
        # A natural gap is drawn for every later turn, even one whose pause_before wins,
        # so that editing one pause does not reshuffle the gaps after it.
        natural = LEAD_IN if index == 0 else float(rng.uniform(*GAP_RANGE))
        gap = natural if turn.pause_before is None else turn.pause_before
        cursor += round(gap * sample_rate)
        placed.append((turn.speaker, cursor, speech))
        cursor += speech.size
    total = cursor + round(TAIL * sample_rate)

    audio = rng.normal(0.0, NOISE_RMS, size=(total, 2)).astype(np.float32)
    turns: list[DemoTurn] = []
    for (speaker, start, speech), turn in zip(placed, dialogue.turns, strict=True):
        audio[start : start + speech.size, CHANNELS[speaker]] += speech
        turns.append(
            DemoTurn(
                speaker=turn.speaker,
                text=turn.text,
                # Millisecond precision: what the JSON keeps, so a reloaded call is equal.
                start=round(start / sample_rate, 3),
                end=round((start + speech.size) / sample_rate, 3),
            )
        )

    call = DemoCall(
        dialogue_id=dialogue.id,
        scenario=dialogue.scenario,
        title=dialogue.title,
        path=wav_path,
        duration=round(total / sample_rate, 3),
        sample_rate=sample_rate,
        follows_script=dialogue.follows_script,
        violations=dialogue.violations,
        turns=tuple(turns),
    )
    document = call.to_dict()
    document["fingerprint"] = _fingerprint(dialogue, sample_rate, voices)
    document["frames"] = total

    # The WAV first, the JSON last: a JSON whose fingerprint matches marks a finished call.
    write_atomically(wav_path, lambda path: _write_wav(path, audio, sample_rate))
    write_atomically(
        ground_truth_path(wav_path),
        lambda path: path.write_text(
            json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        ),
    )
    log.info(
        "demo call %s: %.1f s of audio in %.1f s -> %s",
        dialogue.id,
        call.duration,
        time.perf_counter() - started,
        wav_path,
    )
    return call


def existing_call(
    dialogue: Dialogue,
    wav_path: Path,
    sample_rate: int = 16000,
    voices: dict[str, Voice] | None = None,
) -> DemoCall | None:
    """The call at ``wav_path`` if it was generated from this very dialogue and is intact."""
    truth = ground_truth_path(wav_path)
    if not (wav_path.is_file() and truth.is_file()):
        return None
    try:
        document = json.loads(truth.read_text(encoding="utf-8"))
        if document.get("fingerprint") != _fingerprint(dialogue, sample_rate, voices or VOICES):
            return None
        with wave.open(str(wav_path), "rb") as reader:
            intact = (
                reader.getnchannels() == 2
                and reader.getsampwidth() == 2
                and reader.getframerate() == sample_rate
                and reader.getnframes() == document["frames"]
            )
        return DemoCall.from_dict(document, wav_path) if intact else None
    except (OSError, ValueError, KeyError, TypeError, EOFError, wave.Error):
        # Unreadable or foreign files are simply regenerated.
        return None


def generate_demo_calls(
    out_dir: Path,
    dialogue_ids: Sequence[str] | None = None,
    sample_rate: int = 16000,
    dialogues: Sequence[Dialogue] | None = None,
) -> list[DemoCall]:
    """Generate the demo calls (all, or those named) into ``out_dir`` as ``<id>.wav``.

    Calls already there with matching ground truth are kept, so running this again costs
    nothing. ``dialogues`` defaults to the packaged ones.
    """
    available = list(dialogues) if dialogues is not None else load_dialogues()
    by_id = {dialogue.id: dialogue for dialogue in available}
    if dialogue_ids is None:
        chosen = available
    else:
        unknown = [name for name in dialogue_ids if name not in by_id]
        if unknown:
            raise KeyError(f"unknown demo dialogue(s) {unknown}; known: {sorted(by_id)}")
        chosen = [by_id[name] for name in dialogue_ids]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    calls: list[DemoCall] = []
    for dialogue in chosen:
        wav_path = out_dir / f"{dialogue.id}.wav"
        call = existing_call(dialogue, wav_path, sample_rate)
        if call is None:
            call = generate_call(dialogue, wav_path, sample_rate)
        else:
            log.debug("demo call %s is up to date", dialogue.id)
        calls.append(call)
    return calls
