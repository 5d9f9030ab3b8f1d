"""The review routes over the real server on a real database (SQLite and PostgreSQL), signed
in by API token: QA specialists override, confirm, comment and resolve disputes; an agent
reads, accepts and disputes their own calls only; who acted comes from the sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from qa_assist.auth import UserStore
from qa_assist.settings import Settings

from .conftest import serving
from .test_review import AGENT_ID, OTHER_AGENT_ID, scored_calls

#: The accounts of these tests: username -> role, display name (as the audit trail shows
#: it), agent id.
ACCOUNTS = {
    "qa": ("qa", "王质检", None),
    "agent": ("agent", "张坐席", AGENT_ID),
    "other-agent": ("agent", "钱坐席", OTHER_AGENT_ID),
    "viewer": ("viewer", "看板", None),
}


@dataclass(frozen=True)
class Service:
    url: str
    #: username -> API token
    tokens: dict[str, str]
    #: the test agent's compliant call, and the other agent's unsure one
    good: int
    unsure: int

    def client(self, username: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {self.tokens[username]}"},
            timeout=60,
        )


@pytest.fixture()
def service(database_url: str, tmp_path: Path) -> Iterator[Service]:
    sessions, good, unsure = scored_calls(database_url)
    users = UserStore(sessions)
    tokens = {}
    for username, (role, display_name, agent_id) in ACCOUNTS.items():
        users.create(username, role, None, display_name, agent_id)  # tokens only: no hashing
        tokens[username] = users.issue_token(username, "tests")
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    with serving(settings) as url:
        yield Service(url, tokens, good, unsure)


def _item(review: dict, item_id: str) -> dict:
    return next(item for item in review["score"]["items"] if item["item_id"] == item_id)


def test_a_reviewer_overrides_confirms_and_comments(service: Service) -> None:
    good, unsure = service.good, service.unsure
    with service.client("qa") as qa:
        response = qa.post(
            f"/calls/{good}/items/greeting/override",
            # A name in the body is not who acted: the signed-in user is.
            json={"verdict": "fail", "comment": "没报工号", "reviewer": "冒名顶替"},
        )
        assert response.status_code == 200, response.text
        review = response.json()
        greeting = _item(review, "greeting")
        assert greeting["verdict"] == "fail" and greeting["override"]["auto_verdict"] == "pass"
        assert greeting["override"]["reviewer"] == "王质检"
        (entry,) = review["history"]
        assert (entry["reviewer"], entry["action"], entry["after"]) == (
            "王质检",
            "override",
            {"verdict": "fail", "points": 0.0},
        )
        # aware (UTC) on both dialects
        assert datetime.fromisoformat(entry["at"]).utcoffset() == timedelta(0)
        review = qa.post(
            f"/calls/{good}/comments", json={"text": "报工号要清楚", "item_id": "greeting"}
        ).json()
        assert review["history"][-1]["action"] == "comment" and _item(review, "greeting")[
            "verdict"
        ] == ("fail")
        assert [c["call_id"] for c in qa.get("/review-queue").json()["data"]] == [unsure]
        review = qa.post(f"/calls/{unsure}/confirm", json={"comment": "时长项人工确认"}).json()
        assert {entry["action"] for entry in review["history"]} == {"confirm"}
        assert qa.get("/review-queue").json() == {"data": [], "count": 0}

        for path, body, status, reason in (
            (f"/calls/{good}/items/nope/override", {"verdict": "pass"}, 404, "has no item 'nope'"),
            ("/calls/999/items/greeting/override", {"verdict": "pass"}, 404, "no call with id 999"),
            (f"/calls/{good}/items/greeting/override", {"verdict": "maybe"}, 422, "verdict"),
            (f"/calls/{good}/comments", {"text": ""}, 422, "text"),
            (f"/calls/{good}/comments", {"text": "长" * 4001}, 422, "text"),
        ):
            response = qa.post(path, json=body)
            assert response.status_code == status, (path, response.text)
            assert reason in str(response.json()["detail"])


def test_an_agent_accepts_or_disputes_their_own_calls_and_a_reviewer_resolves(
    service: Service,
) -> None:
    good, unsure = service.good, service.unsure
    with service.client("agent") as agent, service.client("qa") as qa:
        assert agent.get(f"/calls/{good}/review").status_code == 200
        # Another agent's call is as good as missing; a reviewer's call-wide powers are not theirs.
        assert agent.get(f"/calls/{unsure}/review").status_code == 404
        assert agent.post(f"/calls/{unsure}/accept", json={}).status_code == 404
        response = agent.post(f"/calls/{good}/items/eta_given/override", json={"verdict": "pass"})
        assert response.status_code == 403 and "reviews:write" in response.json()["detail"]
        response = qa.post(f"/calls/{good}/items/eta_given/dispute", json={"reason": "x"})
        assert response.status_code == 403 and "not one of your calls" in response.json()["detail"]

        qa.post(f"/calls/{good}/items/eta_given/override", json={"verdict": "fail"})
        response = agent.post(
            f"/calls/{good}/items/eta_given/dispute", json={"reason": "第24秒说了预计40分钟到达"}
        )
        assert response.status_code == 200, response.text
        (raised,) = response.json()["disputes"]
        # What the agent may do next is served with the review: no accepting while it waits.
        options = response.json()["agent_options"]
        assert options["may_accept"] is False and options["disputed"] == ["eta_given"]
        assert "eta_given" not in options["disputable"] and "greeting" in options["disputable"]
        assert (raised["status"], raised["verdict"], raised["raised_by"]) == (
            "open",
            "fail",
            "张坐席",
        )
        again = agent.post(f"/calls/{good}/items/eta_given/dispute", json={"reason": "再次"})
        assert again.status_code == 409 and "disputed already" in again.json()["detail"]
        response = agent.post(f"/calls/{good}/accept", json={})
        assert response.status_code == 409 and "open dispute" in response.json()["detail"]

        # The open dispute is listed for reviewers, and for its agent only among agents.
        assert [d["id"] for d in qa.get("/disputes", params={"status": "open"}).json()["data"]] == [
            raised["id"]
        ]
        with service.client("other-agent") as other:
            assert other.get("/disputes").json() == {"data": [], "count": 0}
            other_asks = other.get("/disputes", params={"agent_id": AGENT_ID}).json()
            assert other_asks["count"] == 0
        assert agent.get("/disputes").json()["count"] == 1
        queue = qa.get("/review-queue").json()["data"]
        assert (queue[0]["call_id"], queue[0]["open_disputes"]) == (good, 1)
        response = agent.post(
            f"/disputes/{raised['id']}/resolve", json={"outcome": "upheld", "comment": "我自己批"}
        )
        assert response.status_code == 403

        response = qa.post(
            f"/disputes/{raised['id']}/resolve",
            json={"outcome": "upheld", "comment": "录音里确有到达时间，申诉成立"},
        )
        assert response.status_code == 200, response.text
        review = response.json()
        assert _item(review, "eta_given")["verdict"] == "pass"
        (resolved,) = review["disputes"]
        assert (resolved["status"], resolved["new_verdict"], resolved["resolved_by"]) == (
            "upheld",
            "pass",
            "王质检",
        )
        response = qa.post(
            f"/disputes/{raised['id']}/resolve", json={"outcome": "rejected", "comment": "改主意"}
        )
        assert response.status_code == 409
        bad = qa.post("/disputes/999/resolve", json={"outcome": "upheld", "comment": "x"})
        assert bad.status_code == 404

        review = agent.post(f"/calls/{good}/accept", json={"comment": "认可"}).json()
        assert (review["accepted"]["reviewer"], review["accepted"]["comment"]) == ("张坐席", "认可")
        assert [entry["action"] for entry in review["history"]] == [
            "override",
            "dispute",
            "dispute_upheld",
            "accept",
        ]
        assert agent.post(f"/calls/{good}/accept", json={}).status_code == 409
        assert review["agent_options"] == {"may_accept": False, "disputable": [], "disputed": []}


def test_who_may_read_reviews(service: Service) -> None:
    with httpx.Client(base_url=service.url + "/api/v1") as anonymous:
        assert anonymous.get(f"/calls/{service.good}/review").status_code == 401
        assert anonymous.get("/disputes").status_code == 401
    with service.client("viewer") as viewer:
        response = viewer.get(f"/calls/{service.good}/review")
        assert response.status_code == 403 and "calls:read" in response.json()["detail"]
    with service.client("agent") as agent:
        assert agent.get("/review-queue").status_code == 403
        response = agent.get("/disputes", params={"status": "closed"})
        assert response.status_code == 422
