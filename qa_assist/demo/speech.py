"""Mandarin speech synthesis with Debian's ``espeak-ng`` for the demo calls.

espeak-ng reads Mandarin properly only through its ``cmn-latn-pinyin`` voice fed with
tone-numbered pinyin (``ni3 hao3``); its ``cmn`` voice given Chinese characters is broken.
So an utterance goes through three steps:

1. :func:`normalize_text` turns numbers into Chinese characters: codes, phone numbers,
   plates, VINs and years digit by digit (``1024`` -> 一零二四), quantities as values
   (``40分钟`` -> 四十分钟, ``2万公里`` -> 两万公里).
2. :func:`to_clauses` splits at punctuation and converts each clause to pinyin with
   ``pypinyin`` (``Style.TONE3``, neutral tone 5). Latin letters (VIN, DTC, ``ES6``) become
   separate one-letter tokens: the pinyin voice spells a lone letter with its letter name,
   while a run such as ``ABC`` switches to an English voice mid-sentence.
3. :func:`synthesize` runs ``espeak-ng --stdout`` once per clause, trims the silence espeak
   adds around it, joins the clauses with short pauses (longer after a full stop) and
   resamples to the requested rate.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import unicodedata
import wave
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger("qa_assist")

ESPEAK = "espeak-ng"
INSTALL_HINT = "apt-get install espeak-ng"


class SpeechError(RuntimeError):
    """espeak-ng failed to synthesise an utterance."""


class EspeakNotFoundError(SpeechError):
    """The espeak-ng program is not installed."""

    def __init__(self) -> None:
        super().__init__(f"{ESPEAK} is not installed; demo calls need it: {INSTALL_HINT}")


@dataclass(frozen=True)
class Voice:
    """espeak-ng settings for one speaker."""

    #: ``cmn-latn-pinyin`` plus a variant from espeak's ``voices/!v`` (``+f3``, ``+m1``).
    name: str
    #: Base pitch, 0..99 (espeak's ``-p``).
    pitch: int
    #: Words per minute (``-s``); with the pinyin voice a "word" is a syllable.
    speed: int
    #: Extra gap between syllables in units of 10 ms (``-g``); a little helps intelligibility.
    word_gap: int = 0
    #: Silence after a comma-like mark and after a sentence end, in seconds.
    short_pause: float = 0.15
    long_pause: float = 0.32


#: Chosen with Whisper base as the listener (toneless-pinyin syllable match on the demo
#: lines): the female ``f3`` variant is the most intelligible of espeak's variants, about
#: 0.6, and more so at a higher pitch; male variants reach about 0.4 whatever their pitch
#: and speed. The customer is still male: the two channels must sound like two people.
AGENT_VOICE = Voice(name="cmn-latn-pinyin+f3", pitch=60, speed=170, word_gap=1)
CUSTOMER_VOICE = Voice(name="cmn-latn-pinyin+m4", pitch=65, speed=165, word_gap=1)
VOICES: dict[str, Voice] = {"agent": AGENT_VOICE, "customer": CUSTOMER_VOICE}

# ---------------------------------------------------------------------------------------
# Text normalisation: numbers to Chinese characters
# ---------------------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"
#: After one of these a number is a quantity, read as a value even when it has 4 digits.
_UNITS = (
    "元", "块", "公里", "千米", "米", "万", "千", "百", "次", "个", "辆", "天", "小时",
    "分钟", "分", "秒", "周", "月", "号", "位", "公斤", "度", "岁", "家", "条", "台", "点",
)  # fmt: skip
#: Before these, 2 is 两 (两万公里, 两个小时), not 二.
_LIANG_UNITS = (
    "万", "千", "百", "个", "辆", "次", "天", "小时", "周", "位", "台", "条", "家", "点", "年",
)  # fmt: skip
#: After these words a number is a code or phone number, never a quantity.
_CODE_WORDS = ("拨打", "打", "电话", "号码", "工号", "尾号", "编号", "单号", "热线")
_LATIN = "A-Za-z"
_NUMBER = re.compile(
    r"(?P<percent>\d+(?:\.\d+)?%)"
    r"|(?P<grouped>\d+(?:[- ]\d+)+)"  # 400-820-1234, 138 2456 7890: phone-like groups
    r"|(?P<decimal>\d+\.\d+)"
    r"|(?P<int>\d+)"
)


def digits_to_chinese(digits: str) -> str:
    """Read a digit string digit by digit: ``"1024"`` -> ``"一零二四"``."""
    return "".join(_DIGITS[int(d)] for d in digits if d.isdigit())


def _below_10000(value: int) -> str:
    out: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit_value % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[digit] + unit)
    return "".join(out)


def int_to_chinese(value: int) -> str:
    """Read a non-negative integer as a value: ``105`` -> 一百零五, ``23000`` -> 两万三千.

    Covers values below 10**12, more than a customer-service call ever says.
    """
    if value < 0:
        raise ValueError("negative numbers are not read")
    if value == 0:
        return "零"
    if value >= 10**12:
        return digits_to_chinese(str(value))
    parts: list[str] = []
    need_zero = False
    for big, name in ((10**8, "亿"), (10**4, "万"), (1, "")):
        chunk = value // big % 10000
        if chunk == 0:
            need_zero = bool(parts)
            continue
        if parts and (need_zero or chunk < 1000):
            parts.append("零")
        parts.append(_below_10000(chunk) + name)
        need_zero = False
    text = "".join(parts)
    # A leading 2 before a big unit is 两: 两千, 两万三千.
    if text.startswith("二") and text[1:2] in ("千", "万", "亿"):
        text = "两" + text[1:]
    # 10..19 are said 十, 十五, not 一十五, when they lead the number.
    if text.startswith("一十"):
        text = text[1:]
    return text


def _read_number(match: re.Match[str], text: str) -> str:
    token = match.group(0)
    before = text[: match.start()]
    after = text[match.end() :]
    if match.lastgroup == "percent":
        return "百分之" + _read_value(token[:-1])
    if match.lastgroup == "grouped":
        return digits_to_chinese(token)
    if match.lastgroup == "decimal":
        return _read_value(token)
    # Digits inside an alphanumeric code (VIN, DTC, plate, ES6, 4S店) are read one by one.
    next_to_latin = bool(re.search(rf"[{_LATIN}][·\s]?$", before)) or bool(
        re.match(rf"^[{_LATIN}]", after)
    )
    is_quantity = after.startswith(_UNITS)
    # Phone and agent numbers are said digit by digit however short (拨打122, 工号86).
    is_code = before.rstrip().endswith(_CODE_WORDS)
    if next_to_latin or token.startswith("0") or len(token) >= 5:
        return digits_to_chinese(token)
    if is_quantity:
        if token == "2" and after.startswith(_LIANG_UNITS) and not before.endswith("第"):
            return "两"
        return int_to_chinese(int(token))
    if is_code or len(token) == 4:
        # Agent numbers, hotlines and years (2023年 -> 二零二三年) go digit by digit.
        return digits_to_chinese(token)
    return int_to_chinese(int(token))


def _read_value(token: str) -> str:
    whole, _, fraction = token.partition(".")
    text = int_to_chinese(int(whole))
    if fraction:
        text += "点" + digits_to_chinese(fraction)
    return text


def normalize_text(text: str) -> str:
    """Make ``text`` speakable: full-width forms folded, numbers in Chinese characters."""
    # NFKC folds full-width digits and letters (１０２４, ＶＩＮ) into ASCII ones.
    text = unicodedata.normalize("NFKC", text)
    # Motorway markers: K1523+200 is said K一五二三加二百.
    text = re.sub(r"(?<=\d)\+(?=\d)", "加", text)
    text = re.sub(
        r"(?<=\d)\s*(?:km|公里)\s*/\s*(?:h|小时)", "公里每小时", text, flags=re.IGNORECASE
    )
    text = re.sub(r"(?<=\d)\s*km\b", "公里", text, flags=re.IGNORECASE)
    text = re.sub(r"(\d{1,2}):(\d{2})", lambda m: f"{m.group(1)}点{m.group(2)}分", text)
    out: list[str] = []
    position = 0
    for match in _NUMBER.finditer(text):
        out.append(text[position : match.start()])
        out.append(_read_number(match, text))
        position = match.end()
    out.append(text[position:])
    return "".join(out)


# ---------------------------------------------------------------------------------------
# Clauses and pinyin
# ---------------------------------------------------------------------------------------

PauseKind = Literal["short", "long", "none"]

#: Marks after which a speaker pauses briefly / at a sentence end.
_SHORT_MARKS = "，、；：,;:—…~～"
_LONG_MARKS = "。！？!?."
_SYLLABLE = re.compile(r"^[a-zv]+[1-5]$")
_TOKEN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z]+|[" + re.escape(_SHORT_MARKS + _LONG_MARKS) + r"]"
)


@dataclass(frozen=True)
class Clause:
    """A stretch spoken without a pause, as espeak-ng input, and the pause after it."""

    pinyin: str
    pause_after: PauseKind
    #: espeak reads ``?`` with a question intonation, so the clause keeps its end mark.
    end_mark: str = ""


def _han_to_pinyin(run: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # deferred: loads its dictionaries on import

    syllables = lazy_pinyin(
        run, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True, errors="ignore"
    )
    # Anything that is not a toned syllable would be spelled letter by letter: drop it.
    return [s for s in syllables if _SYLLABLE.match(s)]


def to_clauses(text: str) -> list[Clause]:
    """Split ``text`` at punctuation into clauses of tone-numbered pinyin."""
    clauses: list[Clause] = []
    current: list[str] = []

    def close(kind: PauseKind, mark: str) -> None:
        if current:
            clauses.append(Clause(" ".join(current), kind, mark))
            current.clear()
        elif clauses and kind == "long":
            # "……。" or "？！": the stronger pause wins, the clause stays.
            last = clauses[-1]
            # A question stays a question ("好吧？！").
            clauses[-1] = Clause(last.pinyin, "long", "?" if last.end_mark == "?" else mark)

    for token in _TOKEN.findall(normalize_text(text)):
        if token in _SHORT_MARKS:
            close("short", ",")
        elif token in _LONG_MARKS:
            close("long", "?" if token in "？?" else "!" if token in "！!" else ".")
        elif token[0].isascii():
            # One token per letter: espeak's pinyin voice spells a lone letter (P -> "pi",
            # A -> "ei"), while a run of capitals would switch to its English voice.
            current.extend(letter.upper() for letter in token)
        else:
            current.extend(_han_to_pinyin(token))
    close("none", "")
    return clauses


def to_pinyin(text: str) -> str:
    """The whole utterance as espeak-ng pinyin input, clauses separated by their marks."""
    return " ".join(c.pinyin + (c.end_mark or "") for c in to_clauses(text))


# ---------------------------------------------------------------------------------------
# Synthesis
# ---------------------------------------------------------------------------------------


def espeak_binary() -> str:
    """The path of espeak-ng, or :class:`EspeakNotFoundError` with the install command."""
    path = shutil.which(ESPEAK)
    if path is None:
        raise EspeakNotFoundError()
    return path


def espeak_version() -> str:
    """espeak-ng's version line, e.g. ``eSpeak NG text-to-speech: 1.51 ...``."""
    result = subprocess.run(
        [espeak_binary(), "--version"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip().split("  ")[0]


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    import numpy as np

    # espeak writes its --stdout WAV before it knows the length, so the header's sizes are
    # bogus (0xFFFFFFFF); the wave module copes, but frames are counted from the bytes read.
    with wave.open(io.BytesIO(data)) as reader:
        rate = reader.getframerate()
        width = reader.getsampwidth()
        channels = reader.getnchannels()
        frames = reader.readframes(reader.getnframes())
    if width != 2:
        raise SpeechError(f"{ESPEAK} wrote {8 * width}-bit audio; 16-bit was expected")
    samples = np.frombuffer(frames[: len(frames) // 2 * 2], dtype="<i2").astype(np.float32)
    samples /= 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def _run_espeak(pinyin: str, voice: Voice) -> tuple[np.ndarray, int]:
    command = [
        espeak_binary(),
        "-v", voice.name,
        "-p", str(voice.pitch),
        "-s", str(voice.speed),
        "-g", str(voice.word_gap),
        "--stdout",
        # "--" so that a clause can never be taken for an option.
        "--", pinyin,
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, check=False, timeout=60)
    except subprocess.TimeoutExpired as error:
        raise SpeechError(f"{ESPEAK} took over 60 s for {pinyin!r}") from error
    if result.returncode != 0 or not result.stdout:
        stderr = result.stderr.decode("utf-8", "replace").strip()
        raise SpeechError(
            f"{ESPEAK} failed (exit {result.returncode}) with voice {voice.name!r}: {stderr}"
        )
    return _read_wav(result.stdout)


def _trim(samples: np.ndarray, rate: int, threshold: float = 0.01) -> np.ndarray:
    import numpy as np

    # espeak pads every clause with ~0.3 s of silence; the pauses are ours to set.
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    margin = int(0.01 * rate)
    return samples[max(loud[0] - margin, 0) : loud[-1] + margin + 1]


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Band-limited resampling in the frequency domain (exact for a whole, padded clip)."""
    import numpy as np

    if source_rate == target_rate or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    # Zero padding keeps the FFT's circular wrap from smearing the end into the start.
    pad = source_rate // 20
    padded = np.concatenate([np.zeros(pad, np.float32), samples, np.zeros(pad, np.float32)])
    target_len = round(padded.size * target_rate / source_rate)
    spectrum = np.fft.rfft(padded)
    bins = target_len // 2 + 1
    if bins <= spectrum.size:
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins - spectrum.size, spectrum.dtype)])
    out = np.fft.irfft(spectrum, target_len) * (target_len / padded.size)
    cut = round(pad * target_rate / source_rate)
    return out[cut : target_len - cut].astype(np.float32)


def synthesize(text: str, voice: Voice = AGENT_VOICE, sample_rate: int = 16000) -> np.ndarray:
    """Speak ``text`` (Simplified Chinese) and return float32 mono samples at ``sample_rate``.

    The result starts and ends with speech (no padding): the caller places it in time.
    Raises :class:`EspeakNotFoundError` without espeak-ng, :class:`SpeechError` when it fails
    or when ``text`` holds nothing speakable.
    """
    import numpy as np

    clauses = to_clauses(text)
    if not clauses:
        raise SpeechError(f"nothing speakable in {text!r}")
    pieces: list[np.ndarray] = []
    rate = 0
    for index, clause in enumerate(clauses):
        samples, rate = _run_espeak(clause.pinyin + clause.end_mark, voice)
        pieces.append(_trim(samples, rate))
        if index < len(clauses) - 1:
            pause = voice.long_pause if clause.pause_after == "long" else voice.short_pause
            pieces.append(np.zeros(int(pause * rate), np.float32))
    speech = np.concatenate(pieces)
    if speech.size == 0 or not np.any(speech):
        raise SpeechError(f"{ESPEAK} produced silence for {text!r}")
    log.debug("synthesised %.2f s with %s: %s", speech.size / rate, voice.name, text)
    return resample(speech, rate, sample_rate)
