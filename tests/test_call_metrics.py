"""Call metrics and turns from known speech timings."""

import pytest

from qa_assist.transcribe import Interval, Segment, Word, build_turns, punctuate
from qa_assist.transcribe.metrics import call_metrics, spoken_units


def _metrics(agent, customer, segments=(), duration=60.0):
    speech = {
        "agent": [Interval(*pair) for pair in agent],
        "customer": [Interval(*pair) for pair in customer],
    }
    return call_metrics(duration, speech, list(segments), build_turns(list(segments)), 15.0, 0.3)


def test_dead_air_holds_and_silence_ratio():
    # agent 1-5, customer 6-10, 20 s of nothing (a hold), agent 30-35
    metrics = _metrics([(1, 5), (30, 35)], [(6, 10)])
    assert metrics.longest_dead_air == Interval(10, 30)
    assert metrics.holds == (Interval(10, 30),)
    # dead air 1 s + 20 s over a span of 34 s; leading and trailing silence do not count
    assert metrics.silence_ratio == pytest.approx(21 / 34, abs=1e-3)
    assert metrics.agent_first_response == 1.0


def test_overtalk_and_interruption():
    # the customer talks 5-15; the agent cuts in at 9 for 3 s; a 0.2 s "嗯" at 15.9 is not overtalk
    metrics = _metrics([(0, 4), (9, 12), (15.9, 16.1)], [(5, 15), (16, 20)])
    assert metrics.overtalk == (Interval(9, 12),)
    assert metrics.overtalk_seconds == 3.0
    assert metrics.agent_interruptions == (Interval(9, 12),)


def test_agent_taking_over_at_the_end_of_a_turn_is_no_interruption():
    metrics = _metrics([(0, 4), (9.8, 14)], [(5, 10)])
    assert metrics.agent_interruptions == ()


def test_first_response_counts_from_the_customers_first_words():
    metrics = _metrics([(4.5, 8)], [(1, 3)])
    assert metrics.agent_first_response == 3.5


def test_speech_rate_and_talk_time_per_speaker():
    segments = [
        Segment(0, 10, "agent", "您好" * 20),  # 40 characters in 10 s of speech
        Segment(11, 15, "customer", "my car broke down"),
    ]
    metrics = _metrics([(0, 10)], [(11, 15)], segments)
    agent = metrics.for_speaker("agent")
    assert agent.talk_seconds == 10 and agent.speech_rate_cpm == 240 and agent.turns == 1
    assert metrics.for_speaker("customer").speech_rate_cpm == 60  # 4 words in 4 s
    assert spoken_units("VIN码是LFV123") == 4


def test_turns_join_a_speakers_consecutive_segments_and_punctuate():
    segments = [
        Segment(
            0,
            2,
            "agent",
            "您好很高兴为您服务",
            words=(Word(0, 0.5, "您好", 1), Word(1.0, 2, "很高兴为您服务", 1)),
        ),
        Segment(2.2, 3, "agent", "请问车辆现在在哪里呢"),
        Segment(3.5, 5, "customer", "在高速上, 趴窝了"),
        Segment(9.5, 10, "customer", "喂"),  # after 4.5 s of silence: a new turn
    ]
    turns = build_turns(segments)
    assert [(turn.id, turn.speaker) for turn in turns] == [
        (0, "agent"),
        (1, "customer"),
        (2, "customer"),
    ]
    assert turns[0].text == "您好，很高兴为您服务。请问车辆现在在哪里呢？"
    assert (turns[0].start, turns[0].end) == (0, 3)
    assert turns[1].text == "在高速上，趴窝了。"
    assert punctuate(Segment(0, 1, "customer", "the car won't start")) == "the car won't start."


def test_a_number_read_out_in_groups_stays_one_number():
    """Customers read phone numbers in groups; Whisper pauses and even ends segments inside."""
    words = (Word(0, 0.3, "电话", 1), Word(0.4, 1.0, "138", 1), Word(1.6, 2.4, "8888", 1))
    segments = [
        Segment(0, 2.4, "customer", "电话1388888", words=words),
        Segment(3.0, 3.8, "customer", "8888", words=(Word(3.0, 3.8, "8888", 1),)),
        Segment(4.5, 5.5, "customer", "对吧", words=(Word(4.5, 5.5, "对吧", 1),)),
    ]
    (turn,) = build_turns(segments)
    assert turn.text == "电话13888888888。对吧。"
    # a pause between words that are not both digits is still a comma
    paused = (Word(0, 0.3, "电话", 1), Word(0.8, 1.4, "138", 1))
    assert punctuate(Segment(0, 1.4, "customer", "", words=paused)) == "电话，138。"


def test_a_loop_in_a_segments_words_stays_out_of_its_turn():
    """The pipeline collapses a loop in the segment's text; punctuation rebuilds the text from
    the words, which still hold the loop (seen on espeak-ng speech: 财富 forty times)."""
    words = (Word(0, 0.4, "记得", 1), Word(0.5, 0.9, "开", 1)) + tuple(
        Word(1 + 0.8 * i, 1.4 + 0.8 * i, "财富", 0.9) for i in range(40)
    )  # 0.4 s apart: a comma between every two
    segment = Segment(0, 33, "agent", "记得开财富", words=words)
    assert punctuate(segment) == "记得开财富。"
