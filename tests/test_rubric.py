"""Rubric files: the shipped scorecards load, extension merges, and mistakes name item and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_assist.score import (
    RubricError,
    load_rubric,
    rubric_for_scenario,
    scenario_for_ticket_type,
    score_transcript,
    shipped_rubrics,
)

from .test_score import call, metrics

HEADER = 'id: test\nversion: "1"\ntitle: {zh: 测试, en: Test}\nitems:\n'


def _write(tmp_path: Path, items: str, name: str = "test.yaml", header: str = HEADER) -> str:
    path = tmp_path / name
    path.write_text(header + items, encoding="utf-8")
    return str(path)


def test_the_scenario_rubrics_extend_the_general_one() -> None:
    assert shipped_rubrics() == ["complaint", "fault", "general", "rescue"]
    general = [item.id for item in load_rubric("general").items]
    for scenario, own in (
        ("rescue", ["location_confirmed", "safety_reminder", "eta_given", "callback_number"]),
        ("complaint", ["apology", "no_blame_shifting", "escalation", "problem_solved"]),
        (
            "fault",
            [
                "symptoms_recorded",
                "appointment_offered",
                "identity_before_solution",
                "correct_solution",
            ],
        ),
    ):
        rubric = rubric_for_scenario(scenario)
        assert [item.id for item in rubric.items] == general + own
        assert rubric.version.endswith("+general." + load_rubric("general").version)
        assert all(item.title.zh and item.title.en for item in rubric.items)
    assert rubric_for_scenario("consultation").id == "general"
    assert (
        scenario_for_ticket_type("rescue") == "rescue"
        and scenario_for_ticket_type("other") == "general"
    )


def test_an_extension_replaces_an_item_in_place(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "  - id: closing\n    title: {zh: 结束语, en: Closing}\n    points: 5\n"
        "    checks: [{type: phrase, phrases: [再见]}]\n",
        header='id: mine\nversion: "3"\nextends: general\ntitle: {zh: 我的, en: Mine}\nitems:\n',
    )
    rubric = load_rubric(path)
    assert [item.id for item in rubric.items] == [item.id for item in load_rubric("general").items]
    assert next(item for item in rubric.items if item.id == "closing").points == 5


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (
            "  - {id: greeting, title: {zh: 问候, en: Greeting}, points: -5, checks: [{type: phrase, phrases: [您好]}]}\n",
            r"item 'greeting' field points",
        ),
        (
            "  - {id: eta, title: {zh: 时间, en: ETA}, points: 5, checks: [{type: regex, pattern: '([0-9]+'}]}\n",
            r"item 'eta' field checks\.0\.regex\.pattern: .*not a regular expression",
        ),
        (
            "  - {id: air, title: {zh: 冷场, en: Air}, points: 5, checks: [{type: metric, metric: longest_dead_air}]}\n",
            r"item 'air' field checks\.0\.metric: .*needs min or max",
        ),
        (
            "  - {id: air, title: {zh: 冷场, en: Air}, points: 5, checks: [{type: metric, metric: loudness, max: 1}]}\n",
            r"item 'air' field checks\.0\.metric\.metric",
        ),
        (
            "  - {id: order, title: {zh: 顺序, en: Order}, points: 5, checks: [{type: order, first: identity}]}\n",
            r"item 'order' field checks\.0\.first: 'identity' is not an item",
        ),
        (
            "  - {id: hits, title: {zh: 命中, en: Hits}, points: 5, checks: [{type: phrase, phrases: [a], min_hits: 2}]}\n",
            r"item 'hits' field checks\.0\.phrase: .*min_hits 2 exceeds",
        ),
        (
            "  - {id: none, title: {zh: 空, en: None}, points: 5, checks: []}\n",
            r"item 'none' field checks",
        ),
    ],
)
def test_mistakes_are_rejected_naming_the_item_and_field(
    tmp_path: Path, items: str, message: str
) -> None:
    with pytest.raises(RubricError, match=r"test\.yaml: .*" + message):
        load_rubric(_write(tmp_path, items))


def test_an_unknown_rubric_names_the_shipped_ones() -> None:
    with pytest.raises(RubricError, match="unknown rubric 'nope'.*general"):
        load_rubric("nope")


def test_a_window_after_an_event_looks_only_at_what_follows_it(tmp_path: Path) -> None:
    rubric = load_rubric(
        _write(
            tmp_path,
            "  - id: apology_after_complaint\n    title: {zh: 投诉后致歉, en: Apology after a complaint}\n"
            "    points: 10\n    window: {after: {speaker: customer, phrases: [投诉]}}\n"
            "    checks: [{type: phrase, phrases: [抱歉]}]\n",
        )
    )
    early_apology = call(
        (1, "agent", "抱歉久等了"),
        (10, "customer", "我要投诉你们"),
        (20, "agent", "好的"),
        metrics=metrics(),
    )
    later_apology = call(
        (1, "agent", "您好"),
        (10, "customer", "我要投诉你们"),
        (20, "agent", "非常抱歉"),
        metrics=metrics(),
    )
    no_complaint = call((1, "agent", "您好"), (10, "customer", "问一下保养"), metrics=metrics())
    verdict = lambda transcript: score_transcript(transcript, rubric).items[0].verdict
    assert (verdict(early_apology), verdict(later_apology), verdict(no_complaint)) == (
        "fail",
        "pass",
        "not_applicable",
    )
