"""``qa-assist users ...``: accounts, roles and API tokens, for the operator setting up a site."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import fail, settings_with

if TYPE_CHECKING:
    from ..auth import UserStore

app = typer.Typer(help="Accounts, roles and API tokens.", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option(help="Database and audio folder.")]
Username = Annotated[str, typer.Argument(help="The account's name.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from standard input instead of a prompt."
    ),
]


def _users(data_dir: Path | None) -> UserStore:
    from ..auth import UserStore
    from ..storage import open_database

    return UserStore(open_database(settings_with(data_dir=data_dir).resolved_database_url))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _account_errors():  # type: ignore[no-untyped-def]
    from ..auth import UserError, WeakPassword

    return (UserError, WeakPassword)


@app.command()
def add(
    username: Username,
    role: Annotated[str, typer.Option(help="admin, qa, agent or viewer.")],
    agent_id: Annotated[
        str | None, typer.Option(help="For agents: the agent id their calls carry.")
    ] = None,
    display_name: Annotated[str, typer.Option(help="The name shown in audit trails.")] = "",
    no_password: Annotated[
        bool, typer.Option("--no-password", help="A machine account: API tokens only.")
    ] = False,
    password_stdin: PasswordStdin = False,
    data_dir: DataDir = None,
) -> None:
    """Create an account."""
    users = _users(data_dir)
    password = None if no_password else _password(password_stdin)
    try:
        user = users.create(username, role, password, display_name, agent_id)
    except _account_errors() as error:
        raise fail(str(error)) from None
    typer.echo(f"created {user.username} ({user.role})")


@app.command("list")
def list_users(data_dir: DataDir = None) -> None:
    """The accounts with their roles."""
    for user in _users(data_dir).list():
        state = "" if user.active else "  (deactivated)"
        agent = f"  agent {user.agent_id}" if user.agent_id else ""
        typer.echo(f"{user.username}\t{user.role}{agent}{state}")


@app.command()
def password(
    username: Username, password_stdin: PasswordStdin = False, data_dir: DataDir = None
) -> None:
    """Set an account's password."""
    try:
        _users(data_dir).set_password(username, _password(password_stdin))
    except _account_errors() as error:
        raise fail(str(error)) from None
    typer.echo(f"password of {username} changed")


@app.command()
def deactivate(username: Username, data_dir: DataDir = None) -> None:
    """Lock an account out: its sessions end and its tokens stop working at once."""
    try:
        _users(data_dir).set_active(username, False)
    except _account_errors() as error:
        raise fail(str(error)) from None
    typer.echo(f"{username} deactivated")


@app.command()
def token(
    username: Username,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Issue an API token (printed once; send it as 'Authorization: Bearer <token>')."""
    try:
        secret = _users(data_dir).issue_token(username, name)
    except _account_errors() as error:
        raise fail(str(error)) from None
    typer.echo(secret)
