"""Every regular expression behind entity extraction, in one place.

All patterns run on NFKC-normalised text (see :mod:`qa_assist.triage.text`), so they only
need half-width forms. Python's ``\\w`` and ``\\b`` treat Chinese characters as word
characters, so identifiers use explicit ASCII look-arounds instead: ``粤B12345`` must match
although ``粤`` touches ``B``.
"""

from __future__ import annotations

import re

_NOT_AFTER_ALNUM = r"(?<![A-Za-z0-9])"
_NOT_BEFORE_ALNUM = r"(?![A-Za-z0-9])"
_NOT_AFTER_DIGIT = r"(?<![0-9])"
_NOT_BEFORE_DIGIT = r"(?![0-9])"
_CJK = r"\u4e00-\u9fff"

# --- VIN: 17 characters without I, O, Q; shape and check digit are judged in vin.py.
VIN = re.compile(rf"{_NOT_AFTER_ALNUM}[A-HJ-NPR-Z0-9]{{17}}{_NOT_BEFORE_ALNUM}", re.IGNORECASE)

# --- Licence plates (GA 36): province + issuing-authority letter + serial.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_SEPARATOR = r"[·・•.\- ]?"
_SERIAL_CHAR = "[A-HJ-NP-Z0-9]"  # serials never use I or O
PLATE = re.compile(
    rf"(?P<province>[{PROVINCES}])(?P<authority>[A-Z]){_PLATE_SEPARATOR}"
    r"(?P<serial>"
    rf"[DF]{_SERIAL_CHAR}[0-9]{{4}}"  # new energy, small car: D/F first (粤AD12345)
    r"|[0-9]{5}[DF]"  # new energy, large vehicle: D/F last
    rf"|{_SERIAL_CHAR}{{4}}[A-HJ-NP-Z0-9挂学警港澳]"  # ordinary five-character serial
    rf"){_NOT_BEFORE_ALNUM}",
    re.IGNORECASE,
)

# --- Phone numbers. Separators inside numbers are common in hand-typed text (138-1234-5678).
MOBILE = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?:\+?86[- ]?)?1[3-9][0-9][- ]?[0-9]{{4}}[- ]?[0-9]{{4}}{_NOT_BEFORE_DIGIT}"
)
HOTLINE = re.compile(rf"{_NOT_AFTER_DIGIT}[48]00[- ]?[0-9]{{3}}[- ]?[0-9]{{4}}{_NOT_BEFORE_DIGIT}")
# Area codes are 010, 02x (three digits) or 0xxx (four); local numbers start with 2-9.
LANDLINE = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?:\((?:010|02[0-9]|0[3-9][0-9]{{2}})\)|(?:010|02[0-9]|0[3-9][0-9]{{2}}))"
    rf"[- ]?[2-9][0-9]{{6,7}}{_NOT_BEFORE_DIGIT}(?P<extension>-[0-9]{{1,4}}{_NOT_BEFORE_DIGIT})?"
)

# --- Roads and places on them.
EXPRESSWAY_NAMES = (
    "京港澳",
    "京沪",
    "京哈",
    "京藏",
    "京昆",
    "京台",
    "京新",
    "京津塘",
    "京承",
    "京开",
    "沈海",
    "沪昆",
    "沪蓉",
    "沪陕",
    "沪渝",
    "沪宁",
    "沪杭甬",
    "沪杭",
    "长深",
    "连霍",
    "青银",
    "福银",
    "杭瑞",
    "大广",
    "二广",
    "济广",
    "包茂",
    "兰海",
    "广深沿江",
    "广深",
    "甬台温",
    "杭州湾环线",
    "成渝",
    "成绵",
    "广佛",
    "深汕",
    "虎门",
    "南沙",
    "厦蓉",
    "汕昆",
    "济青",
    "京珠",
    "广乐",
    "泉南",
    "渝湘",
    "西汉",
    "机场",
    "外环",
    "绕城",
    "环城",
)
_ROAD_SUFFIX = r"(?:高速公路|高速|国道|省道|快速路|绕城|环线)"
# A national (G) or provincial (S) road number, optionally with its name: G4京港澳高速, S20外环.
ROAD_CODE = re.compile(
    rf"{_NOT_AFTER_ALNUM}(?P<code>[GS][0-9]{{1,4}}){_NOT_BEFORE_DIGIT}"
    rf"(?P<name>[{_CJK}]{{0,6}}?{_ROAD_SUFFIX})?"
    rf"(?P<english> ?(?:expressway|motorway|highway|freeway))?",
    re.IGNORECASE,
)
# A bare road code counts only when the words around it say it is a road ("在G15上", "G4往北").
ROAD_CODE_CONTEXT_BEFORE = re.compile(r"(?:在|走|上|从|经|跑|on|the|took) ?$", re.IGNORECASE)
ROAD_CODE_CONTEXT_AFTER = re.compile(
    r"^ ?(?:上|往|方向|出口|入口|南|北|东|西|K[0-9])", re.IGNORECASE
)
# A known expressway name; a city before 绕城/环城/机场 belongs to the name (杭州绕城高速).
EXPRESSWAY_NAME = re.compile(
    rf"(?P<city>[{_CJK}]{{2,3}}(?=绕城|环城|机场))?(?:{'|'.join(EXPRESSWAY_NAMES)})(?:高速公路|高速)"
)
KM_MARKER = re.compile(
    rf"{_NOT_AFTER_ALNUM}K ?(?P<km>[0-9]{{1,4}})(?: ?\+ ?(?P<metres>[0-9]{{1,3}}){_NOT_BEFORE_DIGIT}"
    rf"|(?=处|附近|左右|位置|的位置))",
    re.IGNORECASE,
)
# Named places: up to six Chinese characters before the keyword; leading function words are
# trimmed in entities.py ("停在了梅州服务区" gives "梅州服务区").
PLACE = re.compile(rf"(?P<name>[{_CJK}]{{0,6}})(?P<kind>服务区|收费站|隧道)")
PLACE_NAME_STOP_CHARS = frozenset(
    "在了到过进出离近从往是的个刚快就停于入那这该前后面里边我你他她们还又被把给让跟和与及说呢啊吧呀"
)
# Capitalised words before the keyword form the name ("Qinling Tunnel"); the keyword itself
# is case-insensitive.
ENGLISH_PLACE = re.compile(
    r"\b(?P<name>(?:[A-Z][a-z]+ ){0,3})(?P<kind>(?i:service area|toll station|toll gate|tunnel))\b"
)
ENGLISH_PLACE_STOP_WORDS = frozenset(
    {"The", "A", "An", "In", "At", "Near", "Inside", "Of", "I", "We", "My"}
)

