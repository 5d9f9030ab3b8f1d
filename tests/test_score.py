"""Phrase matching through ASR errors, and scoring with the judges that need no model."""

from __future__ import annotations

import re

import pytest

from qa_assist.score import Scorer, find_phrase, load_rubric, score_transcript
from qa_assist.transcribe import Segment, Transcript, build_turns
from qa_assist.transcribe.types import CallMetrics, Interval, SpeakerMetrics


def call(
    *lines: tuple[float, str, str], duration: float = 60.0, metrics: CallMetrics | None = None
) -> Transcript:
    """A transcript of timed lines, each three seconds long."""
    segments = tuple(
        Segment(start=start, end=start + 3, speaker=speaker, text=text)  # type: ignore[arg-type]
        for start, speaker, text in lines
    )
    return Transcript(
        "call.wav", "zh", duration, "test", "whisper-test", "channel", segments, metrics=metrics
    )


def metrics(
    dead_air: float = 2.0, interruptions: int = 0, first_response: float = 0.5
) -> CallMetrics:
    return CallMetrics(
        duration=60.0,
        speakers=(SpeakerMetrics("agent", 30.0, 0.5, 240.0, 5),),
        silence_ratio=0.1,
        longest_dead_air=Interval(20.0, 20.0 + dead_air),
        holds=(),
        overtalk=(),
        agent_interruptions=tuple(Interval(30.0 + i, 30.5 + i) for i in range(interruptions)),
        agent_first_response=first_response,
    )


