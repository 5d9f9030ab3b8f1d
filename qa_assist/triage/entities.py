"""Entity extraction from ticket text: VINs, plates, phones, places, mileage, fault codes,
vehicle models and dates.

Every item carries ``start``/``end`` offsets into the caller's original text and ``value``,
its NFKC-normalised form, made canonical where the kind has one (upper-case VIN and fault
code, plate without separator, phone digits only). Matching runs on the NFKC form of the
text, so full-width input behaves like half-width input.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, fields
from typing import Literal

from qa_assist.triage import patterns
from qa_assist.triage.text import NormalizedText, normalize
from qa_assist.triage.vehicle_models import default_matcher
from qa_assist.triage.vin import check_digit_required, has_vin_shape, is_valid_vin

logger = logging.getLogger("qa_assist")

PhoneKind = Literal["mobile", "landline", "hotline"]
LocationKind = Literal["road", "km_marker", "service_area", "toll_station", "tunnel"]
MileageKind = Literal["odometer", "distance", "unspecified"]
DateKind = Literal["absolute", "relative"]


@dataclass(frozen=True, slots=True)
class Vin:
    """A 17-character VIN; ``valid`` is whether its position-9 check digit is right."""

    value: str
    start: int
    end: int
    valid: bool
    check_digit_required: bool  # North American and Chinese VINs must carry a correct one


@dataclass(frozen=True, slots=True)
class Plate:
    """A mainland licence plate; ``value`` has no separator (粤AD12345)."""

    value: str
    start: int
    end: int
    new_energy: bool


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number; ``value`` holds digits only, without +86."""

    value: str
    start: int
    end: int
    kind: PhoneKind


@dataclass(frozen=True, slots=True)
class Location:
    """A road (G4京港澳高速), a km marker (K1234+500) or a named place on a road."""

    value: str
    start: int
    end: int
    kind: LocationKind


@dataclass(frozen=True, slots=True)
class Mileage:
    """A distance in km; ``kind`` tells an odometer reading from a distance where we can."""

    value: str
    start: int
    end: int
    km: float | None
    kind: MileageKind


@dataclass(frozen=True, slots=True)
class FaultCode:
    """An OBD-II trouble code; ``system`` is P (powertrain), C (chassis), B (body) or U (network)."""

    value: str
    start: int
    end: int
    system: Literal["P", "C", "B", "U"]


