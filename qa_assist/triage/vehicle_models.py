"""The brand and model catalogue from ``vehicle_models.yaml`` and a matcher over it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

MODELS_PATH = Path(__file__).with_name("vehicle_models.yaml")

Energy = Literal["ev", "phev", "erev", "ice"]

_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
# Between a brand and its model people write nothing, a space, a dot or a dash (比亚迪·汉).
_BRAND_MODEL_GAP = r"[ ·・\-]?"


@dataclass(frozen=True, slots=True)
class VehicleModelInfo:
    """One model of the catalogue."""

    brand: str
    name: str
    aliases: tuple[str, ...]
    weak_aliases: tuple[str, ...]
    energy: Energy


@dataclass(frozen=True, slots=True)
class BrandInfo:
    """One brand of the catalogue."""

    name: str
    aliases: tuple[str, ...]
    weak_aliases: tuple[str, ...]
    models: tuple[VehicleModelInfo, ...]


@dataclass(frozen=True, slots=True)
class ModelMatch:
    """A brand and/or model mention in normalised text (``model`` is None for a bare brand)."""

    start: int
    end: int
    brand: str
    model: str | None


def is_distinctive(alias: str) -> bool:
    """Whether a model name identifies the car on its own (see the YAML file's header)."""
    cjk = len(_CJK_CHAR.findall(alias))
    ascii_alnum = _ASCII_ALNUM.findall(alias)
    return cjk >= 2 or (len(ascii_alnum) >= 3 and not "".join(ascii_alnum).isdigit())


@lru_cache
def load_catalogue(path: Path = MODELS_PATH) -> tuple[BrandInfo, ...]:
    """Read the catalogue (cached: it ships with the package)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    brands = []
    for brand in raw["brands"]:
        models = []
        for model in brand["models"]:
            aliases = tuple(str(alias) for alias in model.get("aliases", []))
            weak = tuple(str(alias) for alias in model.get("weak_aliases", []))
            models.append(
                VehicleModelInfo(
                    brand=brand["name"],
                    name=(aliases + weak)[0],
                    aliases=aliases,
                    weak_aliases=weak,
                    energy=model["energy"],
                )
            )
        brands.append(
            BrandInfo(
                name=brand["name"],
                aliases=tuple(str(alias) for alias in brand.get("aliases", [])),
                weak_aliases=tuple(str(alias) for alias in brand.get("weak_aliases", [])),
                models=tuple(models),
            )
        )
    return tuple(brands)


def _alias_pattern(alias: str) -> str:
    """A regex for one alias: spaces optional ("ModelY"), ASCII edges not glued to letters."""
    body = r"\s?".join(re.escape(part) for part in alias.split())
    if _ASCII_ALNUM.match(alias[0]):
        body = r"(?<![A-Za-z0-9])" + body
    if _ASCII_ALNUM.match(alias[-1]):
        body += r"(?![A-Za-z0-9])"
    return body


def _alternation(aliases: list[str]) -> str:
    # Longest first, so "宋PLUS DM-i" wins over "宋PLUS" and "Model Y" over "Model".
    return "|".join(_alias_pattern(alias) for alias in sorted(set(aliases), key=len, reverse=True))


class ModelMatcher:
    """Finds brand + model, standalone model and bare brand mentions."""

    def __init__(self, catalogue: tuple[BrandInfo, ...]) -> None:
        self._brand_patterns: list[tuple[BrandInfo, re.Pattern[str], re.Pattern[str] | None]] = []
        standalone: dict[str, VehicleModelInfo] = {}
        for brand in catalogue:
            brand_regex = re.compile(
                _alternation([*brand.aliases, *brand.weak_aliases]), re.IGNORECASE
            )
            model_aliases = {
                alias: model
                for model in brand.models
                for alias in (*model.aliases, *model.weak_aliases)
            }
            model_regex = (
                re.compile(
                    _BRAND_MODEL_GAP + f"(?:{_alternation(list(model_aliases))})", re.IGNORECASE
                )
                if model_aliases
                else None
            )
            self._brand_patterns.append((brand, brand_regex, model_regex))
            for model in brand.models:
                for alias in model.aliases:
                    if is_distinctive(alias):
                        standalone[alias.casefold()] = model
        self._standalone = standalone
        self._standalone_regex = re.compile(_alternation(list(standalone)), re.IGNORECASE)
        self._brand_aliases = {
            alias.casefold(): brand for brand in catalogue for alias in brand.aliases
        }

    def _model_of(self, brand: BrandInfo, text: str) -> VehicleModelInfo | None:
        folded = re.sub(r"\s", "", text.lstrip(" ·・-")).casefold()
        for model in brand.models:
            for alias in (*model.aliases, *model.weak_aliases):
                if re.sub(r"\s", "", alias).casefold() == folded:
                    return model
        return None

    def find(self, text: str) -> list[ModelMatch]:
        """All mentions in ``text``, longest first where they overlap, sorted by position."""
        candidates: list[ModelMatch] = []
        for brand, brand_regex, model_regex in self._brand_patterns:
            for found in brand_regex.finditer(text):
                follow = model_regex.match(text, found.end()) if model_regex else None
                model = self._model_of(brand, follow.group()) if follow else None
                if model is not None and follow is not None:
                    candidates.append(
                        ModelMatch(found.start(), follow.end(), brand.name, model.name)
                    )
                elif found.group().casefold() in self._brand_aliases:
                    candidates.append(ModelMatch(found.start(), found.end(), brand.name, None))
        for found in self._standalone_regex.finditer(text):
            key = re.sub(r"\s", " ", found.group()).casefold()
            model = self._standalone.get(key) or self._lookup_spaceless(key)
            if model is not None:
                candidates.append(ModelMatch(found.start(), found.end(), model.brand, model.name))
        return _longest_without_overlap(candidates)

    def _lookup_spaceless(self, key: str) -> VehicleModelInfo | None:
        squeezed = key.replace(" ", "")
        for alias, model in self._standalone.items():
            if alias.replace(" ", "") == squeezed:
                return model
        return None


def _longest_without_overlap(candidates: list[ModelMatch]) -> list[ModelMatch]:
    # A standalone "宋PLUS" inside "比亚迪宋PLUS" loses to the longer brand + model mention.
    chosen: list[ModelMatch] = []
    for candidate in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
        if all(candidate.end <= other.start or candidate.start >= other.end for other in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda m: m.start)


@lru_cache
def default_matcher() -> ModelMatcher:
    """The matcher over the packaged catalogue, built once."""
    return ModelMatcher(load_catalogue())