# --- Mileage: "3万公里", "2.3w km", "35,000 km", "两万多公里", "12k miles".
_CN_NUMBER = "[零一二两三四五六七八九十百千半]+"
MILEAGE = re.compile(
    rf"{_NOT_AFTER_ALNUM}(?P<number>[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+(?:\.[0-9]+)?|{_CN_NUMBER})"
    r" ?(?P<wan>万|千|w|k)?(?P<approx>多|余|出头)? ?"
    r"(?P<unit>公里|千米|km|kms|kilometers|kilometres|miles|mi)"
    r"(?! ?/ ?h|每小时|/小时)"
    rf"(?:{_NOT_BEFORE_ALNUM}|(?<=[{_CJK}]))",
    re.IGNORECASE,
)
SPEED_BEFORE = re.compile(r"(?:时速|车速|速度|开到|飙到)\s*$")
DISTANCE_BEFORE = re.compile(r"(?:离|距|距离|还有|还剩|开了|走了|跑了不到|剩)\s*$")
DISTANCE_AFTER = re.compile(r"^(?:处|远|外|左右处|路|的路|就到|\s*away|\s*from)", re.IGNORECASE)
ODOMETER_BEFORE = re.compile(
    r"(?:里程|表显|行驶|跑了|开了快|公里数|总里程|odometer|mileage|at|has)[:：]?\s*(?:才|已经|快|有|了|刚)?\s*$",
    re.IGNORECASE,
)

# --- OBD-II diagnostic trouble codes: system letter, 0-3, three hex digits (P0A80, U0100).
# Not right after a province character: 粤B1234 is a mistyped plate, not a body code.
FAULT_CODE = re.compile(
    rf"{_NOT_AFTER_ALNUM}(?<![{PROVINCES}])[PCBU][0-3][0-9A-F]{{3}}{_NOT_BEFORE_ALNUM}",
    re.IGNORECASE,
)

# --- Dates.
ISO_DATE = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?P<year>20[0-9]{{2}}|19[0-9]{{2}})(?:[-/.]|年)(?P<month>[0-9]{{1,2}})"
    rf"(?:(?:[-/.]|月)(?P<day>[0-9]{{1,2}})(?:日|号)?{_NOT_BEFORE_DIGIT}|月)"
)
MONTH_DAY = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?P<month>[0-9]{{1,2}})月(?P<day>[0-9]{{1,2}})(?:日|号)"
)
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
ENGLISH_MONTHS = {name: index for index, name in enumerate(_MONTH_NAMES, start=1)}
ENGLISH_MONTHS.update({name[:3]: index for name, index in ENGLISH_MONTHS.items()})
ENGLISH_MONTHS["sept"] = 9
ENGLISH_DATE = re.compile(
    rf"\b(?P<mname>{'|'.join(sorted(ENGLISH_MONTHS, key=len, reverse=True))})\.? (?P<day>[0-9]{{1,2}})"
    r"(?:st|nd|rd|th)?(?:, ?(?P<year>20[0-9]{2}))?\b",
    re.IGNORECASE,
)
RELATIVE_DATE = re.compile(
    r"大前天|前天|昨天|昨日|昨晚|昨儿|今天|今日|今早|今晚|今儿|明天|后天|"
    r"上(?:周|星期|礼拜)[一二三四五六日天末]?|这(?:周|星期|礼拜)[一二三四五六日天末]?|上个月|本周|"
    r"前几天|前两天|[0-9一二两三四五六七八九十]+天前|"
    r"\b(?:today|yesterday|tomorrow|tonight|this morning|last (?:week|month|night|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)|[0-9]+ days ago)\b",
    re.IGNORECASE,
)
