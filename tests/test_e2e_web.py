"""The pages in a real browser (Debian's Chromium driven by Playwright) against the real
server: sign in, upload a two-channel recording of real speech, wait for its score, click an
evidence item (the player seeks to its start and the turn lights up), override an item with a
comment and find it in the audit trail, switch to English. Screenshots of every page go to
docs/screenshots/ for the README."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(server: str, accounts: dict[str, str]) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
        yield context.new_page()
        browser.close()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_qa_specialist_uploads_reviews_and_switches_language(page, stereo_call: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto("/?lang=zh")
    # Anonymous: sent to the sign-in page, and back to the list after it.
    assert "/login" in page.url
    page.fill("input[name=username]", "test-qa")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:has-text('通话列表')")

    page.goto("/upload")
    page.set_input_files("input[name=files]", str(stereo_call))
    page.fill("input[name=agent_id]", "E2E-01")
    page.fill("input[name=team]", "端到端组")
    page.select_option("select[name=channel_layout]", "agent_left")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("tr.job[data-status=queued], tr.job[data-status=running]")
    page.wait_for_selector("tr.job[data-status=done] td.call a", timeout=SCORE_TIMEOUT_MS)
    _shot(page, "upload")
    page.click("tr.job[data-status=done] td.call a >> nth=0")
    page.wait_for_selector("[data-testid=items]")

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
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
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
    for path, name in (("/review", "review-queue"), ("/dashboard", "dashboard")):
        page.goto(path)
        page.wait_for_selector("h1")
        _shot(page, name)
    page.goto("/assist")
    page.fill("#ticket", "我的车在京港澳高速上爆胎了，车上有小孩，需要救援，电话13812345678")
    page.click("form[data-testid=assist-form] button[type=submit]")
    page.wait_for_selector("[data-testid=suggestion], [data-testid=missing]")
    _shot(page, "assist")
