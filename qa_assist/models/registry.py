"""One registry of loaded models per process, shared by the CLI, the API and the batch.

Constructing it is free; each model is prepared (if missing) and loaded on first use, once,
under a lock so two request threads never load the same model twice.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..settings import Settings, get_settings
from .catalog import ENCODER, OPENAI_CHECKPOINT_NAME, WHISPER_CT2, WHISPER_OPENAI
from .prepare import model_version, prepare_model

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from sentence_transformers import SentenceTransformer
    from whisper import Whisper

    from ..triage.classifier import TriageClassifier

log = logging.getLogger("qa_assist")


class ModelRegistry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _prepared(self, name: str, override: Path | None) -> Path:
        if override is not None:
            return override
        return prepare_model(name, self.settings.models_dir).path

    def whisper_ct2_dir(self) -> Path:
        return self._prepared(WHISPER_CT2, self.settings.whisper_ct2_dir)

    def whisper_openai_checkpoint(self) -> Path:
        override = self.settings.whisper_openai_checkpoint
        if override is not None:
            return override
        return self._prepared(WHISPER_OPENAI, None) / OPENAI_CHECKPOINT_NAME

    def encoder_dir(self) -> Path:
        return self._prepared(ENCODER, self.settings.encoder_dir)

    def triage_model_dir(self) -> Path:
        """Where the trained triage model is (it is trained, not prepared: see ``triage train``)."""
        from ..triage.manifest import FORMAT_VERSION

        return self.settings.triage_model_dir or self.settings.models_dir / FORMAT_VERSION

    def triage_ngram_dir(self) -> Path:
        """The triage n-gram model, trained with the encoder model and kept beside it."""
        from ..triage.ngram import NGRAM_FORMAT

        return self.triage_model_dir().with_name(NGRAM_FORMAT)

    def _load(self, key: str, loader: Any) -> Any:
        with self._lock:
            if key not in self._loaded:
                log.info("loading %s", key)
                self._loaded[key] = loader()
            return self._loaded[key]

    def faster_whisper(self) -> WhisperModel:
        def load() -> WhisperModel:
            from faster_whisper import WhisperModel

            # One thread per window and windows decoded side by side: Whisper base's matrices
            # are too small for two threads to share one window well (a 2-minute call took
            # 10.6 s wall and 17.9 CPU s that way, 14.1 CPU s on one thread).
            return WhisperModel(
                str(self.whisper_ct2_dir()),
                device="cpu",
                compute_type="int8",
                cpu_threads=1,
                num_workers=self.settings.threads,
            )

        return self._load("faster-whisper", load)

    def openai_whisper(self) -> Whisper:
        def load() -> Whisper:
            import torch

            from .whisper_openai import load_openai_whisper

            torch.set_num_threads(self.settings.threads)
            return load_openai_whisper(self.whisper_openai_checkpoint())

        return self._load("openai-whisper", load)

    def encoder(self) -> SentenceTransformer:
        def load() -> SentenceTransformer:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(self.settings.threads)
            return SentenceTransformer(str(self.encoder_dir()), device="cpu")

        return self._load("encoder", load)

    def triage_classifier(self) -> TriageClassifier:
        def load() -> TriageClassifier:
            import torch

            from ..triage.classifier import TriageClassifier
            from ..triage.model import load_triage_model
            from ..triage.ngram import CombinedModel, load_ngram_model

            torch.set_num_threads(self.settings.threads)
            model = load_triage_model(self.triage_model_dir(), self.encoder_dir())
            weight = self.settings.triage_ngram_weight
            if weight == 0:
                return TriageClassifier(model, self.settings.triage_review_threshold)
            combined = CombinedModel(model, load_ngram_model(self.triage_ngram_dir()), weight)
            return TriageClassifier(combined, self.settings.triage_review_threshold)

        return self._load("triage", load)

    def whisper_version(self, engine: str) -> str:
        """Identity of the Whisper weights an engine uses, recorded with every result."""
        if engine == "openai-whisper":
            return model_version(self.whisper_openai_checkpoint().parent)
        return model_version(self.whisper_ct2_dir())


@lru_cache
def get_registry() -> ModelRegistry:
    """The process-wide registry built from the process-wide settings."""
    return ModelRegistry(get_settings())
