"""The role table (``roles.yaml``): which permissions each role holds."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

import yaml

RoleName = Literal["admin", "qa", "agent", "viewer"]
ROLE_NAMES: tuple[RoleName, ...] = ("admin", "qa", "agent", "viewer")


@dataclass(frozen=True)
class Role:
    name: RoleName
    title_zh: str
    title_en: str
    #: transcripts are shown unmasked
    sees_pii: bool
    permissions: frozenset[str]


@lru_cache(maxsize=1)
def _table() -> dict:
    text = (resources.files("qa_assist.auth") / "roles.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def permissions() -> frozenset[str]:
    """Every permission a route may ask for."""
    return frozenset(_table()["permissions"])


@cache
def role(name: str) -> Role:
    """The role called ``name``; a ``KeyError`` naming it when there is none."""
    entry = _table()["roles"].get(name)
    if entry is None:
        raise KeyError(f"unknown role {name!r} (roles: {', '.join(ROLE_NAMES)})")
    unknown = set(entry["permissions"]) - permissions()
    if unknown:
        raise ValueError(f"role {name!r} lists unknown permissions {sorted(unknown)}")
    return Role(
        name=name,  # type: ignore[arg-type]
        title_zh=entry["title"]["zh"],
        title_en=entry["title"]["en"],
        sees_pii=bool(entry["sees_pii"]),
        permissions=frozenset(entry["permissions"]),
    )
