"""The CER yardstick: every transcription number we publish goes through this normaliser."""

import pytest

from qa_assist.transcribe.cer import cer, character_errors, normalise_for_cer, sentence_errors


@pytest.mark.parametrize(
    ("reference", "hypothesis"),
    [
        ("一三八零八五五三三幺六", "13808553316"),  # phone numbers are read digit by digit
        ("一三九二五八零零四五七", "1392 5800457"),
        ("一三六二八零六六九三零", "136-2-8-0-6-6-9-3-0."),  # how beam search writes them
        ("二零一九年有二十五个", "2019年有25个"),  # years and quantities as they are said
        ("这是测试", "這是測試。"),  # Traditional characters and punctuation do not count
        ("想听歌曲because of you", "想听歌曲 Because Of You!"),
    ],
)
def test_equivalent_spellings_score_zero(reference, hypothesis):
    assert cer(reference, hypothesis) == 0.0


def test_real_errors_still_count():
    assert cer("外滩名店", "外汤铭店") == 0.5
    assert cer("一三八零八五五三三幺六", "1885553316") == pytest.approx(
        3 / 11
    )  # 3 dropped, 0→8, 8→5


def test_normalised_form_keeps_only_characters_letters_and_digits():
    assert normalise_for_cer("OPA（淮海店）") == "opa淮海店"


def test_a_calls_errors_are_split_by_the_sentence_they_belong_to():
    sentences = ["您好请讲", "我的车打不着火了", "电话一三八零八五五三三幺六"]
    hypothesis = "你好请讲。我的车打不着了，嗯。电话13808553316"
    split = sentence_errors(sentences, hypothesis)
    # 您 -> 你; 火 dropped and 嗯 inserted; the phone number right
    assert split == [(1, 4), (2, 8), (0, 13)]
    assert tuple(map(sum, zip(*split))) == character_errors("".join(sentences), hypothesis)
