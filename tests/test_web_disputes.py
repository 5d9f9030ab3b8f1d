"""The dispute workflow on the call page and the review queue, over the real uvicorn server:
the forms the page renders are submitted as call.js submits them (their named fields as JSON
to their ``data-api`` route), so the test proves the page's wiring, not just the API. An agent
disputes items of their own call and accepts it once answered; a QA specialist finds the
disputes first in the queue, sees who raised them, when and why on the call page, and
resolves them there; every step is in the audit trail under its label. Roles that may not
act get no buttons, and the API refuses them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

import httpx
import pytest

from qa_assist.auth import UserStore
from qa_assist.settings import Settings

from .conftest import client_as
from .test_web_pages import RUDE, World

#: The agent of the disputed call: an account of its own, so the other page tests' agent
#: (``test-agent``) is "another agent" here and its call list stays as they expect.
AGENT = ("dispute-agent", "孙坐席", "A-DISPUTE-01")
#: Outside the period the dashboard and report tests count.
CALL_TIME = datetime(2026, 10, 1, 10, tzinfo=UTC)
FATAL_ITEM, UNSURE_ITEM = "forbidden_phrases", "closing"


@dataclass
class Form:
    classes: set[str]
    api: str
    #: field name -> value; the optional ones (left out when empty), the required ones, and
    #: those only sent when upholding
    values: dict[str, str] = field(default_factory=dict)
    optional: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    upheld_only: set[str] = field(default_factory=set)
    #: the item of the table row holding it; None outside the items
    item: str | None = None


class _Forms(HTMLParser):
    """The review forms of a page (``form.api-form``), each with the item of its row."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._first_option = False
        self._item: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and "data-item" in a:
            self._item = a["data-item"]
        classes = set((a.get("class") or "").split())
        if tag == "form" and "api-form" in classes:
            self._form = Form(classes, a["data-api"] or "", item=self._item)
            self.forms.append(self._form)
        if self._form is None or tag not in ("input", "select", "option"):
            return
        if tag == "option":
            # A select's value: its selected option, else its first.
            if self._select and (self._first_option or "selected" in a):
                self._form.values[self._select] = a.get("value") or ""
                self._first_option = False
            return
        name = a.get("name")
        if not name:
            return
        if tag == "select":
            self._select, self._first_option = name, True
        else:
            self._form.values[name] = a.get("value") or ""
        for flag, names in (
            ("data-optional", self._form.optional),
            ("required", self._form.required),
            ("data-upheld-only", self._form.upheld_only),
        ):
            if flag in a:
                names.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "table":
            self._item = None


def forms(page: str, kind: str) -> list[Form]:
    parser = _Forms()
    parser.feed(page)
    return [form for form in parser.forms if kind in form.classes]


def submit(client: httpx.Client, form: Form, **values: str) -> httpx.Response:
    """What call.js posts for the form filled with ``values``."""
    body = {**form.values, **values}
    if body.get("outcome", "upheld") != "upheld":
        body = {k: v for k, v in body.items() if k not in form.upheld_only}
    body = {k: v for k, v in body.items() if v or k not in form.optional}
    return client.post(form.api, json=body)


def trail(page: str) -> list[tuple[str, str, str, str]]:
    """The audit trail shown: (action, its label, item column, comment), newest first."""
    table = page[page.index('data-testid="audit-trail"') :]
    return re.findall(
        r'class="audit-row" data-action="(\w+)"><td>[^<]*</td><td>[^<]*</td>'
        r'<td class="audit-action">([^<]*)</td><td>([^<]*)</td>.*?'
        r'<td class="audit-comment">([^<]*)</td>',
        table,
        re.DOTALL,
    )


@pytest.fixture(scope="module")
def world(settings: Settings) -> World:
    world = World(settings)
    users = UserStore(world.sessions)
    username, display_name, agent_id = AGENT
    if users.get(username) is None:
        users.create(username, "agent", None, display_name, agent_id)  # tokens only
    world.add("disputed", agent_id, "救援三组", CALL_TIME, "rescue", RUDE)
    return world


@pytest.fixture(scope="module")
def call_id(world: World) -> int:
    return world.ids["disputed"]


