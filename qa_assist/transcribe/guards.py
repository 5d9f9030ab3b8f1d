"""Guards against Whisper's known failure modes in Chinese."""

from __future__ import annotations

import re

_REPEATS = re.compile(r"(.{1,4}?)\1{3,}")
#: Shorter runs can be speech ("谢谢谢谢", "好好好好"); loops run on for the rest of a window.
_MIN_LOOP_CHARS = 8


def collapse_loops(text: str) -> str:
    """Keep once a unit of 1-4 characters repeated into a long run: a decoding loop (such as
    "ＧＧＧＧ..." after an initial prompt), not speech."""

    def keep_once(match: re.Match[str]) -> str:
        return match.group(1) if len(match.group(0)) >= _MIN_LOOP_CHARS else match.group(0)

    return _REPEATS.sub(keep_once, text)
