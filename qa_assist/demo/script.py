"""Scripted demo dialogues: typed records and the loader of the packaged ``dialogues.yaml``.

A dialogue is the ground truth of one demo call: who says what, in which order, and which
parts of the service script the agent breaks (``violations``). Everything is validated on
load, so a typo in the YAML fails loudly instead of producing a silently wrong demo call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

Scenario = Literal["fault", "rescue", "complaint"]
Speaker = Literal["agent", "customer"]
Violation = Literal[
    "no_greeting", "no_safety_reminder", "forbidden_phrase", "no_closing", "no_identity_check"
]

SCENARIOS: tuple[Scenario, ...] = ("fault", "rescue", "complaint")
SPEAKERS: tuple[Speaker, ...] = ("agent", "customer")
VIOLATIONS: tuple[Violation, ...] = (
    "no_greeting",
    "no_safety_reminder",
    "forbidden_phrase",
    "no_closing",
    "no_identity_check",
)

#: Ids become file names of the generated calls, so they stay filesystem- and URL-safe.
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: A pause longer than this is a hold, not a turn gap; demo calls have no holds.
MAX_PAUSE_SECONDS = 10.0
_DIALOGUE_KEYS = {"id", "scenario", "title", "follows_script", "violations", "turns"}
_TURN_KEYS = {"speaker", "text", "pause_before"}

PACKAGE_FILE = "dialogues.yaml"


class DialogueError(ValueError):
    """The dialogue data is malformed; the message names the dialogue and the field."""


@dataclass(frozen=True)
class Turn:
    """One utterance of a dialogue."""

    speaker: Speaker
    #: Simplified Chinese with punctuation, exactly what the speaker says.
    text: str
    #: Silence before this turn in seconds; ``None`` lets the generator pick a natural gap.
    pause_before: float | None = None


@dataclass(frozen=True)
class Dialogue:
    """A scripted call and its ground truth."""

    id: str
    scenario: Scenario
    title: str
    follows_script: bool
    violations: tuple[Violation, ...]
    turns: tuple[Turn, ...]

    def agent_texts(self) -> list[str]:
        """The agent's lines in order (what a QA rubric looks at)."""
        return [turn.text for turn in self.turns if turn.speaker == "agent"]


def _fail(where: str, message: str) -> DialogueError:
    return DialogueError(f"{where}: {message}")


def _parse_turn(raw: Any, where: str) -> Turn:
    if not isinstance(raw, Mapping):
        raise _fail(where, "a turn must be a mapping with speaker and text")
    unknown = set(raw) - _TURN_KEYS
    if unknown:
        raise _fail(where, f"unknown field(s) {sorted(unknown)}; allowed: {sorted(_TURN_KEYS)}")
    speaker = raw.get("speaker")
    if speaker not in SPEAKERS:
        raise _fail(where, f"speaker must be one of {list(SPEAKERS)}, not {speaker!r}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _fail(where, "text must be a non-empty string")
    pause = raw.get("pause_before")
    if pause is not None:
        # bool is an int subclass; `pause_before: yes` is a YAML slip, not a duration.
        if isinstance(pause, bool) or not isinstance(pause, int | float):
            raise _fail(where, f"pause_before must be a number of seconds, not {pause!r}")
        if not 0.0 <= float(pause) <= MAX_PAUSE_SECONDS:
            raise _fail(where, f"pause_before must be within 0..{MAX_PAUSE_SECONDS} s")
        pause = float(pause)
    return Turn(speaker=cast(Speaker, speaker), text=text.strip(), pause_before=pause)


def parse_dialogue(raw: Any, index: int = 0) -> Dialogue:
    """Validate one dialogue mapping (as read from YAML) and build a :class:`Dialogue`."""
    where = f"dialogue #{index + 1}"
    if not isinstance(raw, Mapping):
        raise _fail(where, "a dialogue must be a mapping")
    dialogue_id = raw.get("id")
    if not isinstance(dialogue_id, str) or not _ID.match(dialogue_id):
        raise _fail(where, f"id must match {_ID.pattern}, not {dialogue_id!r}")
    where = f"dialogue {dialogue_id!r}"
    missing = _DIALOGUE_KEYS - set(raw)
    if missing:
        raise _fail(where, f"missing field(s) {sorted(missing)}")
    unknown = set(raw) - _DIALOGUE_KEYS
    if unknown:
        raise _fail(where, f"unknown field(s) {sorted(unknown)}")
    scenario = raw["scenario"]
    if scenario not in SCENARIOS:
        raise _fail(where, f"scenario must be one of {list(SCENARIOS)}, not {scenario!r}")
    title = raw["title"]
    if not isinstance(title, str) or not title.strip():
        raise _fail(where, "title must be a non-empty string")
    follows = raw["follows_script"]
    if not isinstance(follows, bool):
        raise _fail(where, f"follows_script must be true or false, not {follows!r}")
    violations = raw["violations"] or []
    if not isinstance(violations, list):
        raise _fail(where, "violations must be a list")
    for violation in violations:
        if violation not in VIOLATIONS:
            raise _fail(where, f"unknown violation {violation!r}; allowed: {list(VIOLATIONS)}")
    if len(set(violations)) != len(violations):
        raise _fail(where, "violations repeat an id")
    # The two fields say the same thing twice on purpose (readable YAML); they must agree.
    if follows == bool(violations):
        raise _fail(where, "follows_script must be true exactly when violations is empty")
    if scenario != "rescue" and "no_safety_reminder" in violations:
        raise _fail(where, "no_safety_reminder only applies to rescue calls")
    raw_turns = raw["turns"]
    if not isinstance(raw_turns, list) or not raw_turns:
        raise _fail(where, "turns must be a non-empty list")
    turns = tuple(
        _parse_turn(turn, f"{where}, turn {number}") for number, turn in enumerate(raw_turns, 1)
    )
    if not any(turn.speaker == "agent" for turn in turns):
        raise _fail(where, "a call needs at least one agent turn")
    return Dialogue(
        id=dialogue_id,
        scenario=cast(Scenario, scenario),
        title=title.strip(),
        follows_script=follows,
        violations=tuple(cast(Violation, v) for v in violations),
        turns=turns,
    )


def parse_dialogues(raw: Any) -> list[Dialogue]:
    """Validate a whole document: a mapping with a ``dialogues`` list (or the bare list)."""
    items: Iterable[Any]
    if isinstance(raw, Mapping):
        items = raw.get("dialogues")  # type: ignore[assignment]
    else:
        items = raw
    if not isinstance(items, list):
        raise DialogueError("the document must hold a list under 'dialogues'")
    dialogues = [parse_dialogue(item, index) for index, item in enumerate(items)]
    seen: set[str] = set()
    for dialogue in dialogues:
        if dialogue.id in seen:
            raise DialogueError(f"dialogue id {dialogue.id!r} appears twice")
        seen.add(dialogue.id)
    return dialogues


def load_dialogues(path: Path | None = None) -> list[Dialogue]:
    """The demo dialogues: the packaged ``dialogues.yaml``, or a YAML file at ``path``."""
    import yaml  # deferred: importing the package should stay cheap

    if path is None:
        text = resources.files(__package__).joinpath(PACKAGE_FILE).read_text(encoding="utf-8")
        source = f"{__package__}/{PACKAGE_FILE}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DialogueError(f"{source}: not valid YAML: {error}") from error
    try:
        return parse_dialogues(raw)
    except DialogueError as error:
        raise DialogueError(f"{source}: {error}") from error