@dataclass(frozen=True, slots=True)
class VehicleModelMention:
    """A brand with or without a model (``model`` None for a bare brand)."""

    value: str
    start: int
    end: int
    brand: str
    model: str | None


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date; ``iso`` is ``2024-05-01``, ``--05-01`` (no year) or ``2024-05``; None if relative."""

    value: str
    start: int
    end: int
    kind: DateKind
    iso: str | None
    valid: bool


@dataclass(frozen=True, slots=True)
class Entities:
    """Everything :func:`extract_entities` found, each list sorted by position."""

    vins: list[Vin] = field(default_factory=list)
    plates: list[Plate] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    mileages: list[Mileage] = field(default_factory=list)
    fault_codes: list[FaultCode] = field(default_factory=list)
    vehicle_models: list[VehicleModelMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)

    def all(self) -> list[object]:
        """Every item of every kind, sorted by position."""
        items: list[object] = [item for f in fields(self) for item in getattr(self, f.name)]
        return sorted(items, key=lambda item: (item.start, item.end))  # type: ignore[attr-defined]


class _Spans:
    """Normalised-text spans already claimed by an earlier, more specific entity kind.

    Kinds are extracted from most to least specific, so the digits of a VIN never become a
    phone number and the G9 of 小鹏G9 never becomes a road.
    """

    def __init__(self) -> None:
        self._taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= first or start >= last for first, last in self._taken)

    def claim(self, start: int, end: int) -> None:
        self._taken.append((start, end))


def extract_entities(text: str) -> Entities:
    """Find the entities of ``text``; offsets refer to ``text`` as given."""
    norm = normalize(text)
    taken = _Spans()
    entities = Entities(
        vins=_vins(norm, taken),
        plates=_plates(norm, taken),
        phones=_phones(norm, taken),
        fault_codes=_fault_codes(norm, taken),
        vehicle_models=_vehicle_models(norm, taken),
        dates=_dates(norm, taken),
        locations=_locations(norm, taken),
        mileages=_mileages(norm, taken),
    )
    logger.debug("extracted %d entities", len(entities.all()))
    return entities


def _orig(norm: NormalizedText, start: int, end: int) -> tuple[int, int]:
    return norm.to_original(start, end)


def _vins(norm: NormalizedText, taken: _Spans) -> list[Vin]:
    found = []
    for match in patterns.VIN.finditer(norm.text):
        value = match.group().upper()
        if not has_vin_shape(value):
            continue
        taken.claim(match.start(), match.end())
        start, end = _orig(norm, match.start(), match.end())
        found.append(Vin(value, start, end, is_valid_vin(value), check_digit_required(value)))
    return found


def _plates(norm: NormalizedText, taken: _Spans) -> list[Plate]:
    found = []
    for match in patterns.PLATE.finditer(norm.text):
        if not taken.free(match.start(), match.end()):
            continue
        serial = match.group("serial").upper()
        value = match.group("province") + match.group("authority").upper() + serial
        new_energy = len(serial) == 6
        taken.claim(match.start(), match.end())
        start, end = _orig(norm, match.start(), match.end())
        found.append(Plate(value, start, end, new_energy))
    return found


def _phones(norm: NormalizedText, taken: _Spans) -> list[Phone]:
    found = []
    kinds: tuple[tuple[PhoneKind, re.Pattern[str]], ...] = (
        ("hotline", patterns.HOTLINE),
        ("mobile", patterns.MOBILE),
        ("landline", patterns.LANDLINE),
    )
    for kind, regex in kinds:
        for match in regex.finditer(norm.text):
            if not taken.free(match.start(), match.end()):
                continue
            number = match.group()
            if kind == "landline" and match.group("extension"):
                number = number[: -len(match.group("extension"))]  # the extension is not dialled
            digits = re.sub(r"[^0-9]", "", number)
            if kind == "mobile" and len(digits) > 11:
                digits = digits[-11:]  # drop the +86 country code
            taken.claim(match.start(), match.end())
            start, end = _orig(norm, match.start(), match.end())
            found.append(Phone(digits, start, end, kind))
    return sorted(found, key=lambda item: item.start)


def _fault_codes(norm: NormalizedText, taken: _Spans) -> list[FaultCode]:
    found = []
    for match in patterns.FAULT_CODE.finditer(norm.text):
        if not taken.free(match.start(), match.end()):
            continue
        value = match.group().upper()
        taken.claim(match.start(), match.end())
        start, end = _orig(norm, match.start(), match.end())
        found.append(FaultCode(value, start, end, value[0]))  # type: ignore[arg-type]
    return found


def _vehicle_models(norm: NormalizedText, taken: _Spans) -> list[VehicleModelMention]:
    found = []
    for match in default_matcher().find(norm.text):
        if not taken.free(match.start, match.end):
            continue
        taken.claim(match.start, match.end)
        start, end = _orig(norm, match.start, match.end)
        found.append(
            VehicleModelMention(
                norm.text[match.start : match.end], start, end, match.brand, match.model
            )
        )
    return found


def _valid_day(month: int, day: int | None) -> bool:
    return 1 <= month <= 12 and (day is None or 1 <= day <= 31)


def _dates(norm: NormalizedText, taken: _Spans) -> list[DateMention]:
    found: list[DateMention] = []

    def add(match: re.Match[str], kind: DateKind, iso: str | None, valid: bool) -> None:
        taken.claim(match.start(), match.end())
        start, end = _orig(norm, match.start(), match.end())
        found.append(DateMention(match.group(), start, end, kind, iso, valid))

    for match in patterns.ISO_DATE.finditer(norm.text):
        if not taken.free(match.start(), match.end()):
            continue
        year, month = int(match.group("year")), int(match.group("month"))
        day = int(match.group("day")) if match.group("day") else None
        if not _valid_day(month, day):
            continue  # 2024.14.3 is a software version, not a date
        iso = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")
        add(match, "absolute", iso, True)
    for match in patterns.MONTH_DAY.finditer(norm.text):
        if not taken.free(match.start(), match.end()):
            continue
        month, day = int(match.group("month")), int(match.group("day"))
        add(match, "absolute", f"--{month:02d}-{day:02d}", _valid_day(month, day))
    for match in patterns.ENGLISH_DATE.finditer(norm.text):
        if not taken.free(match.start(), match.end()):
            continue
        month = patterns.ENGLISH_MONTHS[match.group("mname").lower()]
        day = int(match.group("day"))
        year_text = match.group("year")
        iso = f"{year_text}-{month:02d}-{day:02d}" if year_text else f"--{month:02d}-{day:02d}"
        add(match, "absolute", iso, _valid_day(month, day))
    for match in patterns.RELATIVE_DATE.finditer(norm.text):
        if taken.free(match.start(), match.end()):
            add(match, "relative", None, True)
    return sorted(found, key=lambda item: item.start)


def _trim_place_name(name: str) -> str:
    # Keep what follows the last function word: "车停在了梅州" names the place "梅州".
    for index in range(len(name) - 1, -1, -1):
        if name[index] in patterns.PLACE_NAME_STOP_CHARS:
            return name[index + 1 :]
    return name


def _locations(norm: NormalizedText, taken: _Spans) -> list[Location]:
    text = norm.text
    found: list[Location] = []

    def add(first: int, last: int, kind: LocationKind) -> None:
        if first >= last or not taken.free(first, last):
            return
        taken.claim(first, last)
        start, end = _orig(norm, first, last)
        found.append(Location(re.sub(r"\s+", " ", text[first:last]).strip(), start, end, kind))

    for match in patterns.ROAD_CODE.finditer(text):
        has_name = bool(match.group("name") or match.group("english"))
        before = text[max(0, match.start() - 5) : match.start()]
        after = text[match.end() : match.end() + 3]
        if (
            has_name
            or patterns.ROAD_CODE_CONTEXT_BEFORE.search(before)
            or (patterns.ROAD_CODE_CONTEXT_AFTER.match(after))
        ):
            add(match.start(), match.end(), "road")
    for match in patterns.EXPRESSWAY_NAME.finditer(text):
        city = match.group("city") or ""
        trimmed = _trim_place_name(city)  # "在杭州绕城高速" names 杭州绕城高速
        add(match.start() + len(city) - len(trimmed), match.end(), "road")
    for match in patterns.KM_MARKER.finditer(text):
        add(match.start(), match.end(), "km_marker")
    place_kinds: dict[str, LocationKind] = {
        "服务区": "service_area", "收费站": "toll_station", "隧道": "tunnel",
        "service area": "service_area", "toll station": "toll_station", "toll gate": "toll_station",
        "tunnel": "tunnel",
    }  # fmt: skip
    for match in patterns.PLACE.finditer(text):
        name = _trim_place_name(match.group("name"))
        add(match.start("kind") - len(name), match.end(), place_kinds[match.group("kind")])
    for match in patterns.ENGLISH_PLACE.finditer(text):
        words = match.group("name").split()
        while words and words[0] in patterns.ENGLISH_PLACE_STOP_WORDS:
            words.pop(0)
        name_start = match.start("kind") - (len(" ".join(words)) + 1 if words else 0)
        add(name_start, match.end(), place_kinds[match.group("kind").lower()])
    return sorted(found, key=lambda item: item.start)


_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_number(raw: str) -> float | None:
    """Arabic or simple Chinese numerals: "35,000", "2.5", "两", "十五", "三千五百", "半"."""
    raw = raw.replace(",", "")
    try:
        return float(raw)
    except ValueError:
        pass
    if raw == "半":
        return 0.5
    total, digit = 0, None
    for char in raw:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:
            return None
    return float(total + (digit or 0))


def _mileages(norm: NormalizedText, taken: _Spans) -> list[Mileage]:
    text = norm.text
    found = []
    for match in patterns.MILEAGE.finditer(text):
        if not taken.free(match.start(), match.end()):
            continue
        before = text[max(0, match.start() - 8) : match.start()]
        after = text[match.end() : match.end() + 6]
        if patterns.SPEED_BEFORE.search(before):
            continue  # 时速120公里 is a speed
        number = parse_number(match.group("number"))
        multiplier = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000}.get(
            (match.group("wan") or "").lower(), 1
        )
        unit = match.group("unit").lower()
        km = (
            None
            if number is None
            else number * multiplier * (1.609344 if unit.startswith("mi") else 1)
        )
        kind: MileageKind = "unspecified"
        if patterns.DISTANCE_BEFORE.search(before) or patterns.DISTANCE_AFTER.match(after):
            kind = "distance"
        if (match.group("wan") or "").lower() in ("万", "w") or patterns.ODOMETER_BEFORE.search(
            before
        ):
            kind = "odometer"  # tens of thousands of km are an odometer reading, not a trip
        taken.claim(match.start(), match.end())
        start, end = _orig(norm, match.start(), match.end())
        found.append(Mileage(match.group(), start, end, km, kind))
    return found
