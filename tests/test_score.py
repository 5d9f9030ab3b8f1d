"""Rubric loading and phrase scoring on transcripts with the errors Whisper makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_assist.score import RubricError, find_phrase, load_rubric, score_transcript
from qa_assist.transcribe import Segment, Transcript


def _call(*turns: tuple[float, str, str], duration: float = 60.0) -> Transcript:
    segments = tuple(
        Segment(start=start, end=start + 3, speaker=speaker, text=text)  # type: ignore[arg-type]
        for start, speaker, text in turns
    )
    return Transcript("call.wav", "zh", duration, "test", "test", "channel", segments)


COMPLIANT_RESCUE = _call(
    (0.5, "agent", "您好，这里是蓝鲸汽车客服中心，工号一零二四，很高兴为您服务。"),
    (4, "customer", "我在京港澳高速上车子抛锚了。"),
    (8, "agent", "请提供一下您的车牌号。"),
    (14, "agent", "请您马上打开双闪，在车后放置三角警示牌，人员撤离到护栏外。"),
    (50, "agent", "请问还有其他可以帮您的吗？感谢您的来电，再见。"),
)


@pytest.mark.parametrize(
    ("phrase", "heard"),
    [
        ("打开双闪", "请您打开双山灯"),  # homophone, other tone
        ("三角警示牌", "放一个三脚警示派"),
        ("很高兴为您服务", "你好很高兴位您服务"),
        ("车架号", "麻烦报一下车家号"),
        ("护栏外", "人员撤到乎兰外"),  # h/f-ish mishearing plus n/l fold
    ],
)
def test_phrases_match_through_transcription_errors(phrase: str, heard: str) -> None:
    match = find_phrase(phrase, heard)
    assert match is not None and match.similarity >= 0.8


@pytest.mark.parametrize(
    ("phrase", "heard"),
    [("我也没办法", "我有办法帮您"), ("这不归我们管", "这个归我们售后管"), ("再见", "在线")],
)
def test_different_words_do_not_match(phrase: str, heard: str) -> None:
    match = find_phrase(phrase, heard)
    assert match is None or match.similarity < 0.86


def test_a_compliant_rescue_call_passes_with_evidence() -> None:
    score = score_transcript(COMPLIANT_RESCUE, load_rubric("general"), "rescue")
    verdicts = {item.item_id: item.verdict for item in score.items}
    assert verdicts == {
        "greeting": "pass",
        "identity_check": "pass",
        "safety_reminder": "pass",
        "forbidden_phrases": "pass",
        "closing": "pass",
    }
    assert score.total == 100.0 and not score.fatal_failure and score.coaching == ()
    safety = next(item for item in score.items if item.item_id == "safety_reminder")
    assert {evidence.matched for evidence in safety.evidence} >= {"打开双闪", "三角警示牌"}
    assert all(evidence.start == 14 and evidence.speaker == "agent" for evidence in safety.evidence)


def test_missing_safety_reminder_and_a_forbidden_phrase_are_found() -> None:
    call = _call(
        (0.5, "agent", "您好，客服中心，工号一零二四。"),
        (4, "customer", "车在隧道里趴窝了怎么办"),
        (8, "agent", "请提供车牌号。这个情况我也没办法。"),
        (50, "agent", "感谢来电，再见。"),
    )
    score = score_transcript(call, load_rubric("general"), "rescue")
    by_id = {item.item_id: item for item in score.items}
    assert by_id["safety_reminder"].verdict == "fail"
    assert by_id["forbidden_phrases"].verdict == "fail"
    assert by_id["forbidden_phrases"].evidence[0].matched == "我也没办法"
    assert score.fatal_failure and score.total == 0.0
    assert "杜绝服务禁语" in score.coaching


def test_scenario_items_do_not_apply_elsewhere_and_windows_are_respected() -> None:
    late_greeting = _call(
        (30, "agent", "您好，这里是客服中心，工号一零二四。"),
        (50, "agent", "感谢来电，再见。"),
    )
    score = score_transcript(late_greeting, load_rubric("general"), "consultation")
    by_id = {item.item_id: item for item in score.items}
    assert by_id["greeting"].verdict == "fail"  # said, but not in the first 20 s
    assert by_id["safety_reminder"].verdict == "not_applicable"
    assert by_id["identity_check"].verdict == "not_applicable"
    assert score.total == round(100 * 40 / 55, 1)


def test_the_customer_saying_a_forbidden_phrase_is_not_the_agents_fault() -> None:
    call = _call((0.5, "agent", "您好，客服中心工号一零二四"), (5, "customer", "你自己看着办吧"))
    score = score_transcript(call, load_rubric("general"), "general")
    assert next(i for i in score.items if i.item_id == "forbidden_phrases").verdict == "pass"


def test_an_invalid_rubric_is_rejected_naming_the_item_and_field(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        """
id: broken
version: "1"
title: {zh: 坏的, en: Broken}
items:
  - id: greeting
    title: {zh: 问候, en: Greeting}
    points: -5
    check: {type: phrase_present, phrases: [您好]}
""",
        encoding="utf-8",
    )
    with pytest.raises(RubricError, match=r"broken\.yaml: item 'greeting' field points"):
        load_rubric(str(path))


def test_an_unknown_rubric_names_the_shipped_ones() -> None:
    with pytest.raises(RubricError, match="unknown rubric 'nope'.*general"):
        load_rubric("nope")
