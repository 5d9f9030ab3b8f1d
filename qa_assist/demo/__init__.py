"""Demo calls: scripted Mandarin hotline dialogues synthesised into dual-channel recordings.

``generate_demo_calls(folder)`` writes one stereo WAV per dialogue (agent left, customer
right) with a JSON ground truth beside it; see :mod:`.script` for the dialogue data,
:mod:`.speech` for the espeak-ng synthesis and :mod:`.calls` for the assembly. Importing
this package is cheap: numpy, PyYAML and pypinyin load on first use.
"""

from .calls import CHANNELS, DemoCall, DemoTurn, existing_call, generate_call, generate_demo_calls
from .script import (
    SCENARIOS,
    SPEAKERS,
    VIOLATIONS,
    Dialogue,
    DialogueError,
    Turn,
    load_dialogues,
    parse_dialogues,
)
from .speech import (
    AGENT_VOICE,
    CUSTOMER_VOICE,
    VOICES,
    EspeakNotFoundError,
    SpeechError,
    Voice,
    normalize_text,
    synthesize,
    to_pinyin,
)

__all__ = [
    "AGENT_VOICE",
    "CHANNELS",
    "CUSTOMER_VOICE",
    "SCENARIOS",
    "SPEAKERS",
    "VIOLATIONS",
    "VOICES",
    "DemoCall",
    "DemoTurn",
    "Dialogue",
    "DialogueError",
    "EspeakNotFoundError",
    "SpeechError",
    "Turn",
    "Voice",
    "existing_call",
    "generate_call",
    "generate_demo_calls",
    "load_dialogues",
    "normalize_text",
    "parse_dialogues",
    "synthesize",
    "to_pinyin",
]
