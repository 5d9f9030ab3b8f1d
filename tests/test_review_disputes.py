"""The agent's side of a review on a real database (SQLite and PostgreSQL): accepting a
result, disputing an item (申诉), a QA specialist upholding or rejecting it, comments; every
step in the audit trail; through the store and the CLI."""

from __future__ import annotations

import threading

import pytest
from typer.testing import CliRunner

from qa_assist.cli import app as cli
from qa_assist.storage import (
    CallStore,
    DisputeStore,
    ReviewConflict,
    ReviewError,
    ReviewStore,
    ReviewTargetMissing,
    open_database,
)

from .test_review import AGENT_ID, OTHER_AGENT_ID, scored_calls


@pytest.fixture()
def flow(database_url: str) -> tuple[CallStore, ReviewStore, DisputeStore, int, int]:
    sessions, good, unsure = scored_calls(database_url)
    return CallStore(sessions), ReviewStore(sessions), DisputeStore(sessions), good, unsure


def test_an_upheld_dispute_changes_the_verdict_and_keeps_the_automatic_one(flow) -> None:
    calls, reviews, disputes, good, _ = flow
    points = reviews.reviewed_score(good).item("eta_given").max_points
    reviews.override(good, "eta_given", "fail", "王质检", "没说到达时间")
    raised = disputes.dispute(good, "eta_given", "张坐席", "第24秒说了预计40分钟到达")
    assert (raised.status, raised.verdict, raised.raised_by) == ("open", "fail", "张坐席")
    assert (raised.agent_id, raised.file_name) == (AGENT_ID, "good.wav")
    assert [d.id for d in disputes.list("open")[0]] == [raised.id]

    resolved = disputes.resolve(raised.id, "upheld", "李主管", "录音第24秒确有到达时间，申诉成立")
    assert (resolved.status, resolved.new_verdict, resolved.resolved_by) == (
        "upheld",
        "pass",
        "李主管",
    )
    assert resolved.resolved_at is not None and resolved.resolved_at >= raised.raised_at
    assert resolved.raised_at.tzinfo is not None  # aware on both dialects
    assert disputes.list("open") == ([], 0)
    item = reviews.reviewed_score(good).item("eta_given")
    assert item.verdict == "pass" and item.override is not None
    assert item.override.auto_verdict == "pass" and item.override.reviewer == "李主管"
    assert calls.get_call(good).score.item("eta_given").verdict == "pass"  # the machine's row
    trail = [(e.action, e.reviewer, e.before, e.after) for e in reviews.history(good)]
    assert trail == [
        (
            "override",
            "王质检",
            {"verdict": "pass", "points": points},
            {"verdict": "fail", "points": 0.0},
        ),
        (
            "dispute",
            "张坐席",
            {"verdict": "fail", "points": 0.0},
            {"verdict": "fail", "points": 0.0, "dispute": "open"},
        ),
        (
            "dispute_upheld",
            "李主管",
            {"verdict": "fail", "points": 0.0, "dispute": "open"},
            {"verdict": "pass", "points": points, "dispute": "upheld"},
        ),
    ]
    assert reviews.history(good)[1].comment == "第24秒说了预计40分钟到达"


def test_a_rejected_dispute_keeps_the_verdict_with_the_answer(flow) -> None:
    _, reviews, disputes, good, _ = flow
    reviews.override(good, "closing", "fail", "王质检", "没有致谢")
    raised = disputes.dispute(good, "closing", "张坐席", "我说了再见")
    with pytest.raises(ReviewConflict, match="disputed already"):
        disputes.dispute(good, "closing", "张坐席", "再申诉一次")
    rejected = disputes.resolve(raised.id, "rejected", "李主管", "只说了再见，没有致谢语")
    assert (rejected.status, rejected.new_verdict, rejected.resolution) == (
        "rejected",
        None,
        "只说了再见，没有致谢语",
    )
    assert reviews.reviewed_score(good).item("closing").verdict == "fail"
    last = reviews.history(good)[-1]
    assert (last.action, last.before["dispute"], last.after["dispute"]) == (
        "dispute_rejected",
        "open",
        "rejected",
    )
    assert last.after["verdict"] == "fail"
    with pytest.raises(ReviewConflict, match="rejected already, by 李主管"):
        disputes.resolve(raised.id, "upheld", "赵经理", "改判")
    # Answered, the item may be disputed again.
    assert (
        disputes.dispute(good, "closing", "张坐席", "补充：第50秒说了感谢您的来电").status == "open"
    )


