"""The pages in a real browser (Debian's Chromium driven by Playwright) against the real
server: sign in, upload a two-channel recording of real speech, wait for its score, click an
evidence item (the player seeks to its start and the turn lights up), override an item with a
comment and find it in the audit trail, switch to English; the call's agent signs in and
disputes an item on the page, the QA specialist finds the dispute first in the review queue,
upholds it on the call page and the audit trail shows both; agent assist over the seeded
knowledge base. Screenshots of every page go to docs/screenshots/ for the README."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from qa_assist.auth import UserStore
from qa_assist.kb import KnowledgeBase, seed_knowledge_base
from qa_assist.models import ModelRegistry
from qa_assist.settings import Settings
from qa_assist.storage import open_database
from qa_assist.triage.build import BuildOutcome

from .conftest import TEST_PASSWORD

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
#: Transcribing and scoring a 12-second call on a shared 2-core machine.
SCORE_TIMEOUT_MS = 300_000

#: The agent whose call is uploaded: they sign in to dispute it.
AGENT_ID, AGENT_USER, AGENT_NAME = "E2E-01", "e2e-agent", "赵坐席"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def agent_account(settings: Settings) -> str:
    users = UserStore(open_database(settings.resolved_database_url))
    if users.get(AGENT_USER) is None:
        users.create(AGENT_USER, "agent", TEST_PASSWORD, AGENT_NAME, AGENT_ID)
    return AGENT_USER


@pytest.fixture(scope="module")
def kb(registry: ModelRegistry) -> KnowledgeBase:
    """The shipped seed indexed, so agent assist shows real suggestions."""
    return seed_knowledge_base(registry)


@pytest.fixture(scope="module")
def page(server: str, accounts: dict[str, str]) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
        yield context.new_page()
        browser.close()


def _shot(page, name: str, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def _sign_in(page, path: str, username: str) -> None:  # type: ignore[no-untyped-def]
    """Open ``path`` signed out: the sign-in page comes first, then ``path``."""
    page.goto(path)
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("form[data-testid=login-form] button[type=submit]")


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.click("header form[action='/logout'] button")
    assert "/login" in page.url


def test_a_qa_specialist_uploads_reviews_and_switches_language(  # type: ignore[no-untyped-def]
    page,
    stereo_call_of,
    agent_account: str,
    kb: KnowledgeBase,
    triage_build: BuildOutcome,
) -> None:
    # Anonymous: sent to the sign-in page, and back to the list after it.
    _sign_in(page, "/?lang=zh", "test-qa")
    page.wait_for_selector("h1:has-text('通话列表')")

    page.goto("/upload")
    page.set_input_files("input[name=files]", str(stereo_call_of("test_e2e_web")))
    page.fill("input[name=agent_id]", AGENT_ID)
    page.fill("input[name=team]", "端到端组")
    page.select_option("select[name=channel_layout]", "agent_left")
    # The page lists earlier jobs too (other tests' uploads): follow the one this upload made.
    with page.expect_response(
        lambda answer: answer.request.method == "POST" and answer.url.endswith("/api/v1/calls")
    ) as posted:
        page.click("#upload-form button[type=submit]")
    job = f"tr.job[data-job='{posted.value.json()['data'][0]['id']}']"
    page.wait_for_selector(f"{job}[data-status=queued], {job}[data-status=running]")
    page.wait_for_selector(f"{job}[data-status=done] td.call a", timeout=SCORE_TIMEOUT_MS)
    _shot(page, "upload")
    page.click(f"{job} td.call a")
    page.wait_for_selector("[data-testid=items]")
    call_path = urlsplit(page.url).path

    # Evidence: the player seeks to where it was said and the turn is highlighted.
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    buttons = page.locator("button.evidence")
    assert buttons.count(), "the scored call shows no evidence"
    starts = [float(b.get_attribute("data-start")) for b in buttons.all()]
    evidence = buttons.nth(starts.index(max(starts)))
    start = max(starts)
    # Park the player elsewhere first, so the seek is seen whatever the evidence's time.
    page.evaluate(
        "p => { p.currentTime = p.duration - 0.5; }", page.locator("#player").element_handle()
    )
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {start}) > 1")
    evidence.click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {start}) < 0.05"
    )
    lit = page.locator(".turn.highlight")
    assert lit.count() == 1, [
        b.inner_text() + " " + str(b.get_attribute("data-start")) for b in buttons.all()
    ]
    turn = evidence.get_attribute("data-turn")
    if turn is not None:
        assert lit.get_attribute("id") == f"turn-{turn}"
    else:
        # The turn under way then, or in silence the turn that ends it.
        assert start <= float(lit.get_attribute("data-end")) + 0.05
        earlier = page.locator(".turn").all()[: int(lit.get_attribute("data-turn"))]
        assert all(float(t.get_attribute("data-end")) < start for t in earlier)
    _shot(page, "call-detail")

    # Override the first item in place; the audit trail shows it after the page reloads.
    form = page.locator("form.item-review").first
    item = form.get_attribute("data-item")
    current = form.locator("select[name=verdict]").input_value()
    wanted = "fail" if current != "fail" else "pass"
    form.locator("select[name=verdict]").select_option(wanted)
    form.locator("input[name=comment]").fill("端到端改判")
    form.locator("button[type=submit]").click()
    # The page loads again with the trail.
    page.wait_for_selector("[data-testid=audit-trail] td.audit-comment:has-text('端到端改判')")
    trail = page.locator("[data-testid=audit-trail]")
    assert "端到端改判" in trail.inner_text() and item in trail.inner_text()
    verdict = page.locator(f"tr.item[data-item='{item}'] [data-testid=verdict]")
    assert verdict.get_attribute("class") == f"verdict-{wanted}"

    # English, and it stays English on the next page.
    page.click("[data-testid=switch-language]")
    page.wait_for_selector("h2:has-text('Audit trail')")
    page.goto("/")
    page.wait_for_selector("h1:has-text('Calls')")
    _shot(page, "call-list")
    page.goto("/?lang=zh")

    # The call's agent disputes an item in place, next to it, with a reason.
    _sign_out(page)
    _sign_in(page, call_path, agent_account)
    page.wait_for_selector("[data-testid=items]")
    assert page.locator("form.item-review, form.resolve-form").count() == 0
    disputable = page.locator("tr.item-actions:has(form.dispute-form)")
    assert disputable.count(), "the agent is offered no dispute"
    failed = page.locator("tr.item:has(.verdict-fail)")
    failed_items = {row.get_attribute("data-item") for row in failed.all()}
    offered = [row.get_attribute("data-item") for row in disputable.all()]
    disputed = next((i for i in offered if i in failed_items), offered[0])
    row = page.locator(f"tr.item-actions[data-item='{disputed}']")
    row.locator("details:has(form.dispute-form) summary").click()
    row.locator("form.dispute-form input[name=reason]").fill("录音里我说过这句，请复听")
    row.locator("form.dispute-form button[type=submit]").click()
    page.wait_for_selector(f"tr.item-actions[data-item='{disputed}'] .dispute[data-status=open]")
    row = page.locator(f"tr.item-actions[data-item='{disputed}']")
    assert row.locator("form.dispute-form").count() == 0
    assert AGENT_NAME in row.inner_text() and "录音里我说过这句，请复听" in row.inner_text()
    assert "坐席申诉" in page.locator("[data-testid=audit-trail]").inner_text()
    _sign_out(page)

    # The QA specialist finds it first in the queue and upholds it on the call page.
    _sign_in(page, "/review", "test-qa")
    first = page.locator("tr.dispute-row").first
    assert first.get_attribute("data-item") == disputed
    assert f"/calls/{first.get_attribute('data-call-id')}" == call_path
    _shot(page, "review-queue")
    with page.expect_navigation():
        first.locator(f"a[href$='#item-{disputed}']").click()
    row = page.locator(f"tr.item-actions[data-item='{disputed}']")
    # The disputed item in view: who disputed, when, why, and the form that answers it.
    page.locator(f"tr.item[data-item='{disputed}']").scroll_into_view_if_needed()
    _shot(page, "call-dispute", full_page=False)
    before = page.locator(f"tr.item[data-item='{disputed}'] [data-testid=verdict]")
    before = before.get_attribute("class").removeprefix("verdict-")
    wanted = "pass" if before != "pass" else "fail"
    form = row.locator("form.resolve-form")
    form.locator("select[name=outcome]").select_option("upheld")
    form.locator("select[name=verdict]").select_option(wanted)
    form.locator("input[name=comment]").fill("复听属实，申诉成立")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr.item-actions[data-item='{disputed}'] .dispute[data-status=upheld]")
    verdict = page.locator(f"tr.item[data-item='{disputed}'] [data-testid=verdict]")
    assert verdict.get_attribute("class") == f"verdict-{wanted}"
    assert page.locator("form.resolve-form").count() == 0
    actions = [
        (r.get_attribute("data-action"), r.locator("td.audit-action").inner_text())
        for r in page.locator("[data-testid=audit-trail] tr.audit-row").all()
    ]
    assert actions[:2] == [("dispute_upheld", "申诉成立"), ("dispute", "坐席申诉")], actions
    assert "复听属实，申诉成立" in page.locator("[data-testid=audit-trail]").inner_text()

    page.goto("/dashboard")
    page.wait_for_selector("h1")
    _shot(page, "dashboard")
    page.goto("/assist")
    page.fill("#ticket", "我的车在京港澳高速上爆胎了，车上有小孩，需要救援，电话13812345678")
    page.click("form[data-testid=assist-form] button[type=submit]")
    page.wait_for_selector("[data-testid=suggestion]")
    assert page.locator("[data-testid=missing]").count() == 0
    assert page.locator("[data-testid=suggestion] mark").count()
    assert page.locator("button.copy").first.inner_text() == "复制话术"
    _shot(page, "assist")
