"""One key per vehicle model, so that a filter for ``Model Y`` finds entries for ``ModelY`` and
``特斯拉MY``, and ``比亚迪汉`` those for ``汉``: the triage catalogue's canonical names."""

from __future__ import annotations

from functools import lru_cache

from .tokenize import canonical_model, fold


@lru_cache
def _aliases() -> dict[str, str]:
    from ..triage.vehicle_models import load_catalogue

    return {
        canonical_model(alias): canonical_model(model.name)
        for brand in load_catalogue()
        for model in brand.models
        for alias in (*model.aliases, *model.weak_aliases)
    }


@lru_cache(maxsize=4096)
def vehicle_key(name: str) -> str:
    """The canonical key of a model name; names outside the catalogue are folded as they are."""
    from ..triage.vehicle_models import default_matcher

    key = canonical_model(name)
    if key in _aliases():
        return _aliases()[key]
    for mention in default_matcher().find(fold(name)):
        if mention.model is not None:
            return canonical_model(mention.model)
    return key


def is_model_name(word: str) -> bool:
    """Whether a token is a model's name or alias in the catalogue."""
    return canonical_model(word) in _aliases()
