"""Packing a channel's speech into Whisper windows and mapping times back."""

import numpy as np
import pytest

from qa_assist.transcribe.packing import GAP_SECONDS, pack
from qa_assist.transcribe.types import SpeechRegion
from qa_assist.transcribe.vad import merge_close_regions


def test_regions_fill_windows_up_to_the_limit():
    regions = [SpeechRegion(start, start + 8, "agent") for start in range(0, 100, 20)]
    windows = pack(regions, 28)
    # 8 + 0.5 + 8 + 0.5 + 8 = 25 s fits; a fourth region would not
    assert [len(window.regions) for window in windows] == [3, 2]


def test_packed_times_map_back_to_the_call():
    regions = (SpeechRegion(10, 12, "agent"), SpeechRegion(30, 33, "agent"))
    (window,) = pack(list(regions), 28)
    channel = np.arange(40 * 16000, dtype=np.float32)
    samples = window.samples(channel)
    assert len(samples) == int((2 + GAP_SECONDS + 3) * 16000)
    assert samples[0] == 10 * 16000  # the first sample is the region's first
    second_offset = 2 + GAP_SECONDS
    assert window.region_of_word(1.0) == 0 and window.region_of_word(second_offset + 1) == 1
    assert window.region_of_word(2.1) == 0  # ends in the gap after its region
    # Whisper stamps a region's first word as starting early; its end decides where it goes
    assert window.region_of_word(second_offset + 0.2) == 1
    assert window.region_of_word(second_offset - 0.1) == 0
    assert window.to_call_time(second_offset + 1, 1) == pytest.approx(31.0)
    assert window.to_call_time(second_offset + 9, 1) == 33.0  # kept inside its region


def test_only_a_speakers_own_close_regions_merge():
    regions = [
        SpeechRegion(0, 2, "agent"),
        SpeechRegion(2.6, 4, "agent"),  # a breath: same turn
        SpeechRegion(4.3, 6, "customer"),  # the other party: never merged
        SpeechRegion(8, 9, "customer"),  # a long pause: a new region
    ]
    assert merge_close_regions(regions) == [
        SpeechRegion(0, 4, "agent"),
        SpeechRegion(4.3, 6, "customer"),
        SpeechRegion(8, 9, "customer"),
    ]
