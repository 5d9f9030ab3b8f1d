"""The demo centre's people (``roster.yaml``): which agent and day each demo call belongs to,
and the accounts a visitor signs in with (random passwords, kept in the data folder)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ..auth import UserStore
from ..storage import CallMetadata


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str


@lru_cache(maxsize=1)
def _roster() -> dict:
    text = (resources.files("qa_assist.demo") / "roster.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def call_metadata(index: int, now: datetime | None = None) -> CallMetadata:
    """Who took the ``index``-th demo call and when: agents in turn, days going back."""
    roster = _roster()
    agent = roster["agents"][index % len(roster["agents"])]
    today = (now or datetime.now(UTC)).replace(hour=1, minute=0, second=0, microsecond=0)
    when = today - timedelta(days=index % roster["days"], minutes=-37 * index)
    return CallMetadata(
        agent_id=agent["id"], team=agent["team"], call_time=when, direction="inbound"
    )


def ensure_accounts(users: UserStore, credentials_file: Path) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; every demo account with its password
    (from ``credentials_file``, which is written readable by its owner only)."""
    known: dict[str, DemoAccount] = {}
    if credentials_file.exists():
        for line in credentials_file.read_text(encoding="utf-8").splitlines():
            username, role, password = line.split("\t")
            known[username] = DemoAccount(username, role, password)
    for entry in _roster()["accounts"]:
        if users.get(entry["username"]) is not None:
            continue
        account = DemoAccount(entry["username"], entry["role"], secrets.token_urlsafe(9))
        users.create(
            account.username,
            account.role,
            account.password,
            entry.get("display_name", ""),
            entry.get("agent_id"),
        )
        known[account.username] = account
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    credentials_file.touch(mode=0o600)
    credentials_file.write_text(
        "".join(f"{a.username}\t{a.role}\t{a.password}\n" for a in known.values()),
        encoding="utf-8",
    )
    return list(known.values())