@pytest.fixture(scope="module")
def agent(server: str, world: World) -> Iterator[httpx.Client]:
    with client_as(server, UserStore(world.sessions).issue_token(AGENT[0], "tests")) as client:
        yield client


@pytest.fixture(scope="module")
def qa(server: str, accounts: dict[str, str], call_id: int) -> Iterator[httpx.Client]:
    with client_as(server, accounts["qa"]) as client:
        yield client


def _page(client: httpx.Client, call_id: int, lang: str = "zh") -> str:
    page = client.get(f"/calls/{call_id}", params={"lang": lang})
    assert page.status_code == 200, page.text
    return page.text


def _form(page: str, kind: str, item: str | None = None) -> Form:
    (found,) = [f for f in forms(page, kind) if item is None or f.item == item]
    return found


def _queue(qa: httpx.Client) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The open disputes (dispute id, call id, item) and the queued call ids, as listed."""
    page = qa.get("/review").text
    disputes = re.findall(
        r'class="dispute-row" data-dispute-id="(\d+)" data-call-id="(\d+)" data-item="(\w+)"', page
    )
    calls = re.findall(r'class="queue-row" data-call-id="(\d+)"', page)
    if disputes and calls:
        assert page.index('data-testid="open-disputes"') < page.index('data-testid="review-queue"')
    return disputes, calls


def test_an_agent_disputes_on_the_page_and_a_reviewer_resolves_there(
    agent: httpx.Client, qa: httpx.Client, call_id: int
) -> None:
    mine = _page(agent, call_id)
    # The call's agent: dispute and comment on every item, accept the call; no reviewer's tools.
    assert {f.item for f in forms(mine, "dispute-form")} >= {FATAL_ITEM, UNSURE_ITEM}
    assert forms(mine, "accept-form") and not forms(mine, "item-review")
    assert not forms(mine, "resolve-form")
    dispute = _form(mine, "dispute-form", FATAL_ITEM)
    assert dispute.api == f"/api/v1/calls/{call_id}/items/{FATAL_ITEM}/dispute"
    assert dispute.required == {"reason"}
    for item, reason in (
        (FATAL_ITEM, "我说的是系统不归我们管，不是对客户"),
        (UNSURE_ITEM, "结束语说了"),
    ):
        answer = submit(agent, _form(mine, "dispute-form", item), reason=reason)
        assert answer.status_code == 200, answer.text

    mine = _page(agent, call_id)
    assert not {f.item for f in forms(mine, "dispute-form")} & {FATAL_ITEM, UNSURE_ITEM}
    assert not forms(mine, "accept-form") and "申诉处理完毕后可认可结果" in mine

    # The queue lists the disputes first, each linked to its item on the call page.
    disputes, calls = _queue(qa)
    ours = [(d, item) for d, call, item in disputes if call == str(call_id)]
    assert [item for _, item in ours] == [FATAL_ITEM, UNSURE_ITEM]
    assert str(call_id) not in calls
    page = qa.get("/review").text
    assert f'href="/calls/{call_id}#item-{FATAL_ITEM}"' in page and "服务禁语" in page
    exported = qa.get("/review.csv", params={"table": "disputes"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][0] == "#" and [f"#{call_id}", "服务禁语"] in [[r[0], r[3]] for r in rows[1:]]

    # On the call page the reviewer sees who disputed, when and why, next to the item.
    page = _page(qa, call_id)
    item_row = page[page.index(f'class="item-actions" data-item="{FATAL_ITEM}"') :]
    item_row = item_row[: item_row.index("</tr>")]
    assert 'data-status="open"' in item_row and "孙坐席" in item_row
    assert "我说的是系统不归我们管，不是对客户" in item_row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", item_row)
    assert not forms(page, "dispute-form") and not forms(page, "accept-form")
    upheld = _form(page, "resolve-form", FATAL_ITEM)
    assert upheld.api == f"/api/v1/disputes/{ours[0][0]}/resolve"
    assert "comment" in upheld.required and upheld.values["outcome"] == "upheld"
    answer = submit(qa, upheld, comment="复听确认是对系统说的，申诉成立")
    assert answer.status_code == 200, answer.text
    rejected = _form(_page(qa, call_id), "resolve-form", UNSURE_ITEM)
    answer = submit(qa, rejected, outcome="rejected", comment="没有说结束语，维持原判")
    assert answer.status_code == 200, answer.text

    page = _page(qa, call_id)
    shown = trail(page)
    assert [(action, label, item) for action, label, item, _ in shown] == [
        ("dispute_rejected", "申诉驳回", UNSURE_ITEM),
        ("dispute_upheld", "申诉成立", FATAL_ITEM),
        ("dispute", "坐席申诉", UNSURE_ITEM),
        ("dispute", "坐席申诉", FATAL_ITEM),
    ]
    assert shown[1][3] == "复听确认是对系统说的，申诉成立"
    verdict = page[page.index(f'id="item-{FATAL_ITEM}"') :]
    assert 'class="verdict-pass"' in verdict[: verdict.index("</tr>")]
    assert not forms(page, "resolve-form")
    english = [label for _, label, _, _ in trail(_page(qa, call_id, "en"))]
    disputed = "Disputed by the agent"
    assert english == ["Dispute rejected", "Dispute upheld", disputed, disputed]

    # The agent reads the answers, accepts the result and comments, all from the page.
    mine = _page(agent, call_id, "zh")
    assert "没有说结束语，维持原判" in mine and 'data-status="rejected"' in mine
    answer = submit(agent, _form(mine, "accept-form"), comment="认可")
    assert answer.status_code == 200, answer.text
    mine = _page(agent, call_id)
    assert not forms(mine, "accept-form") and "坐席已认可 孙坐席" in mine
    # Accepted as it stands: nothing is left to dispute.
    assert not forms(mine, "dispute-form")
    on_item = _form(mine, "comment-form", UNSURE_ITEM)
    assert submit(agent, on_item, text="下次注意结束语").status_code == 200
    on_call = [f for f in forms(mine, "comment-form") if "item_id" not in f.values]
    assert len(on_call) == 1
    assert submit(qa, on_call[0], text="整通通话已复核完毕").status_code == 200

    newest = trail(_page(qa, call_id))[:3]
    assert newest == [
        ("comment", "备注", "整通通话", "整通通话已复核完毕"),
        ("comment", "备注", UNSURE_ITEM, "下次注意结束语"),
        ("accept", "坐席认可", "整通通话", "认可"),
    ]
    disputes, calls = _queue(qa)
    assert str(call_id) not in {call for _, call, _ in disputes} | set(calls)


def test_roles_that_may_not_act_get_no_buttons_and_are_refused(
    server: str, accounts: dict[str, str], call_id: int
) -> None:
    body = {"reason": "不是我的通话"}
    with client_as(server, accounts["agent"]) as other_agent:
        # Another agent's call: no page, and for the API it does not exist.
        assert other_agent.get(f"/calls/{call_id}").status_code == 403
        dispute = other_agent.post(f"/api/v1/calls/{call_id}/items/{FATAL_ITEM}/dispute", json=body)
        assert dispute.status_code == 404
        assert other_agent.post(f"/api/v1/calls/{call_id}/accept", json={}).status_code == 404
        resolve = other_agent.post(
            "/api/v1/disputes/1/resolve", json={"outcome": "upheld", "comment": "x"}
        )
        assert resolve.status_code == 403 and "reviews:write" in resolve.json()["detail"]
    with client_as(server, accounts["viewer"]) as viewer:
        assert viewer.get(f"/calls/{call_id}").status_code == 403
        comment = viewer.post(f"/api/v1/calls/{call_id}/comments", json={"text": "看看"})
        assert comment.status_code == 403 and "calls:read" in comment.json()["detail"]
    with client_as(server, accounts["qa"]) as qa:
        page = _page(qa, call_id)
        # A reviewer overrides and comments but neither accepts nor disputes for the agent.
        assert forms(page, "item-review") and forms(page, "comment-form")
        assert not forms(page, "dispute-form") and not forms(page, "accept-form")
        refused = qa.post(f"/api/v1/calls/{call_id}/items/{FATAL_ITEM}/dispute", json=body)
        assert refused.status_code == 403
