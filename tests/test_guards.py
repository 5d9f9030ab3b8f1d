"""Guards against Whisper's decoding loops and the text it makes up on non-speech."""

from __future__ import annotations

import pytest

from qa_assist.transcribe.engines import Decoded
from qa_assist.transcribe.guards import collapse_loops, drop_repeated_segments, hallucination


@pytest.mark.parametrize(
    ("heard", "kept"),
    [
        (
            "外汤铭店ＧＧＧＧＧＧＧＧＧＧＧＧ",
            "外汤铭店Ｇ",
        ),  # seen on AISHELL with an initial prompt
        ("请稍等请稍等请稍等请稍等请稍等", "请稍等"),
        # seen on espeak-ng speech, commas at the pauses between the loop's words
        ("Key的财富财富财富，财富财富财富财富，财富，财富", "Key的财富"),
        ("谢谢谢谢", "谢谢谢谢"),  # short repeats are speech
        ("好好好，我知道了", "好好好，我知道了"),
        ("三角警示牌", "三角警示牌"),
        ("好，好，好，好", "好，好，好，好"),
        ("电话138 8888 8888", "电话138 8888 8888"),  # digits are never a loop's unit
    ],
)
def test_long_loops_collapse_and_speech_stays(heard: str, kept: str) -> None:
    assert collapse_loops(heard) == kept


def _decoded(text: str, no_speech: float = 0.1, logprob: float = -0.3) -> Decoded:
    return Decoded(0.0, 2.0, text, logprob, no_speech, ())


def test_a_loop_across_segments_keeps_what_was_said_twice() -> None:
    """Seen on espeak-ng speech: one short sentence as nine segments running."""
    heard = ["车牌号是", *["是你启动。"] * 9, "好的", "喂？", "喂", "好的"]
    kept = [item.text for item in drop_repeated_segments([_decoded(text) for text in heard])]
    assert kept == ["车牌号是", "是你启动。", "是你启动。", "好的", "喂？", "喂", "好的"]


@pytest.mark.parametrize(
    ("decoded", "why"),
    [
        (_decoded("请不吝点赞 订阅 转发 打赏支持明镜与点点栏目"), "caption"),
        (_decoded("Thanks for watching!"), "caption"),
        (_decoded("♪ ♪"), "music"),
        (_decoded("嗯", no_speech=0.9, logprob=-1.4), "silence"),
        (_decoded("请问还有其他问题吗" * 10), "loop"),  # too long a unit to collapse
    ],
)
def test_made_up_text_is_recognised(decoded: Decoded, why: str) -> None:
    assert why in hallucination(decoded)


@pytest.mark.parametrize(
    "decoded",
    [
        _decoded("我的车在高速上趴窝了，字幕一样的屏幕黑了"),
        _decoded("谢谢您的来电"),  # a real closing, not the caption "谢谢观看"
        _decoded("嗯", no_speech=0.7, logprob=-0.5),  # quiet but sure
    ],
)
def test_real_speech_passes(decoded: Decoded) -> None:
    assert hallucination(decoded) is None
