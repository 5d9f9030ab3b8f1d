"""A scorer built from the settings: the shared e5 encoder and, if configured, the LLM endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .chat import ChatClient, ChatEndpoint
from .embedding import E5Embedder
from .judges import make_judges
from .scorer import Scorer

if TYPE_CHECKING:
    from ..models import ModelRegistry
    from ..settings import Settings


def chat_client(settings: Settings) -> ChatClient | None:
    if not settings.llm_url:
        return None
    return ChatClient(
        ChatEndpoint(
            settings.llm_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout
        )
    )


def scorer_from_settings(settings: Settings, registry: ModelRegistry) -> Scorer:
    embedder = E5Embedder(registry)
    chat = chat_client(settings)
    versions: dict[str, Callable[[], str]] = {"semantic": lambda: embedder.version}
    if chat is not None:
        versions["llm_judge"] = lambda: chat.version
    return Scorer(
        make_judges(embedder, chat, settings.llm_retries, settings.prompts_dir),
        versions,
        settings.review_confidence,
    )
