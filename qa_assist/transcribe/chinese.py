"""Traditional-to-Simplified conversion: Whisper often answers Mandarin in Traditional script."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)
