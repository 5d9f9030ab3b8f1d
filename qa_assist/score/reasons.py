"""The reason given with every check and item, written in both languages at scoring time.

Results are stored and served long after they were scored, in whichever language the reader
chose, so a reason is kept as its English (``reason``) and Chinese (``reason_zh``) text; the
wordings live in ``reasons.yaml``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from .rubric import Text

REASONS_PATH = Path(__file__).with_name("reasons.yaml")


@lru_cache(maxsize=1)
def _wordings() -> tuple[dict[str, Text], dict[str, Text]]:
    data = yaml.safe_load(REASONS_PATH.read_text(encoding="utf-8"))
    texts = {key: Text(**text) for key, text in data["texts"].items()}
    words = {key: Text(**text) for key, text in data["words"].items()}
    return texts, words


def word(key: str) -> Text:
    """A thing a reason names (a metric, a scenario, what a check looks for); unknown keys
    stand for themselves."""
    return _wordings()[1].get(key) or Text(zh=key, en=key)


def because(key: str, **args: str | Text) -> dict[str, str]:
    """``reason`` and ``reason_zh`` of the wording ``key``, its placeholders filled with
    ``args`` (plain text, or a :class:`Text` shown in each language)."""
    wording = _wordings()[0][key]

    def filled(language: str) -> str:
        values = {
            name: getattr(value, language) if isinstance(value, Text) else value
            for name, value in args.items()
        }
        return getattr(wording, language).format(**values)

    return {"reason": filled("en"), "reason_zh": filled("zh")}


def joined(reasons: list[dict[str, str]]) -> dict[str, str]:
    """Several reasons as one, in both languages."""
    return {
        "reason": "; ".join(r["reason"] for r in reasons if r["reason"]),
        "reason_zh": "；".join(r["reason_zh"] for r in reasons if r["reason_zh"]),
    }