def test_accepting_waits_for_open_disputes_and_closes_the_agents_side(flow) -> None:
    _, reviews, disputes, good, _ = flow
    assert disputes.acceptance(good) is None
    every_item = disputes.agent_options(good).disputable
    assert disputes.agent_options(good).may_accept and "closing" in every_item
    raised = disputes.dispute(good, "greeting", "张坐席", "工号报了")
    waiting = disputes.agent_options(good)
    assert not waiting.may_accept and waiting.disputed == {"greeting"}
    assert waiting.disputable == every_item - {"greeting"}
    with pytest.raises(ReviewConflict, match="open dispute \\(greeting\\)"):
        disputes.accept(good, "张坐席")
    disputes.resolve(raised.id, "rejected", "李主管", "判定本来就是通过")
    accepted = disputes.accept(good, "张坐席", "认可")
    assert (accepted.action, accepted.item_id, accepted.after) == (
        "accept",
        None,
        {"total": 100.0, "accepted": True},
    )
    assert disputes.acceptance(good) == accepted
    with pytest.raises(ReviewConflict, match="accepted the result of call .* already"):
        disputes.accept(good, "张坐席")
    with pytest.raises(ReviewConflict, match="has not changed since"):
        disputes.dispute(good, "closing", "张坐席", "改主意了")
    settled = disputes.agent_options(good)
    assert not settled.may_accept and not settled.disputable
    # A verdict a person changes after the acceptance may be disputed, and accepted anew.
    reviews.override(good, "closing", "fail", "王质检", "抽检：没有致谢")
    reopened = disputes.agent_options(good)
    assert reopened.may_accept and reopened.disputable == {"closing"}
    assert disputes.dispute(good, "closing", "张坐席", "说了感谢您的来电").status == "open"


def test_comments_change_no_verdict_and_are_in_the_trail(flow) -> None:
    _, reviews, _, good, unsure = flow
    before = reviews.reviewed_score(good)
    on_item = reviews.comment(good, "王质检", "问候语可以再热情一些", "greeting")
    on_call = reviews.comment(good, "张坐席", "客户情绪激动，已尽力安抚")
    assert (on_item.item_id, on_item.before, on_item.after) == (
        "greeting",
        {"verdict": "pass", "points": on_item.before["points"]},
        on_item.before,
    )
    assert (on_call.item_id, on_call.after) == (None, {"total": before.total})
    assert reviews.reviewed_score(good) == before
    assert [(e.action, e.item_id, e.comment) for e in reviews.history(good)] == [
        ("comment", "greeting", "问候语可以再热情一些"),
        ("comment", None, "客户情绪激动，已尽力安抚"),
    ]
    # A comment is no review: the call stays in the queue.
    reviews.comment(unsure, "王质检", "稍后复核")
    assert [call.call_id for call in reviews.queue()] == [unsure]


def test_open_disputes_come_first_in_the_review_queue(flow) -> None:
    _, reviews, disputes, good, unsure = flow
    assert [call.call_id for call in reviews.queue()] == [unsure]
    disputes.dispute(good, "safety_reminder", "张坐席", "提醒了双闪和护栏外")
    queued = reviews.queue()
    assert [(call.call_id, call.open_disputes) for call in queued] == [(good, 1), (unsure, 0)]
    assert queued[0].items[0] == "safety_reminder: disputed"


def test_disputes_list_by_status_call_and_agent(flow) -> None:
    _, _, disputes, good, unsure = flow
    first = disputes.dispute(good, "greeting", "张坐席", "a")
    second = disputes.dispute(unsure, "greeting", "钱坐席", "b")
    disputes.resolve(first.id, "rejected", "李主管", "维持")
    assert [d.id for d in disputes.list()[0]] == [first.id, second.id]
    assert disputes.list("open") == ([disputes.get(second.id)], 1)
    assert disputes.list(agent_id=OTHER_AGENT_ID)[1] == 1
    assert disputes.list(call_id=good)[0][0].status == "rejected"
    page, count = disputes.list(limit=1, offset=1)
    assert [d.id for d in page] == [second.id] and count == 2


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (lambda d, call: d.dispute(999, "greeting", "张", "x"), ReviewTargetMissing),
        (lambda d, call: d.dispute(call, "no_such_item", "张", "x"), ReviewTargetMissing),
        (lambda d, call: d.dispute(call, "greeting", "张", "  "), ReviewError),
        (lambda d, call: d.dispute(call, "greeting", " ", "x"), ReviewError),
        (lambda d, call: d.dispute(call, "greeting", "张" * 65, "x"), ReviewError),
        (lambda d, call: d.resolve(999, "upheld", "李", "x"), ReviewTargetMissing),
        (lambda d, call: d.accept(999, "张"), ReviewTargetMissing),
    ],
)
def test_bad_requests_are_refused_and_leave_no_trace(flow, action, error) -> None:
    _, reviews, disputes, good, _ = flow
    with pytest.raises(error):
        action(disputes, good)
    assert reviews.history(good) == [] and disputes.list() == ([], 0)


