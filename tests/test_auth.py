"""Access: accounts, passwords, tokens and sessions on a real SQLite database; every route of
the real server refuses the anonymous and the roles that lack its permission; masking."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from qa_assist.auth import LoginThrottle, UserError, UserStore, WeakPassword, mask_text
from qa_assist.settings import Settings
from qa_assist.storage import open_database

from .conftest import TEST_PASSWORD, bearer, serving


@pytest.fixture()
def users(tmp_path: Path) -> UserStore:
    return UserStore(open_database(f"sqlite:///{tmp_path / 'users.db'}"))


def test_passwords_are_checked_and_never_stored(users: UserStore) -> None:
    created = users.create("wang", "qa", "质检员的密码123", display_name="王质检")
    assert created.role == "qa" and created.can("reviews:write") and not created.can("users:admin")
    assert users.authenticate("wang", "质检员的密码123") == created
    assert users.authenticate("wang", "wrong password") is None
    assert users.authenticate("nobody", "质检员的密码123") is None
    with users.sessions() as session:
        stored = session.execute(
            __import__("sqlalchemy").text("SELECT password_hash FROM users")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and "质检员的密码123" not in stored


def test_bad_accounts_are_refused_with_the_reason(users: UserStore) -> None:
    users.create("li", "viewer", "long enough")
    with pytest.raises(UserError, match="exists already"):
        users.create("li", "viewer", "long enough")
    with pytest.raises(UserError, match="unknown role 'boss'"):
        users.create("zhao", "boss", "long enough")
    with pytest.raises(UserError, match="agent id"):
        users.create("zhao", "agent", "long enough")
    with pytest.raises(WeakPassword, match="at least 8"):
        users.create("zhao", "qa", "short")
    assert [user.username for user in users.list()] == ["li"]


def test_tokens_and_sessions_end_when_revoked_deactivated_or_expired(users: UserStore) -> None:
    user = users.create("robot", "qa")  # no password: a machine account
    assert users.authenticate("robot", "") is None
    token = users.issue_token("robot", "nightly batch")
    assert token.startswith("qaa_") and users.user_for_token(token) == user
    assert users.user_for_token(token + "x") is None
    (listed,) = users.tokens("robot")
    assert listed.name == "nightly batch" and listed.last_used_at is not None
    users.revoke_token("robot", listed.id)
    assert users.user_for_token(token) is None

    person = users.create("chen", "agent", "long enough", agent_id="A1024")
    cookie = users.open_session(person, timedelta(hours=1))
    second_token = users.issue_token("chen")
    assert users.user_for_session(cookie) == person
    expired = users.open_session(person, timedelta(seconds=-1))
    assert users.user_for_session(expired) is None
    users.set_active("chen", False)
    assert users.user_for_session(cookie) is None
    assert users.user_for_token(second_token) is None
    assert users.authenticate("chen", "long enough") is None


def test_agents_read_only_their_own_calls(users: UserStore) -> None:
    agent = users.create("zhou", "agent", "long enough", agent_id="A1024")
    qa = users.create("wu", "qa", "long enough")
    viewer = users.create("sun", "viewer", "long enough")
    assert agent.may_read_call("A1024") and not agent.may_read_call("A2048")
    assert not agent.may_read_call(None)
    assert qa.may_read_call("A2048") and qa.may_read_call(None)
    assert not viewer.may_read_call("A1024")
    assert not agent.sees_pii and qa.sees_pii


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("我的电话是13812345678", "我的电话是138****5678"),
        ("车架号LSVAU2180N2183294对吧", "车架号LSV**********3294对吧"),
        ("身份证110105199003071234", "身份证110*************34"),
        ("幺三八幺二三四五六七八", "*********七八"),
        ("车牌粤B12345", "车牌粤B****5"),
        # Not personal: dates, short numbers, ETAs.
        ("2026-11-20 来店，预计40分钟到达", "2026-11-20 来店，预计40分钟到达"),
    ],
)
def test_personal_data_is_masked(said: str, shown: str) -> None:
    assert mask_text(said) == shown


def _routes(server: str) -> list[tuple[str, str]]:
    spec = httpx.get(f"{server}/openapi.json").json()
    return [
        (method.upper(), path.replace("{", "").replace("}", "").replace("call_id", "1"))
        for path, operations in spec["paths"].items()
        for method in operations
    ]


#: Routes anyone may call: signing in and out, and what load balancers and Prometheus poll.
OPEN = {"/api/v1/auth/login", "/api/v1/auth/logout", "/health", "/ready", "/metrics"}


def test_every_route_refuses_the_anonymous(server: str, accounts) -> None:
    guarded = [(method, path) for method, path in _routes(server) if path not in OPEN]
    assert len(guarded) >= 10
    for method, path in guarded:
        response = httpx.request(method, f"{server}{path}", json={}, timeout=60)
        assert response.status_code == 401, (method, path, response.status_code)
        assert "sign in" in response.json()["detail"] or "signed in" in response.json()["detail"]
    for method, path in guarded:
        response = httpx.request(
            method, f"{server}{path}", json={}, headers=bearer("qaa_forged"), timeout=60
        )
        assert response.status_code == 401, (method, path)


def test_roles_get_403_naming_the_permission(server: str, accounts) -> None:
    viewer = bearer(accounts["viewer"])
    refused = httpx.post(f"{server}/api/v1/tickets/classify", json={"text": "x"}, headers=viewer)
    assert refused.status_code == 403 and "assist:use" in refused.json()["detail"]
    agent = bearer(accounts["agent"])
    document = {"id": "x", "collection": "answer", "title": "t", "text": "x"}
    refused = httpx.post(f"{server}/api/v1/kb/documents", json=document, headers=agent)
    assert refused.status_code == 403 and "kb:write" in refused.json()["detail"]
    for role in ("qa", "agent", "viewer"):
        listing = httpx.get(f"{server}/api/v1/users", headers=bearer(accounts[role]))
        assert listing.status_code == 403, role


def test_an_administrator_manages_accounts_over_http(api: httpx.Client, server: str) -> None:
    new = {"username": "api-made-qa", "role": "qa", "password": "long enough", "display_name": "林"}
    created = api.post("/api/v1/users", json=new)
    assert created.status_code == 201 and created.json()["role"] == "qa"
    again = api.post("/api/v1/users", json=new)
    assert again.status_code == 422 and "exists already" in again.json()["detail"]
    weak = api.post("/api/v1/users", json={**new, "username": "weak", "password": "short"})
    assert weak.status_code == 422 and "at least 8" in weak.json()["detail"]
    bad_role = api.post("/api/v1/users", json={**new, "username": "boss", "role": "boss"})
    assert bad_role.status_code == 422

    token = api.post("/api/v1/users/api-made-qa/tokens", json={"name": "laptop"}).json()["token"]
    me = httpx.get(f"{server}/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["username"] == "api-made-qa"
    token_id = api.get("/api/v1/users/api-made-qa/tokens").json()[0]["id"]
    assert api.delete(f"/api/v1/users/api-made-qa/tokens/{token_id}").status_code == 204
    assert httpx.get(f"{server}/api/v1/auth/me", headers=bearer(token)).status_code == 401
    assert api.patch("/api/v1/users/test-admin", json={"active": False}).status_code == 422
    assert api.post("/api/v1/users/nobody/tokens", json={}).status_code == 404


def test_a_browser_signs_in_and_out(server: str, accounts) -> None:
    with httpx.Client(base_url=server) as browser:
        anonymous = browser.get("/calls/1?lang=en")
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login?next=%2Fcalls%2F1%3Flang%3Den"
        form = browser.get("/login")
        assert form.status_code == 200 and "登录" in form.text
        wrong = browser.post(
            "/login", data={"username": "test-qa", "password": "nope", "next": "/"}
        )
        assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
        signed = browser.post(
            "/login", data={"username": "test-qa", "password": TEST_PASSWORD, "next": "/?lang=en"}
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/?lang=en"
        assert browser.get("/api/v1/auth/me").json()["username"] == "test-qa"
        assert browser.get("/").status_code == 200
        browser.post("/logout")
        assert browser.get("/api/v1/auth/me").status_code == 401
        # An address of another site is never where signing in leads.
        elsewhere = browser.post(
            "/login",
            data={"username": "test-qa", "password": TEST_PASSWORD, "next": "//evil.example/"},
        )
        assert elsewhere.headers["location"] == "/"


def test_the_cli_creates_accounts_and_tokens(tmp_path: Path) -> None:
    env = {"QA_ASSIST_DATA_DIR": str(tmp_path), "PATH": __import__("os").environ["PATH"]}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["qa-assist", "users", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    add_zhang = ("add", "zhang", "--role", "agent", "--agent-id", "A7", "--password-stdin")
    made = run(*add_zhang, stdin="坐席的登录密码ok\n")
    assert made.returncode == 0, made.stderr
    again = run(*add_zhang, stdin="坐席的登录密码ok\n")
    assert again.returncode == 2
    assert again.stderr.strip() == "error: user 'zhang' exists already"
    weak = run("add", "li", "--role", "qa", "--password-stdin", stdin="abc\n")
    assert weak.returncode == 2 and "at least 8" in weak.stderr
    token = run("token", "zhang", "--name", "softphone").stdout.strip()
    users = UserStore(open_database(f"sqlite:///{(tmp_path / 'qa_assist.db').resolve()}"))
    assert users.user_for_token(token).agent_id == "A7"
    assert "zhang\tagent  agent A7" in run("list").stdout
    assert run("deactivate", "zhang").returncode == 0
    assert users.user_for_token(token) is None


def test_failed_sign_ins_of_an_account_from_an_address_make_it_wait() -> None:
    now = [1000.0]
    throttle = LoginThrottle(3, 300, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_seconds("Zhang", "10.0.0.7") == 0
        throttle.failed("zhang ", "10.0.0.7")
    assert throttle.wait_seconds("zhang", "10.0.0.7") == 300
    # The floor behind the same address, and the account from elsewhere, are not locked out.
    assert throttle.wait_seconds("li", "10.0.0.7") == 0
    assert throttle.wait_seconds("zhang", "10.0.0.8") == 0
    now[0] += 120
    assert throttle.wait_seconds("zhang", "10.0.0.7") == 180
    now[0] += 180
    assert throttle.wait_seconds("zhang", "10.0.0.7") == 0
    throttle.failed("zhang", "10.0.0.7")
    throttle.succeeded("zhang", "10.0.0.7")
    throttle.failed("zhang", "10.0.0.7")
    assert throttle.wait_seconds("zhang", "10.0.0.7") == 0  # a success starts the count anew


def test_the_service_refuses_a_guesser_even_the_right_password(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, login_max_failures=2, login_lockout_seconds=600)
    users = UserStore(open_database(settings.resolved_database_url))
    users.create("wang", "qa", TEST_PASSWORD)
    users.create("zhao", "qa", TEST_PASSWORD)
    with serving(settings) as server, httpx.Client(base_url=server) as client:
        for _ in range(2):
            wrong = {"username": "wang", "password": "guess"}
            assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
        right = {"username": "wang", "password": TEST_PASSWORD}
        refused = client.post("/api/v1/auth/login", json=right)
        assert refused.status_code == 429 and "try again in" in refused.json()["detail"]
        assert 590 <= int(refused.headers["retry-after"]) <= 600
        page = client.post("/login", data={**right, "next": "/"})
        assert page.status_code == 429 and "登录失败次数过多" in page.text
        assert client.post("/api/v1/auth/login", json={**right, "username": "zhao"}).is_success
