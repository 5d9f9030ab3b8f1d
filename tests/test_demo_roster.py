"""The demo centre: calls spread over agents, teams and days; demo accounts that sign in."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

from qa_assist.auth import UserStore
from qa_assist.demo.roster import call_metadata, ensure_accounts
from qa_assist.storage import open_database


def test_demo_calls_are_spread_over_agents_teams_and_days() -> None:
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    metadata = [call_metadata(index, now) for index in range(11)]
    assert len({m.agent_id for m in metadata}) == 4 and len({m.team for m in metadata}) == 2
    assert len({m.call_time.date() for m in metadata}) >= 5
    assert all(m.call_time <= now for m in metadata)


def test_demo_accounts_are_made_once_and_sign_in(tmp_path: Path) -> None:
    users = UserStore(open_database(f"sqlite:///{tmp_path / 'demo.db'}"))
    credentials = tmp_path / "demo-accounts.tsv"
    first = ensure_accounts(users, credentials)
    assert {a.role for a in first} == {"admin", "qa", "agent", "viewer"}
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    again = ensure_accounts(users, credentials)
    assert again == first  # a second demo run keeps the passwords it printed
    for account in first:
        signed_in = users.authenticate(account.username, account.password)
        assert signed_in is not None and signed_in.role == account.role
    assert users.get("agent").agent_id == call_metadata(0).agent_id
