"""One judge per check type, picked by the check's ``type``."""

from __future__ import annotations

from pathlib import Path

from ..chat import ChatClient
from ..embedding import TextEmbedder
from .base import Judge
from .llm import LLMJudge
from .metric import MetricJudge
from .order import OrderJudge
from .phrase import PhraseJudge
from .regex import RegexJudge
from .semantic import SemanticJudge


def make_judges(
    embedder: TextEmbedder | None = None,
    chat: ChatClient | None = None,
    llm_retries: int = 2,
    prompts_dir: Path | None = None,
) -> dict[str, Judge]:
    return {
        "phrase": PhraseJudge(),
        "regex": RegexJudge(),
        "semantic": SemanticJudge(embedder),
        "order": OrderJudge(),
        "metric": MetricJudge(),
        "llm_judge": LLMJudge(chat, llm_retries, prompts_dir),
    }


__all__ = ["Judge", "make_judges"]