def test_a_resolution_must_say_what_it_decides(flow) -> None:
    _, reviews, disputes, good, _ = flow
    raised = disputes.dispute(good, "greeting", "张坐席", "判通过是对的，但理由写错了")
    for outcome, comment, verdict, message in (
        ("maybe", "x", None, "outcome must be one of upheld, rejected"),
        ("upheld", " ", None, "needs a comment"),
        ("upheld", "x", None, "say which verdict"),  # a disputed pass has no obvious flip
        ("upheld", "x", "pass", "is 'pass' already"),
        ("upheld", "x", "great", "verdict must be one of"),
        ("rejected", "x", "fail", "name none"),
    ):
        with pytest.raises(ReviewError, match=message):
            disputes.resolve(raised.id, outcome, "李主管", comment, verdict)
    assert disputes.get(raised.id).status == "open"
    assert [e.action for e in reviews.history(good)] == ["dispute"]
    upheld = disputes.resolve(raised.id, "upheld", "李主管", "改为不适用", "not_applicable")
    assert reviews.reviewed_score(good).item("greeting").verdict == upheld.new_verdict


def test_two_reviewers_resolving_at_once_one_wins(flow) -> None:
    _, reviews, disputes, good, _ = flow
    reviews.override(good, "eta_given", "fail", "王质检", "没说到达时间")
    raised = disputes.dispute(good, "eta_given", "张坐席", "说了到达时间")
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def resolve(name: str) -> None:
        start.wait()
        try:
            disputes.resolve(raised.id, "upheld" if len(name) % 2 else "rejected", name, "处理")
            outcomes.append("won")
        except ReviewConflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=resolve, args=(n,)) for n in ("李", "王二", "赵", "钱二")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "won"]
    resolutions = [e for e in reviews.history(good) if e.action.startswith("dispute_")]
    assert len(resolutions) == 1 and resolutions[0].reviewer == disputes.get(raised.id).resolved_by


def test_the_cli_disputes_and_resolves(
    database_url: str, flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, disputes, good, _ = flow
    monkeypatch.setenv("QA_ASSIST_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args))

    result = run("review", "override", str(good), "eta_given", "fail", "--by", "王质检")
    assert result.exit_code == 0, result.output
    result = run(
        "review", "dispute", str(good), "eta_given", "--by", "张坐席", "--reason", "说了40分钟"
    )
    assert result.exit_code == 0 and "eta_given fail  open  张坐席: 说了40分钟" in result.output
    (raised,), _ = disputes.list("open")
    result = run("review", "disputes")
    assert f"dispute {raised.id:4}  call {good} good.wav ({AGENT_ID})" in result.output
    assert "1 dispute(s)" in result.output
    result = run("review", "accept", str(good), "--by", "张坐席")
    assert result.exit_code == 2 and "accept after it is resolved" in result.output
    result = run(
        "review", "resolve", str(raised.id), "upheld", "--by", "李主管", "--comment", "成立"
    )
    assert (
        result.exit_code == 0
        and "upheld  张坐席: 说了40分钟  | 李主管 -> pass: 成立" in result.output
    )
    result = run("review", "accept", str(good), "--by", "张坐席", "--comment", "认可")
    assert result.exit_code == 0 and "张坐席: accept call total 100.0  (认可)" in result.output
    result = run("review", "show", str(good))
    assert "dispute_upheld eta_given fail -> pass  (成立)" in result.output
    assert "dispute eta_given fail  (说了40分钟)" in result.output
    result = run("review", "disputes", "--status", "closed")
    assert (
        result.exit_code == 2
        and "--status must be one of open, upheld, rejected or all" in result.output
    )


def test_the_same_dispute_sent_twice_at_once_is_one(database_url: str, flow) -> None:
    _, reviews, _, good, _ = flow
    stores = [DisputeStore(open_database(database_url)) for _ in range(3)]
    start = threading.Barrier(len(stores))
    outcomes: list[str] = []

    def raise_dispute(store: DisputeStore) -> None:
        start.wait()
        try:
            store.dispute(good, "closing", "张坐席", "说了感谢您的来电")
            outcomes.append("open")
        except ReviewConflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=raise_dispute, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["open", "refused", "refused"]
    assert stores[0].list("open")[1] == 1
    assert [entry.action for entry in reviews.history(good)] == ["dispute"]
