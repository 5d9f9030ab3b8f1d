"""Accounts, API tokens and browser sessions, stored in the service's database.

Secrets (API tokens, session cookies) are random, shown once, and stored only as SHA-256:
a copy of the database lets nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..storage.tables import ApiTokenRow, UserRow, WebSessionRow
from .passwords import hash_password, needs_rehash, verify_password
from .roles import Role, role

#: Prefix of API tokens, so that a leaked one is recognisable in logs and scanners.
TOKEN_PREFIX = "qaa_"


class UserError(ValueError):
    """A request about accounts that cannot be done, with the reason."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    #: for agents: the agent id their calls carry
    agent_id: str | None
    active: bool

    @property
    def role_info(self) -> Role:
        return role(self.role)

    def can(self, permission: str) -> bool:
        return permission in self.role_info.permissions

    @property
    def sees_pii(self) -> bool:
        return self.role_info.sees_pii

    @property
    def name(self) -> str:
        """How the person appears in audit trails."""
        return self.display_name or self.username

    def may_read_call(self, call_agent_id: str | None) -> bool:
        """Agents read only their own calls; other roles with ``calls:read`` read all."""
        if not self.can("calls:read"):
            return False
        return self.role != "agent" or (
            self.agent_id is not None and call_agent_id == self.agent_id
        )


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _user(row: UserRow) -> User:
    return User(row.id, row.username, row.display_name, row.role, row.agent_id, row.active)


class UserStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    # --- accounts
    def create(
        self,
        username: str,
        role_name: str,
        password: str | None = None,
        display_name: str = "",
        agent_id: str | None = None,
    ) -> User:
        """A new account; ``password`` None makes one that only holds API tokens."""
        username = username.strip()
        if not username:
            raise UserError("a username is needed")
        try:
            role(role_name)
        except KeyError as error:
            raise UserError(str(error.args[0])) from None
        if role_name == "agent" and not agent_id:
            raise UserError("an agent account needs the agent id its calls carry (--agent-id)")
        row = UserRow(
            username=username,
            role=role_name,
            display_name=display_name,
            agent_id=agent_id,
            password_hash=hash_password(password) if password else "",
            active=True,
        )
        try:
            with self.sessions.begin() as session:
                session.add(row)
                session.flush()
                return _user(row)
        except IntegrityError:
            raise UserError(f"user {username!r} exists already") from None

    def _row(self, session: Session, username: str) -> UserRow:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise UserError(f"no user {username!r}")
        return row

    def get(self, username: str) -> User | None:
        with self.sessions() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            return _user(row) if row else None

    def list(self) -> list[User]:
        with self.sessions() as session:
            return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.id))]

    def count(self) -> int:
        with self.sessions() as session:
            return session.query(UserRow).count()

    def set_password(self, username: str, password: str) -> None:
        with self.sessions.begin() as session:
            self._row(session, username).password_hash = hash_password(password)

    def set_active(self, username: str, active: bool) -> None:
        """Deactivating ends the user's sessions and stops their tokens at once."""
        with self.sessions.begin() as session:
            row = self._row(session, username)
            row.active = active
            if not active:
                session.query(WebSessionRow).filter(WebSessionRow.user_id == row.id).delete()

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user with this password, else None (same answer for a wrong name)."""
        with self.sessions.begin() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
            if row is None or not row.active or not verify_password(row.password_hash, password):
                return None
            if needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            return _user(row)

    # --- API tokens
    def issue_token(self, username: str, name: str = "") -> str:
        """A new bearer token for the user, returned once."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.sessions.begin() as session:
            row = self._row(session, username)
            session.add(ApiTokenRow(user_id=row.id, name=name, token_hash=_digest(secret)))
        return secret

    def tokens(self, username: str) -> list[ApiToken]:
        with self.sessions() as session:
            user = self._row(session, username)
            rows = session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.user_id == user.id).order_by(ApiTokenRow.id)
            )
            return [
                ApiToken(r.id, r.name, r.created_at, r.last_used_at, r.revoked_at is not None)
                for r in rows
            ]

    def revoke_token(self, username: str, token_id: int) -> None:
        with self.sessions.begin() as session:
            user = self._row(session, username)
            row = session.get(ApiTokenRow, token_id)
            if row is None or row.user_id != user.id:
                raise UserError(f"user {username!r} has no token {token_id}")
            row.revoked_at = row.revoked_at or datetime.now(UTC)

    def user_for_token(self, secret: str) -> User | None:
        with self.sessions.begin() as session:
            found = session.execute(
                select(ApiTokenRow, UserRow)
                .join(UserRow, UserRow.id == ApiTokenRow.user_id)
                .where(ApiTokenRow.token_hash == _digest(secret), ApiTokenRow.revoked_at.is_(None))
            ).first()
            if found is None or not found.UserRow.active:
                return None
            found.ApiTokenRow.last_used_at = datetime.now(UTC)
            return _user(found.UserRow)

    # --- browser sessions
    def open_session(self, user: User, lifetime: timedelta) -> str:
        """A new session for a signed-in browser; the cookie value, returned once."""
        secret = secrets.token_urlsafe(32)
        with self.sessions.begin() as session:
            session.add(
                WebSessionRow(
                    user_id=user.id,
                    token_hash=_digest(secret),
                    expires_at=datetime.now(UTC) + lifetime,
                )
            )
        return secret

    def user_for_session(self, secret: str) -> User | None:
        with self.sessions() as session:
            found = session.execute(
                select(WebSessionRow, UserRow)
                .join(UserRow, UserRow.id == WebSessionRow.user_id)
                .where(WebSessionRow.token_hash == _digest(secret))
            ).first()
            if found is None or not found.UserRow.active:
                return None
            if found.WebSessionRow.expires_at <= datetime.now(UTC):
                return None
            return _user(found.UserRow)

    def close_session(self, secret: str) -> None:
        with self.sessions.begin() as session:
            session.query(WebSessionRow).filter(
                WebSessionRow.token_hash == _digest(secret)
            ).delete()