COMPLIANT_RESCUE = call(
    (0.5, "agent", "您好，这里是蓝鲸汽车客服中心，工号一零二四，很高兴为您服务。"),
    (4, "customer", "我在京港澳高速上车子抛锚了。"),
    (8, "agent", "请问您现在的具体位置在哪里？"),
    (11, "customer", "北京方向一五二三公里桩。"),
    (14, "agent", "请提供一下您的车牌号。"),
    (18, "agent", "请您马上打开双闪，在车后放置三角警示牌，人员撤离到护栏外。"),
    (24, "agent", "救援车预计40分钟左右到达，请保持电话畅通。"),
    (50, "agent", "请问还有其他可以帮您的吗？感谢您的来电，再见。"),
    metrics=metrics(),
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
    assert match is None or match.similarity < 0.78


def test_a_compliant_rescue_call_passes_with_turn_evidence() -> None:
    score = score_transcript(COMPLIANT_RESCUE, load_rubric("rescue"), "rescue")
    verdicts = {item.item_id: item.verdict for item in score.items}
    assert verdicts == {
        "greeting": "pass",
        "identity_check": "pass",
        "forbidden_phrases": "pass",
        "closing": "pass",
        "dead_air": "pass",
        "interruptions": "pass",
        "first_response": "pass",
        "empathy": "not_applicable",  # no LLM endpoint: left to a person
        "location_confirmed": "pass",
        "safety_reminder": "pass",
        "eta_given": "pass",
        "callback_number": "pass",
    }
    assert score.total == 100.0 and not score.fatal_failure and score.coaching == ()
    safety = score.item("safety_reminder")
    assert {evidence.matched for evidence in safety.evidence} >= {"打开双闪", "三角警示牌"}
    # Evidence points at the turn (the agent's consecutive lines joined) and quotes its sentence.
    turn = next(turn for turn in build_turns(COMPLIANT_RESCUE.segments) if "双闪" in turn.text)
    assert all(
        e.turn_id == turn.id and e.start == turn.start and e.speaker == "agent"
        for e in safety.evidence
    )
    assert all(
        e.text == "请您马上打开双闪，在车后放置三角警示牌，人员撤离到护栏外。"
        for e in safety.evidence
    )
    eta = score.item("eta_given")
    assert any(e.check == "regex" and "40分钟" in e.matched for e in eta.evidence)
    # The extended rubric's version is part of the result's: a change to either rescores.
    assert score.rubric_version == load_rubric("rescue").version
    assert score.rubric_version.endswith(f"+general.{load_rubric('general').version}")
    assert score.model_versions == {"asr": "whisper-test"}


def test_without_an_encoder_semantic_checks_wait_for_a_person() -> None:
    """A phrase miss is not a fail while the semantic check that could still pass is unjudged."""
    transcript = call(
        (0.5, "agent", "您好，客服中心，工号一零二四。"),
        (8, "agent", "好的，我记下来了。"),
        metrics=metrics(),
    )
    score = score_transcript(transcript, load_rubric("rescue"), "rescue")
    assert score.item("safety_reminder").verdict == "needs_review" and score.needs_review


def test_missing_safety_reminder_and_a_forbidden_phrase_are_found(scorer: Scorer) -> None:
    transcript = call(
        (0.5, "agent", "您好，客服中心，工号一零二四。"),
        (4, "customer", "车在隧道里趴窝了怎么办"),
        (8, "agent", "请提供车牌号。这个情况我也没办法。"),
        (50, "agent", "感谢来电，再见。"),
        metrics=metrics(),
    )
    score = scorer.score(transcript, load_rubric("rescue"), "rescue")
    assert score.item("safety_reminder").verdict == "fail"
    forbidden = score.item("forbidden_phrases")
    assert forbidden.verdict == "fail" and forbidden.evidence[0].matched == "我也没办法"
    assert forbidden.evidence[0].text == "这个情况我也没办法。"  # the sentence, not the whole turn
    assert score.fatal_failure and score.total == 0.0
    assert "杜绝服务禁语" in score.coaching


def test_a_forbidden_word_caught_by_pattern() -> None:
    transcript = call(
        (0.5, "agent", "您好，客服中心工号一零二四"),
        (10, "agent", "你闭嘴听我说"),
        metrics=metrics(),
    )
    forbidden = score_transcript(transcript, load_rubric("general"), "general").item(
        "forbidden_phrases"
    )
    assert forbidden.verdict == "fail" and forbidden.evidence[0].check == "regex"


def test_scenario_items_do_not_apply_elsewhere_and_windows_are_respected(scorer: Scorer) -> None:
    late_greeting = call(
        (30, "agent", "您好，这里是客服中心，工号一零二四。"),
        (50, "agent", "感谢来电，再见。"),
        metrics=metrics(),
    )
    score = scorer.score(late_greeting, load_rubric("general"), "consultation")
    assert score.item("greeting").verdict == "fail"  # said, but not in the first 20 s
    assert score.item("identity_check").verdict == "not_applicable"
    judged = [item for item in score.items if item.verdict in ("pass", "fail")]
    assert score.total == round(
        100 * sum(i.points for i in judged) / sum(i.max_points for i in judged), 1
    )


def test_the_customer_saying_a_forbidden_phrase_is_not_the_agents_fault() -> None:
    transcript = call(
        (0.5, "agent", "您好，客服中心工号一零二四"), (5, "customer", "你自己看着办吧")
    )
    score = score_transcript(transcript, load_rubric("general"), "general")
    assert score.item("forbidden_phrases").verdict == "pass"


@pytest.mark.parametrize(
    ("timing", "failed"),
    [
        (metrics(dead_air=12.0), "dead_air"),
        (metrics(interruptions=3), "interruptions"),
        (metrics(first_response=8.0), "first_response"),
    ],
)
def test_timing_items_fail_with_the_stretch_as_evidence(timing: CallMetrics, failed: str) -> None:
    transcript = call((0.5, "agent", "您好，客服中心工号一零二四"), metrics=timing)
    score = score_transcript(transcript, load_rubric("general"), "general")
    item = score.item(failed)
    assert item.verdict == "fail" and item.evidence and item.evidence[0].turn_id is None
    others = {"dead_air", "interruptions", "first_response"} - {failed}
    assert all(score.item(other).verdict == "pass" for other in others)


def test_a_transcript_without_timing_leaves_metric_items_for_review() -> None:
    transcript = call((0.5, "agent", "您好，客服中心工号一零二四"))
    score = score_transcript(transcript, load_rubric("general"), "general")
    assert score.item("dead_air").verdict == "needs_review"
    assert score.needs_review
    assert "dead_air" not in [i.item_id for i in score.items if i.verdict in ("pass", "fail")]


def test_identity_must_come_before_the_appointment(scorer: Scorer) -> None:
    in_order = call(
        (0.5, "agent", "您好，客服中心，工号一零二四。"),
        (8, "agent", "请提供一下车架号。"),
        (20, "agent", "我帮您预约了明天上午的服务站检测。"),
        metrics=metrics(),
    )
    swapped = call(
        (0.5, "agent", "您好，客服中心，工号一零二四。"),
        (8, "agent", "我帮您预约了明天上午的服务站检测。"),
        (20, "agent", "请提供一下车架号。"),
        metrics=metrics(),
    )
    rubric = load_rubric("fault")
    assert (
        scorer.score(in_order, rubric, "fault").item("identity_before_solution").verdict == "pass"
    )
    late = scorer.score(swapped, rubric, "fault").item("identity_before_solution")
    assert late.verdict == "fail"
    # The reason names the items by their titles, in each language.
    assert late.reason_zh == "「核实车辆或客户身份」不在「提供维修预约」之前"
    assert (
        late.reason == "not Vehicle or customer identity check before Service appointment offered"
    )
    no_appointment = call(
        (0.5, "agent", "您好，客服中心，工号一零二四。"), (8, "agent", "请提供一下车架号。")
    )
    assert (
        scorer.score(no_appointment, rubric, "fault").item("identity_before_solution").verdict
        == "not_applicable"
    )


def test_every_reason_is_given_in_chinese_and_in_english() -> None:
    """A QA specialist reads the reason next to the verdict in the page's language."""
    transcript = call(
        (0.5, "agent", "您好，客服中心，工号一零二四。"),
        (4, "customer", "车在隧道里趴窝了怎么办"),
        (8, "agent", "这个情况我也没办法。"),
        metrics=metrics(dead_air=12.0),
    )
    score = score_transcript(transcript, load_rubric("rescue"), "rescue")
    for item in score.items:
        assert item.reason and item.reason_zh, item.item_id
        assert re.search(r"[\u4e00-\u9fff]", item.reason_zh), item.reason_zh
        assert not re.search(r"[a-z]{4,}", item.reason_zh), item.reason_zh
    assert score.item("forbidden_phrases").reason_zh == "出现禁语"
    assert score.item("dead_air").reason_zh.startswith("最长静默（秒） 12，超出")
    general = score_transcript(transcript, load_rubric("general"), "consultation")
    assert general.item("identity_check").reason_zh == "仅适用于故障报修、道路救援、投诉来电"
