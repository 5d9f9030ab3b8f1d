"""The rubrics a site scores with: the shipped ones, and the site's own in a folder (edited by
administrators), which replace shipped rubrics of the same id.

Every version a site installs is kept under ``history/<id>/<version>.yaml``, so a score can
always be traced to the rubric text that produced it; installing different text under a
version already used is refused for the same reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml

from ..atomic import write_atomically
from .rubric import Rubric, RubricError, load_rubric, parse_rubric, shipped_rubrics

RubricSource = Literal["shipped", "site"]

#: A rubric id a site may use: it becomes a file name.
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class RubricVersionClash(RubricError):
    """Different text under a version that is already installed."""


@dataclass(frozen=True)
class RubricInfo:
    id: str
    version: str
    title_zh: str
    title_en: str
    source: RubricSource
    items: int


class RubricLibrary:
    def __init__(self, site_dir: Path | None = None) -> None:
        self.site_dir = site_dir

    def _site_file(self, rubric_id: str) -> Path | None:
        if self.site_dir is None or not _ID.match(rubric_id):
            return None
        path = self.site_dir / f"{rubric_id}.yaml"
        return path if path.is_file() else None

    def _history_file(self, rubric_id: str, version: str) -> Path:
        assert self.site_dir is not None
        safe_version = re.sub(r"[^\w.+-]", "_", version)
        return self.site_dir / "history" / rubric_id / f"{safe_version}.yaml"

    def names(self) -> list[str]:
        site = sorted(p.stem for p in self.site_dir.glob("*.yaml")) if self.site_dir else []
        return sorted(set(shipped_rubrics()) | {name for name in site if _ID.match(name)})

    def source(self, rubric_id: str) -> RubricSource:
        return "site" if self._site_file(rubric_id) else "shipped"

    def _resolver(self, loading: str):  # type: ignore[no-untyped-def]
        # A site's own general may extend the shipped general: a base of the same id as the
        # rubric being loaded is the shipped one, never the rubric itself.
        return lambda name: load_rubric(name) if name == loading else self.load(name)

    def load(self, name_or_path: str) -> Rubric:
        """A rubric by id (the site's, else the shipped one) or a YAML file by path."""
        site = self._site_file(name_or_path)
        if site is not None:
            text, source = self._read(site), f"site rubric {name_or_path}"
        elif name_or_path in shipped_rubrics():
            # Parsed here, not by load_rubric: its base may be the site's (a site's general
            # changes the shipped rescue rubric that extends it).
            text, source = _shipped_text(name_or_path), f"rubric {name_or_path}"
        else:
            path = Path(name_or_path)
            if path.suffix in {".yaml", ".yml"}:
                return parse_rubric(self._read(path), str(path), path.parent, self.load)
            return load_rubric(name_or_path)  # a RubricError naming the known rubrics
        return parse_rubric(text, source, None, self._resolver(name_or_path))

    @staticmethod
    def _read(path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise RubricError(f"{path}: cannot read the rubric ({error.strerror})") from error

    def text(self, rubric_id: str) -> str:
        """The YAML of a rubric by id, as its author wrote it."""
        site = self._site_file(rubric_id)
        if site is not None:
            return self._read(site)
        load_rubric(rubric_id)  # an unknown id is a RubricError naming the known ones
        return _shipped_text(rubric_id)

    def for_scenario(self, scenario: str) -> Rubric:
        """The rubric named after the scenario (the site's or shipped), else general."""
        return self.load(scenario if scenario in self.names() else "general")

    def info(self, rubric_id: str) -> RubricInfo:
        rubric = self.load(rubric_id)
        return RubricInfo(
            rubric.id,
            rubric.version,
            rubric.title.zh,
            rubric.title.en,
            self.source(rubric_id),
            len(rubric.items),
        )

    def install(self, text: str, installed_by: str, expected_id: str | None = None) -> Rubric:
        """Validate a rubric's YAML and make it the site's rubric of its id."""
        if self.site_dir is None:
            raise RubricError("no folder for site rubrics is configured")
        draft = parse_rubric(text, "the rubric", None, load_rubric)
        if expected_id is not None and draft.id != expected_id:
            raise RubricError(f"the YAML's id is {draft.id!r}, not {expected_id!r}")
        if not _ID.match(draft.id):
            raise RubricError(
                f"rubric id {draft.id!r}: use 1-64 lower-case letters, digits, '-' or '_'"
            )
        rubric = parse_rubric(text, f"rubric {draft.id}", None, self._resolver(draft.id))
        own_version = str(_own_version(text))
        kept = self._history_file(draft.id, own_version)
        if kept.exists() and _body(kept.read_text(encoding="utf-8")) != text:
            raise RubricVersionClash(
                f"rubric {draft.id!r} version {own_version!r} was installed before with other "
                "content: give the change a new version"
            )
        if (
            draft.id in shipped_rubrics()
            and text != _shipped_text(draft.id)
            and str(_own_version(_shipped_text(draft.id))) == own_version
        ):
            raise RubricVersionClash(
                f"rubric {draft.id!r} version {own_version!r} is the shipped one's: give the "
                "change a new version"
            )
        kept.parent.mkdir(parents=True, exist_ok=True)
        stamp = (
            f"# installed by {installed_by} at {datetime.now(UTC).isoformat(timespec='seconds')}\n"
        )
        write_atomically(kept, lambda path: path.write_text(stamp + text, encoding="utf-8"))
        target = self.site_dir / f"{draft.id}.yaml"
        write_atomically(target, lambda path: path.write_text(text, encoding="utf-8"))
        return rubric

    def remove(self, rubric_id: str) -> None:
        """Drop the site's rubric of this id (its history stays); a shipped one shows again."""
        site = self._site_file(rubric_id)
        if site is None:
            raise RubricError(f"no site rubric {rubric_id!r}")
        site.unlink()


def _shipped_text(rubric_id: str) -> str:
    folder = resources.files("qa_assist.score") / "rubrics"
    return (folder / f"{rubric_id}.yaml").read_text(encoding="utf-8")


def _own_version(text: str) -> object:
    data = yaml.safe_load(text)
    return data.get("version") if isinstance(data, dict) else None


def _body(kept: str) -> str:
    """A history file's rubric text without the line saying who installed it."""
    return kept.split("\n", 1)[1] if kept.startswith("# installed by ") else kept
