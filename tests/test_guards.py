"""Guards against Whisper's decoding loops."""

from __future__ import annotations

import pytest

from qa_assist.transcribe.guards import collapse_loops


@pytest.mark.parametrize(
    ("heard", "kept"),
    [
        ("外汤铭店ＧＧＧＧＧＧＧＧＧＧＧＧ", "外汤铭店Ｇ"),  # seen on AISHELL with an initial prompt
        ("请稍等请稍等请稍等请稍等请稍等", "请稍等"),
        ("谢谢谢谢", "谢谢谢谢"),  # short repeats are speech
        ("好好好，我知道了", "好好好，我知道了"),
        ("三角警示牌", "三角警示牌"),
    ],
)
def test_long_loops_collapse_and_speech_stays(heard: str, kept: str) -> None:
    assert collapse_loops(heard) == kept
