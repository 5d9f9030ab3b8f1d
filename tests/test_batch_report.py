"""The day's report from a real SQLite database: the latest outcome of each input counts,
averages per agent and team, fatal calls and calls to review with links, category spikes
against the previous days, transcription health; written as HTML and XLSX."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from statistics import mean

import pytest
from openpyxl import load_workbook

from qa_assist.batch import build_report, write_report
from qa_assist.score import load_rubric, score_transcript
from qa_assist.settings import Settings
from qa_assist.storage import BatchItem, BatchStore, CallMetadata, CallStore, NewCall, open_database
from qa_assist.transcribe import Transcript, Word

from .test_score import COMPLIANT_RESCUE, call

DAY = date(2026, 11, 20)
RUDE = call(
    (0.5, "agent", "您好，这里是客服中心，工号一零二四。"),
    (4, "customer", "我的车在高速上抛锚了。"),
    (8, "agent", "这不归我们管，你自己看着办。"),
)


def _heard(transcript: Transcript, probability: float) -> Transcript:
    """The transcript as if Whisper gave every word this probability."""
    return replace(
        transcript,
        segments=tuple(
            replace(s, words=(Word(s.start, s.end, s.text, probability),), avg_logprob=-0.3)
            for s in transcript.segments
        ),
    )


class Day:
    def __init__(self, tmp_path: Path) -> None:
        self.settings = Settings(data_dir=tmp_path, report_url="https://qa.example.cn/")
        self.sessions = open_database(self.settings.resolved_database_url)
        self.calls = CallStore(self.sessions)
        self.batches = BatchStore(self.sessions)
        self.count = 0

    def call(self, agent: str, team: str | None, ticket_type: str, transcript: Transcript) -> int:
        self.count += 1
        name = f"call-{self.count}.wav"
        meta = CallMetadata(agent_id=agent, team=team, ticket_type=ticket_type)
        call_id, _ = self.calls.add_call(
            NewCall(f"{self.count:064d}", name, f"/audio/{name}", "rescue", meta)
        )
        self.calls.save_transcript(call_id, transcript)
        score = score_transcript(transcript, load_rubric("rescue"), "rescue")
        self.calls.save_score(call_id, score, transcript.model_version)
        return call_id

    def run(self, day: date, items: list[BatchItem]) -> None:
        run_id = self.batches.start_run(day, "local", 2, len(items))
        for item in items:
            self.batches.record(run_id, item)
        self.batches.finish_run(run_id)


def _scored(call_id: int) -> BatchItem:
    return BatchItem(f"/day/call-{call_id}.wav", "scored", call_id=call_id)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Day, list[int]]:
    """Read-only for the tests: built once."""
    world = Day(tmp_path_factory.mktemp("report"))
    # The baseline: ten calls over the previous week, one of them a rescue.
    for offset, types in ((1, ["rescue"] + ["consultation"] * 4), (3, ["consultation"] * 5)):
        ids = [world.call("B1", "T9", kind, _heard(COMPLIANT_RESCUE, 0.9)) for kind in types]
        world.run(DAY - timedelta(days=offset), [_scored(i) for i in ids])
    # A run of the week before the baseline: not compared with.
    old = world.call("B1", "T9", "rescue", _heard(COMPLIANT_RESCUE, 0.9))
    world.run(DAY - timedelta(days=30), [_scored(old)])
    today = [
        world.call("A1", "救援一组", "rescue", _heard(COMPLIANT_RESCUE, 0.92)),
        world.call("A1", "救援一组", "rescue", _heard(RUDE, 0.88)),
        world.call("A2", "救援二组", "rescue", _heard(COMPLIANT_RESCUE, 0.31)),
        world.call("A2", None, "consultation", COMPLIANT_RESCUE),
    ]
    bad = BatchItem("/day/broken.wav", "failed", "not a readable audio file")
    flaky = BatchItem(f"/day/call-{today[2]}.wav", "failed", "database is locked")
    world.run(DAY, [_scored(today[0]), _scored(today[1]), bad, flaky])
    # The rerun scores the one that failed and skips what was done.
    rerun = [
        _scored(today[2]),
        replace(_scored(today[0]), outcome="skipped"),
        BatchItem(f"/day/call-{today[3]}.wav", "skipped", call_id=today[3]),
        bad,
    ]
    world.run(DAY, rerun)
    return world, today


def test_the_report_counts_the_latest_outcome_of_every_input(day) -> None:
    world, today = day
    report = build_report(world.sessions, DAY, world.settings)
    assert [line.call_id for line in report.calls] == today
    assert len(report.runs) == 2
    assert [(f.source, f.reason) for f in report.failures] == [
        ("/day/broken.wav", "not a readable audio file")
    ]
    # Scored in the first run and skipped in the rerun is scored that day; only the call done
    # before the day's runs is skipped.
    assert (report.scored_in_runs, report.skipped_in_runs) == (3, 1)


def test_averages_per_agent_and_team_come_from_the_stored_scores(day) -> None:
    world, today = day
    report = build_report(world.sessions, DAY, world.settings)
    totals = {i: world.calls.get_call(i).score.total for i in today}
    agents = {line.name: line for line in report.agents}
    assert agents["A1"].calls == 2 and agents["A1"].average == round(
        mean([totals[today[0]], totals[today[1]]]), 1
    )
    assert agents["A2"].average == round(mean([totals[today[2]], totals[today[3]]]), 1)
    teams = {line.name: line.calls for line in report.teams}
    assert teams == {"救援一组": 2, "救援二组": 1, "—": 1}
    assert report.average == round(mean(totals.values()), 1)


def test_fatal_calls_and_calls_to_review_link_to_the_call_page(day) -> None:
    world, today = day
    report = build_report(world.sessions, DAY, world.settings)
    (fatal,) = report.fatal
    assert fatal.call_id == today[1] and fatal.url == f"https://qa.example.cn/calls/{today[1]}"
    assert fatal.items == ("服务禁语",) and agents_failed_item(report, "forbidden_phrases") == 1
    assert all(line.needs_review for line in report.to_review)


def agents_failed_item(report, item_id: str) -> int:  # type: ignore[no-untyped-def]
    return next(line.failed for line in report.items if line.item_id == item_id)


def test_a_category_that_spikes_against_the_previous_days_is_alerted(day) -> None:
    world, _ = day
    report = build_report(world.sessions, DAY, world.settings)
    lines = {line.key: line for line in report.categories}
    # Rescue: 3 of 4 calls today against 1 of 10 before; consultation fell.
    assert lines["rescue"].count == 3 and lines["rescue"].baseline_share == 0.1
    assert [line.key for line in report.alerts] == ["rescue"]
    assert lines["rescue"].zh == "道路救援"
    stricter = build_report(
        world.sessions, DAY, world.settings.model_copy(update={"report_spike_min_calls": 4})
    )
    assert stricter.alerts == ()


def test_transcription_health_flags_unsure_and_wordless_transcripts(day) -> None:
    world, today = day
    report = build_report(world.sessions, DAY, world.settings)
    assert [line.call_id for line in report.low_confidence] == [today[2], today[3]]
    assert report.low_confidence_share == 0.5
    assert {line.call_id: line.word_probability for line in report.health}[today[0]] == 0.92


def test_the_report_is_written_as_html_and_xlsx(day, tmp_path: Path) -> None:
    world, today = day
    html, xlsx = write_report(build_report(world.sessions, DAY, world.settings), tmp_path / "out")
    assert (html.name, xlsx.name) == ("report-2026-11-20.html", "report-2026-11-20.xlsx")
    page = html.read_text(encoding="utf-8")
    for text in ("质检日报 Daily QA report", "救援一组", "A2", "/day/broken.wav", "售后告警"):
        assert text in page
    assert f'href="https://qa.example.cn/calls/{today[1]}"' in page
    book = load_workbook(xlsx)
    agents = [[cell.value for cell in row] for row in book["坐席成绩"].iter_rows(min_row=2)]
    assert [row[:2] for row in agents] == [["A1", 2], ["A2", 2]]
    fatal_link = book["一票否决通话"]["A2"]
    assert fatal_link.value == f"#{today[1]}" and fatal_link.hyperlink.target.endswith(
        f"/calls/{today[1]}"
    )
    assert book["处理失败的文件"]["A2"].value == "/day/broken.wav"
