"""Generate the labelled ticket data set ``tickets.jsonl`` from the template families in
:mod:`qa_assist.triage.data.ticket_families`.

    python -m qa_assist.triage.data.generate_tickets            # writes tickets.jsonl beside this file
    python -m qa_assist.triage.data.generate_tickets --check    # fails if the file is out of date

The output is a pure function of the seed and the templates: every family draws from its own
random stream (seeded by the family id), so adding a family does not change the others, and
splits are assigned per family, so near-duplicates never cross train/dev/test. Families
written after the test split was frozen (``TRAIN_DEV_FAMILIES``) go to train and dev only, so
the test split stays the one earlier measurements used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qa_assist.triage.data.ticket_families import (
    FAMILIES,
    TRAIN_DEV_FAMILIES,
    Family,
    LabelOverrides,
)
from qa_assist.triage.labels import PRIORITIES, SUBSYSTEMS, TICKET_TYPES
from qa_assist.triage.vehicle_models import VehicleModelInfo, load_catalogue
from qa_assist.triage.vin import VIN_ALPHABET, check_digit

SEED = 20240501
OUTPUT = Path(__file__).with_name("tickets.jsonl")
#: Shares of the families of each stratum; the rest is train. 17 % puts six to eight of the ~40
#: fault families of each subsystem in the test split.
SPLIT_SHARES = {"dev": 0.15, "test": 0.17}
#: Share of dev among the families written after the test split was frozen (train has the rest):
#: the same train/dev proportion as above.
LATER_DEV_SHARE = SPLIT_SHARES["dev"] / (1 - SPLIT_SHARES["test"])


# --------------------------------------------------------------------------- slot values
ZH_NUMERALS = "零一二三四五六七八九十"
PROVINCES = "粤粤粤京沪浙苏川鄂湘豫鲁闽陕渝津皖赣桂辽冀黑吉晋云贵琼"
PLATE_LETTERS = "ABCDEFGHJKLMN"
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
WMIS = ("LSV", "LFV", "LGB", "LVG", "LHG", "LGX", "LRW", "LNB", "LB3", "LDC", "LSG", "LVS", "LGW", "LJD",
        "LFM", "LE4", "LMG", "WBA", "WDD", "JTD", "5YJ", "1HG")  # fmt: skip
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "153", "155", "156", "158", "159", "166", "177", "180", "181", "182", "183", "185",
                   "186", "187", "188", "189", "199")  # fmt: skip
AREA_CODES = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0571", "0755",
              "0769", "0757", "0731", "0371", "0551", "0531", "0532", "0871")  # fmt: skip
CITIES = ("深圳", "广州", "上海", "北京", "杭州", "成都", "武汉", "西安", "长沙", "郑州", "南京", "重庆",
          "苏州", "东莞", "佛山", "合肥", "济南", "青岛", "天津", "昆明", "厦门", "宁波")  # fmt: skip
CITIES_EN = ("Shenzhen", "Guangzhou", "Shanghai", "Beijing", "Hangzhou", "Chengdu", "Wuhan", "Xi'an",
             "Nanjing", "Suzhou")  # fmt: skip
MOTORWAYS = (("G4", "京港澳"), ("G15", "沈海"), ("G60", "沪昆"), ("G2", "京沪"), ("G25", "长深"),
             ("G30", "连霍"), ("G42", "沪蓉"), ("G70", "福银"), ("G56", "杭瑞"), ("G45", "大广"),
             ("G55", "二广"), ("G65", "包茂"), ("G75", "兰海"), ("G72", "泉南"), ("G35", "济广"),
             ("G5", "京昆"), ("G3", "京台"), ("G1", "京哈"), ("G94", "珠三角环线"), ("S20", "外环"))  # fmt: skip
TUNNELS = ("秦岭终南山隧道", "雁门关隧道", "梧桐山隧道", "大帽山隧道", "铜锣山隧道", "二郎山隧道",
           "华蓥山隧道", "猫狸岭隧道", "西山隧道", "麦积山隧道", "大坪里隧道", "乌鞘岭隧道")  # fmt: skip
SERVICE_AREAS = ("梅州服务区", "京山服务区", "阳澄湖服务区", "新桥服务区", "南沙服务区", "太湖服务区",
                 "长沙西服务区", "窑湾服务区", "龙泉驿服务区", "永城服务区")  # fmt: skip
BRIDGES = ("虎门大桥", "杭州湾跨海大桥", "南京长江大桥", "武汉长江二桥", "南沙大桥", "苏通长江大桥")
CITY_PLACES = ("小区地下车库", "公司楼下", "万达广场门口", "人民路和中山路路口", "家门口", "学校门口",
               "超市门口的路边", "城中村的巷子里", "加油站旁边", "地铁站附近的路边", "菜市场门口",
               "建设路上", "医院门口", "我们小区门口", "科技园南区", "滨江路边上")  # fmt: skip
CITY_PLACES_EN = ("outside the Wanda Plaza on Jianshe Road", "on Shennan Road near the metro station",
                  "in front of my office on Keyuan Road", "at the junction of Renmin Road and Zhongshan Road",
                  "outside a supermarket in Futian", "in my residential compound", "near the city library")  # fmt: skip
NAMES_ZH = ("王先生", "李女士", "张师傅", "刘先生", "陈女士", "杨先生", "赵女士", "黄先生", "周女士", "吴先生",
            "林女士", "何先生", "郭女士", "马先生", "罗女士", "梁先生", "宋女士", "郑先生")  # fmt: skip
NAMES_EN = ("David Chen", "Lucy Zhang", "Kevin Wang", "Amy Liu", "Tom Huang", "Grace Lin", "Michael Zhou",
            "Sarah Wu", "Jason Li", "Emma Xu")  # fmt: skip
STORES = (
    "4S店",
    "店里",
    "你们的服务中心",
    "{city}那家4S店",
    "授权服务店",
    "交付中心",
    "售后服务站",
)
KIDS = ("孩子", "宝宝", "女儿", "儿子", "两岁的孩子", "我家小孩", "小朋友")
ELDERS = ("老人", "我妈", "我爸", "奶奶", "老爷子", "我姥姥", "老太太")
FEATURES = ("城市NOA", "哨兵模式", "座椅通风", "车道居中", "自动泊车", "语音免唤醒", "露营模式")
DTCS = {
    "pt": (
        "P0300",
        "P0301",
        "P0302",
        "P0171",
        "P0420",
        "P0128",
        "P0700",
        "P0016",
        "P0101",
        "P0113",
        "P0087",
    ),
    "bat": ("P0A80", "P0AFA", "P0A7F", "P0AA6", "P0A1F", "U0111", "P0D27", "P0A0D"),
    "brk": ("C1201", "C0035", "C0040", "C0110", "C1145", "C0265", "C0051"),
    "str": ("C0460", "C0545", "C0475", "U0131", "C0450"),
    "adas": ("U0235", "U0428", "C1B00", "U0126", "B2A10"),
    "body": ("B1000", "B1318", "B1342", "U0140", "B1601", "B1676"),
    "info": ("U0184", "U0155", "B1D00", "U0198"),
    "hvac": ("P0532", "B1262", "B10AD", "P0533", "B1479"),
    "ota": ("U0100", "U0001", "U3000", "U0073", "U0121"),
    "tyre": ("C0750", "C0755", "C0760", "C0765", "C2000"),
}


@dataclass
class Ticket:
    """One generated ticket with its labels."""

    text: str
    type: str
    subsystem: str | None
    priority: str
    escalation_risk: bool
    template: str
    lang: str
    split: str = ""
    id: str = ""


@dataclass
class Slots:
    """Slot values of one ticket: a value drawn once is reused if the slot appears again."""

    rng: random.Random
    lang: str
    overrides: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    vehicle: VehicleModelInfo | None = None

    def get(self, name: str) -> str:
        if name not in self.values:
            pool = self.overrides.get(name, name)
            self.values[name] = fill(POOLS[pool](self), self)
        return self.values[name]


def fill(template: str, slots: Slots) -> str:
    """Replace every ``{slot}`` (values may themselves contain slots)."""
    for _ in range(3):
        if "{" not in template:
            break
        template = re.sub(r"\{(\w+)\}", lambda m: slots.get(m.group(1)), template)
    return template


def _zh_small(n: int) -> str:
    return "两" if n == 2 else ZH_NUMERALS[n] if n <= 10 else str(n)


_CATALOGUE_MODELS = tuple(model for brand in load_catalogue() for model in brand.models)
_BRANDS = {brand.name: brand for brand in load_catalogue()}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _vehicle(slots: Slots, energies: tuple[str, ...], english: bool) -> str:
    if slots.vehicle is None or slots.vehicle.energy not in energies:
        slots.vehicle = slots.rng.choice([m for m in _CATALOGUE_MODELS if m.energy in energies])
    model = slots.vehicle
    brand = _BRANDS[model.brand]
    rng = slots.rng
    brand_names = [*brand.aliases, *brand.weak_aliases]
    model_names = [*model.aliases, *model.weak_aliases]
    if english:
        brand_name = next((b for b in brand_names if not _CJK.search(b)), brand.name)
        model_name = next((m for m in model_names if not _CJK.search(m)), model.name)
        return f"{brand_name} {model_name}"
    zh_brands = [b for b in brand_names if _CJK.search(b)] or [brand.name]
    standalone = [m for m in model.aliases if _CJK.search(m) and len(_CJK.findall(m)) >= 2]
    if standalone and rng.random() < 0.4:
        return rng.choice(standalone)
    gap = rng.choice(("", "", "", " "))
    return f"{rng.choice(zh_brands)}{gap}{model.name}"


ALL = ("ev", "phev", "erev", "ice")
PLUG = ("ev", "phev", "erev")
ENGINE = ("ice", "phev", "erev")


def _plate(slots: Slots) -> str:
    rng = slots.rng
    new_energy = slots.vehicle.energy != "ice" if slots.vehicle else rng.random() < 0.5
    head = rng.choice(PROVINCES) + rng.choice(PLATE_LETTERS)
    if new_energy:
        serial = (
            rng.choice("DF")
            + rng.choice(PLATE_CHARS.replace("Q", ""))
            + f"{rng.randint(0, 9999):04d}"
        )
    else:
        letters = rng.randint(0, 2)
        chars = [rng.choice("0123456789") for _ in range(5)]
        for index in rng.sample(range(5), letters):
            chars[index] = rng.choice("ABCEGHJKLMNPRSTUVWXYZ")
        serial = "".join(chars)
    separator = rng.choice(("", "", "", "", "·", " "))
    return head + separator + serial


def _vin(slots: Slots) -> str:
    rng = slots.rng
    alphabet = sorted(VIN_ALPHABET)
    body = (
        rng.choice(WMIS)
        + "".join(rng.choice(alphabet) for _ in range(5))
        + "0"
        + rng.choice("LMNPRS")
        + rng.choice(alphabet)
        + f"{rng.randint(0, 999999):06d}"
    )
    vin = body[:8] + check_digit(body) + body[9:]
    if rng.random() < 0.08:  # a typo somewhere: the check digit no longer fits
        wrong = rng.choice([d for d in "0123456789X" if d != vin[8]])
        vin = vin[:8] + wrong + vin[9:]
    return vin.lower() if rng.random() < 0.04 else vin


def _phone(slots: Slots) -> str:
    rng = slots.rng
    digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"
    style = rng.random()
    if style < 0.12:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style < 0.22:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style < 0.25:
        return "+86 " + digits
    return digits


def _landline(slots: Slots) -> str:
    rng = slots.rng
    code = rng.choice(AREA_CODES)
    local = (
        str(rng.randint(2, 8))
        + f"{rng.randint(0, 10**6 - 1):06d}"
        + ("" if len(code) == 4 and rng.random() < 0.3 else str(rng.randint(0, 9)))
    )
    return f"{code}-{local}" if rng.random() < 0.8 else f"({code}){local}"


def _motorway(slots: Slots) -> str:
    rng = slots.rng
    code, name = rng.choice(MOTORWAYS)
    return rng.choice(
        (
            f"{code}{name}高速",
            f"{name}高速",
            f"{code}高速",
            f"{name}高速往{rng.choice(CITIES)}方向",
            f"{code}{name}高速公路",
        )
    )


def _km(slots: Slots) -> str:
    rng = slots.rng
    return (
        f"K{rng.randint(12, 2400)}+{rng.randint(0, 999):03d}"
        if rng.random() < 0.85
        else f"K{rng.randint(12, 2400)}处"
    )


def _motorway_place(slots: Slots) -> str:
    rng = slots.rng
    road = _motorway(slots)
    return road + (
        _km(slots) if rng.random() < 0.5 else rng.choice(("上", "", "应急车道上", "快车道上"))
    )


def _motorway_en(slots: Slots) -> str:
    rng = slots.rng
    code, _ = rng.choice(MOTORWAYS[:-1])
    return rng.choice(
        (
            f"the {code} expressway",
            f"the {code} highway near {_km(slots).replace('处', '')}",
            f"the {code} motorway",
            f"the {rng.choice(CITIES_EN)} ring expressway",
        )
    )


def _mileage(slots: Slots) -> str:
    rng = slots.rng
    wan = rng.randint(1, 15)
    return rng.choice(
        (
            f"{wan}万公里",
            f"{wan}万多公里",
            f"{wan + rng.randint(1, 9) / 10:.1f}万公里",
            f"{wan * 10000 + rng.randint(0, 9999)}公里",
            f"{wan * 1000 + rng.randint(0, 999)}km",
            f"{wan}w公里",
            f"{_zh_small(min(wan, 10))}万多公里",
            f"{rng.randint(3, 9)}千多公里",
        )
    )


def _mileage_en(slots: Slots) -> str:
    rng = slots.rng
    thousands = rng.randint(3, 150)
    return rng.choice(
        (
            f"{thousands},{rng.randint(0, 999):03d} km",
            f"{thousands}k km",
            f"{thousands * 1000} km",
            f"{thousands},000 miles",
        )
    )


def _date(slots: Slots) -> str:
    rng = slots.rng
    year, month, day = rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        (
            f"{year}-{month:02d}-{day:02d}",
            f"{month}月{day}日",
            f"{month}月{day}号",
            f"{year}年{month}月{day}日",
            "昨天",
            "前天",
            "上周三",
            "今天早上",
            "上个月",
            "前几天",
            f"{year}/{month}/{day}",
        )
    )


def _date_en(slots: Slots) -> str:
    rng = slots.rng
    months = (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        (
            "yesterday",
            "last Monday",
            "last week",
            f"{months[month - 1]} {day}",
            f"on {months[month - 1][:3]} {day}th",
            f"2024-{month:02d}-{day:02d}",
            "this morning",
        )
    )


def _version(slots: Slots) -> str:
    rng = slots.rng
    if rng.random() < 0.5:
        return f"V{rng.randint(1, 5)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}"
    return f"{rng.randint(2023, 2025)}.{rng.randint(13, 44)}.{rng.randint(1, 9)}"  # 2024.14.3: not a date


def _choice(values: tuple[str, ...]) -> Callable[[Slots], str]:
    return lambda slots: slots.rng.choice(values)


def _number(low: int, high: int, fmt: str = "{}") -> Callable[[Slots], str]:
    return lambda slots: fmt.format(slots.rng.randint(low, high))


POOLS: dict[str, Callable[[Slots], str]] = {
    "car": lambda s: _vehicle(s, ALL, english=False),
    "ev": lambda s: _vehicle(s, ("ev",), english=False),
    "plug": lambda s: _vehicle(s, PLUG, english=False),
    "eng": lambda s: _vehicle(s, ENGINE, english=False),
    "car_en": lambda s: _vehicle(s, ALL, english=True),
    "ev_en": lambda s: _vehicle(s, ("ev",), english=True),
    "eng_en": lambda s: _vehicle(s, ENGINE, english=True),
    "plate": _plate,
    "vin": _vin,
    "phone": _phone,
    "landline": _landline,
    "hotline": lambda s: f"400-{s.rng.randint(100, 999)}-{s.rng.randint(1000, 9999)}",
    "name": _choice(NAMES_ZH),
    "name_en": _choice(NAMES_EN),
    "city": _choice(CITIES),
    "city_en": _choice(CITIES_EN),
    "store": _choice(STORES),
    "mw": _motorway,
    "mw_loc": _motorway_place,
    "mw_en": _motorway_en,
    "mw_loc_en": lambda s: "on " + _motorway_en(s),
    "km": _km,
    "tunnel": _choice(TUNNELS),
    "tunnel_loc": lambda s: (
        s.rng.choice(TUNNELS) + s.rng.choice(("里", "里面", "中间", "出口前一两百米"))
    ),
    "sa": _choice(SERVICE_AREAS),
    "bridge": _choice(BRIDGES),
    "city_loc": _choice(CITY_PLACES),
    "city_loc_en": _choice(CITY_PLACES_EN),
    "mileage": _mileage,
    "mileage_en": _mileage_en,
    "date": _date,
    "date_en": _date_en,
    "ver": _version,
    "feature": _choice(FEATURES),
    "kid": _choice(KIDS),
    "elder": _choice(ELDERS),
    "n": lambda s: _zh_small(s.rng.randint(2, 5)),
    "days": _number(3, 45),
    "price": _number(680, 8800),
    "fee": _number(35, 380),
    "pct": _number(3, 18),
    "temp": _number(3, 18, "零下{}"),
    "hot": _number(35, 39),
    "dc": _number(22, 45),
    "bar": lambda s: f"{s.rng.randint(15, 21) / 10:.1f}",
    "wechat": _number(1000, 9999, "chemo{}"),
    "company": _choice(
        ("深圳市星河科技有限公司", "广州恒远贸易有限公司", "杭州云帆网络科技有限公司", "个人")
    ),
    "email": _choice(("lucy.zhang@example.com", "k.wang@example.cn", "amy_liu88@example.com")),
    **{f"dtc_{key}": _choice(codes) for key, codes in DTCS.items()},
}


# --------------------------------------------------------------------------- noise
# Typos and colloquial swaps seen in real tickets. They never touch safety phrases: the
# safety rules are measured on this data and we want to measure phrasing, not our own noise.
TYPOS = (("已经", "以经"), ("现在", "现再"), ("怎么", "咋"), ("什么", "啥"), ("一下", "一哈"), ("师傅", "师父"),
         ("维修", "维休"), ("保养", "保样"), ("预约", "预越"), ("问题", "问提"), ("知道", "造"), ("没有", "木有"),
         ("谢谢", "谢谢谢谢"), ("这个", "这个这个"), ("的时候", "滴时候"), ("麻烦", "麻烦麻烦"), ("一直", "一只"),
         ("仪表", "仪标"), ("好像", "好象"), ("应该", "因该"))  # fmt: skip
ASR_SWAPS = (("电瓶", "电平"), ("仪表", "一表"), ("保养", "保样"), ("空调", "空条"), ("中控", "中空"),
             ("导航", "导行"), ("续航", "需航"), ("蓝牙", "兰牙"), ("胎压", "台压"), ("雨刮", "雨挂"),
             ("异响", "意响"), ("4S店", "四S店"), ("APP", "a屁屁"), ("OTA", "OT a"), ("故障灯", "故障等"),
             ("充电桩", "充电装"))  # fmt: skip
FILLERS = ("嗯", "呃", "那个", "就是", "然后", "那个那个", "就是说")
EMOJIS = {
    "upset": ("😭", "😡", "🙏", "😤", "😰", "😩", "❗", "🤬"),
    "calm": ("🙏", "🤔", "😅", "👍", "😊", "🙂"),
}
_PUNCT = re.compile(r"[，。！？、；]")
_FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def typos(text: str, rng: random.Random, rate: float) -> str:
    for right, wrong in TYPOS:
        if right in text and rng.random() < rate:
            text = text.replace(right, wrong, 1)
    return text


def run_on(text: str, rng: random.Random) -> str:
    """Drop punctuation as hasty typists do (sometimes leaving spaces)."""
    return _PUNCT.sub(lambda _: rng.choice(("", " ", "")), text)


def to_fullwidth(text: str) -> str:
    """Full-width ASCII as some input methods type it (ＶＩＮ，１３８…)."""
    return "".join(
        chr(_FULLWIDTH.get(ord(char), ord(char))) if char.isascii() and char not in " \n" else char
        for char in text
    )


def asr(text: str, rng: random.Random) -> str:
    """Make a sentence look like speech recognition output: swaps, fillers, little punctuation."""
    for right, wrong in ASR_SWAPS:
        if right in text and rng.random() < 0.5:
            text = text.replace(right, wrong)
    clauses = [clause for clause in _PUNCT.split(text) if clause]
    spoken = []
    for clause in clauses:
        if rng.random() < 0.35:
            clause = rng.choice(FILLERS) + " " + clause
        spoken.append(clause)
    separator = rng.choice((" ", "，", " "))
    return separator.join(spoken)


# --------------------------------------------------------------------------- styles
def style_plain(body: str, ticket: Ticket, slots: Slots) -> str:
    rng = slots.rng
    if ticket.lang == "en":
        if rng.random() < 0.15:
            body = body.lower().replace("'", "")
        return body
    if rng.random() < 0.12:
        body = run_on(body, rng)
    if ticket.priority in ("P0", "P1") and rng.random() < 0.3:
        body = body.rstrip("。") + rng.choice(("！！！", "！！", "，急！", "，在线等"))
    return body


def style_chat(body: str, ticket: Ticket, slots: Slots) -> str:
    rng = slots.rng
    parts = [part.strip() for part in re.split(r"(?<=[，。！？,.!?])", body) if part.strip()]
    messages: list[str] = []
    while parts:
        take = rng.randint(1, 3)
        joiner = " " if ticket.lang == "en" else ""
        messages.append(joiner.join(parts[:take]).rstrip("，,。."))
        parts = parts[take:]
    if rng.random() < 0.5:
        messages.insert(0, rng.choice(("在吗", "你好", "hello", "客服在吗？", "有人吗", "hi")))
    if rng.random() < 0.6:
        index = rng.randrange(len(messages))
        mood = "calm" if ticket.priority == "P3" else "upset"
        messages[index] += rng.choice(EMOJIS[mood])
    if ticket.priority in ("P0", "P1") and rng.random() < 0.4:
        messages.append(rng.choice(("快点回复！！", "急急急", "？？？", "人呢", "help!!")))
    elif rng.random() < 0.3:
        messages.append(rng.choice(("谢谢", "麻烦了🙏", "thx", "好的", "?")))
    return "\n".join(messages)


AGENT_OPENINGS = ("客服：您好，这里是车主服务中心，请问有什么可以帮您？", "坐席：您好，很高兴为您服务，请讲。",
                  "客服：您好，请问有什么可以帮到您？")  # fmt: skip
AGENT_CLOSINGS = ("客服：好的，已经为您记录，稍后会有专员联系您。", "坐席：好的，我这边马上帮您处理，请保持电话畅通。",
                  "客服：收到，请您稍等，我们尽快安排。")  # fmt: skip


def style_transcript(body: str, ticket: Ticket, slots: Slots) -> str:
    rng = slots.rng
    customer = rng.choice(("客户", "来电人", "车主"))
    lines = [rng.choice(AGENT_OPENINGS), f"{customer}：{asr(body, rng)}"]
    if ticket.type in ("fault", "rescue", "complaint"):
        lines.append(
            rng.choice(
                ("客服：好的，请问您的车牌号和联系电话是多少？", "坐席：麻烦提供一下车牌号码。")
            )
        )
        lines.append(
            f"{customer}：{rng.choice(('车牌是', '牌照', '嗯 是'))}{slots.get('plate')} 电话{slots.get('phone')}"
        )
    lines.append(rng.choice(AGENT_CLOSINGS))
    return "\n".join(lines)


def style_email(body: str, ticket: Ticket, slots: Slots) -> str:
    rng = slots.rng
    if ticket.lang == "en":
        subject = rng.choice(
            (
                "Regarding my car",
                "Service request",
                "(no subject)",
                f"My {slots.get('car_en')}",
                "Urgent",
            )
        )
        greeting = rng.choice(("Hi,", "Hello,", "Dear team,", "To whom it may concern,"))
        sign_off = rng.choice(("Regards,", "Thanks,", "Best,"))
        return (
            f"Subject: {subject}\n\n{greeting}\n\n{body}\n\n"
            f"{sign_off}\n{slots.get('name_en')}\n{slots.get('phone')}"
        )
    subject = rng.choice(
        (
            "关于我的车",
            f"{slots.get('car')}车主来信",
            "来信",
            "（无主题）",
            "车辆相关",
            "请尽快处理",
        )
    )
    greeting = rng.choice(("您好：", "你好，", "尊敬的客服：", "客服你好"))
    closing = rng.choice(("谢谢！", "盼复。", "此致\n敬礼", "麻烦尽快回复。"))
    return f"主题：{subject}\n\n{greeting}\n{body}\n\n{closing}\n{slots.get('name')}\n联系电话：{slots.get('phone')}"


def style_form(body: str, ticket: Ticket, slots: Slots) -> str:
    rng = slots.rng
    fields = [f"车型：{slots.get('car')}", f"车牌号：{slots.get('plate')}"]
    if rng.random() < 0.6:
        fields.append(f"VIN：{slots.get('vin')}")
    fields.append(f"联系电话：{slots.get('phone')}")
    rng.shuffle(fields)
    separator = rng.choice(("\n", " | ", "；"))
    channel = rng.choice(("在线工单", "400来电登记", "APP反馈", "微信工单"))
    return f"【{channel}】{separator}{separator.join(fields)}{separator}问题描述：{body}"


STYLES: dict[str, Callable[[str, Ticket, Slots], str]] = {
    "plain": style_plain,
    "chat": style_chat,
    "transcript": style_transcript,
    "email": style_email,
    "form": style_form,
}
DEFAULT_STYLES = {
    "zh": ("plain", "plain", "plain", "chat", "chat", "transcript", "email", "form"),
    "en": ("plain", "plain", "email", "chat"),
}


# --------------------------------------------------------------------------- generation
def family_rng(seed: int, family_id: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{family_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def render_family(family: Family, seed: int) -> list[Ticket]:
    """All tickets of one family; cases (e.g. city vs motorway) alternate."""
    rng = family_rng(seed, family.id)
    tickets = []
    for index in range(family.count):
        # Cycle phrasings fastest and cases slower, so every phrasing meets every case.
        phrasing = family.phrasings[index % len(family.phrasings)]
        no_case: tuple[dict[str, str], LabelOverrides] = ({}, {})
        overrides, labels = (
            family.cases[(index // len(family.phrasings)) % len(family.cases)]
            if family.cases
            else no_case
        )
        slots = Slots(rng=rng, lang=family.lang, overrides=dict(overrides or {}))
        ticket = Ticket(
            text="",
            type=family.type,
            subsystem=labels.get("subsystem", family.subsystem),
            priority=labels.get("priority", family.priority),
            escalation_risk=labels.get("escalation", family.escalation),
            template=family.id,
            lang=family.lang,
        )
        body = fill(phrasing, slots)
        if family.lang == "zh":
            body = typos(body, rng, rate=0.12)
        styles = family.styles or DEFAULT_STYLES[family.lang]
        if family.type == "other" and not family.styles:
            styles = tuple(
                style for style in styles if style != "form"
            )  # no vehicle form for a job application
        style = rng.choice(styles)
        text = STYLES[style](body, ticket, slots)
        if family.lang == "zh" and rng.random() < 0.05:
            text = to_fullwidth(text)
        ticket.text = text.strip()
        tickets.append(ticket)
    return tickets


def _stratum(family: Family) -> str:
    # Faults by subsystem, so that every subsystem is measured on several test families;
    # the other types by priority.
    if family.type == "fault":
        return f"fault/{family.subsystem}"
    return f"{family.type}/{family.priority}"


def _shuffled_strata(families: tuple[Family, ...], rng: random.Random) -> list[list[Family]]:
    """The families of each stratum, in a shuffled order drawn from ``rng``."""
    by_stratum: dict[str, list[Family]] = {}
    for family in families:
        by_stratum.setdefault(_stratum(family), []).append(family)
    strata = []
    for members in by_stratum.values():
        members = sorted(members, key=lambda f: f.id)
        rng.shuffle(members)
        strata.append(members)
    return strata


def assign_splits(families: tuple[Family, ...], seed: int) -> dict[str, str]:
    """Split families ~68/15/17 so that every label value and both languages occur in every split.

    Families are stratified by type and priority (faults by subsystem); a shuffle that leaves some label out of a
    split is retried with the next attempt number (deterministically).
    """
    for attempt in range(1000):
        rng = random.Random(f"{seed}:split:{attempt}")
        splits: dict[str, str] = {}
        for members in _shuffled_strata(families, rng):
            count = len(members)
            n_test = max(1, round(count * SPLIT_SHARES["test"])) if count >= 3 else 0
            n_dev = max(1, round(count * SPLIT_SHARES["dev"])) if count >= 3 else 0
            for index, family in enumerate(members):
                splits[family.id] = (
                    "test" if index < n_test else "dev" if index < n_test + n_dev else "train"
                )
        if _covers_all(families, splits):
            return splits
    raise RuntimeError("no split assignment covers every label in every split")


def assign_train_dev(families: tuple[Family, ...], seed: int) -> dict[str, str]:
    """Split the families written after the test split was frozen between train and dev only,
    stratified as :func:`assign_splits` does."""
    rng = random.Random(f"{seed}:split:later")
    splits: dict[str, str] = {}
    for members in _shuffled_strata(families, rng):
        n_dev = round(len(members) * LATER_DEV_SHARE)
        for index, family in enumerate(members):
            splits[family.id] = "dev" if index < n_dev else "train"
    return splits


def _labels_of(family: Family) -> set[tuple[str, str]]:
    labels = {("type", family.type), ("lang", family.lang)}
    for _, overrides in family.cases or (({}, {}),):
        labels.add(("priority", overrides.get("priority", family.priority)))
        subsystem = overrides.get("subsystem", family.subsystem)
        labels.add(("subsystem", subsystem or "null"))
    return labels


def _covers_all(families: tuple[Family, ...], splits: dict[str, str]) -> bool:
    wanted = {("type", t) for t in TICKET_TYPES} | {("priority", p) for p in PRIORITIES}
    wanted |= {("subsystem", s) for s in SUBSYSTEMS} | {
        ("subsystem", "null"),
        ("lang", "zh"),
        ("lang", "en"),
    }
    for split in ("train", "dev", "test"):
        seen: set[tuple[str, str]] = set()
        for family in families:
            if splits[family.id] == split:
                seen |= _labels_of(family)
        if not wanted <= seen:
            return False
    return True


def validate_families(families: tuple[Family, ...]) -> None:
    """Fail early on a mislabelled family (typos in label ids, duplicate ids)."""
    ids = Counter(family.id for family in families)
    duplicates = [family_id for family_id, count in ids.items() if count > 1]
    if duplicates:
        raise ValueError(f"duplicate family ids: {duplicates}")
    for family in families:
        for _, overrides in family.cases or (({}, {}),):
            priority = overrides.get("priority", family.priority)
            subsystem = overrides.get("subsystem", family.subsystem)
            if family.type not in TICKET_TYPES or priority not in PRIORITIES:
                raise ValueError(f"{family.id}: bad type or priority")
            if subsystem is not None and subsystem not in SUBSYSTEMS:
                raise ValueError(f"{family.id}: bad subsystem {subsystem!r}")
            if family.type in ("consultation", "other") and subsystem is not None:
                raise ValueError(f"{family.id}: consultations and others have no subsystem")
            if family.type == "fault" and subsystem is None:
                raise ValueError(f"{family.id}: a fault needs a subsystem")
        for phrasing in family.phrasings:
            for slot in re.findall(r"\{(\w+)\}", phrasing):
                if slot not in POOLS and not any(slot in (o or {}) for o, _ in family.cases):
                    raise ValueError(f"{family.id}: unknown slot {{{slot}}}")


def generate(seed: int = SEED) -> list[Ticket]:
    """The whole data set: tickets of every family, split, de-duplicated, shuffled, numbered."""
    every_family = FAMILIES + TRAIN_DEV_FAMILIES
    validate_families(every_family)
    splits = assign_splits(FAMILIES, seed) | assign_train_dev(TRAIN_DEV_FAMILIES, seed)
    tickets: list[Ticket] = []
    seen_texts: set[str] = set()
    for family in every_family:
        for ticket in render_family(family, seed):
            if ticket.text in seen_texts:
                continue  # identical text twice would leak between splits or weight one ticket double
            seen_texts.add(ticket.text)
            ticket.split = splits[family.id]
            tickets.append(ticket)
    random.Random(seed).shuffle(tickets)
    for number, ticket in enumerate(tickets, start=1):
        ticket.id = f"T{number:05d}"
    return tickets


def to_jsonl(tickets: list[Ticket]) -> str:
    keys = (
        "id",
        "text",
        "type",
        "subsystem",
        "priority",
        "escalation_risk",
        "template",
        "split",
        "lang",
    )
    return "".join(
        json.dumps({key: getattr(t, key) for key in keys}, ensure_ascii=False) + "\n"
        for t in tickets
    )


def summary(tickets: list[Ticket]) -> str:
    lines = [f"{len(tickets)} tickets from {len({t.template for t in tickets})} template families"]
    for name, key in (
        ("split", "split"),
        ("type", "type"),
        ("subsystem", "subsystem"),
        ("priority", "priority"),
        ("lang", "lang"),
    ):
        counts = Counter(str(getattr(t, key)) for t in tickets)
        lines.append(
            f"{name:>10}: "
            + ", ".join(f"{value}={count}" for value, count in sorted(counts.items()))
        )
    lines.append(f"escalation: {sum(t.escalation_risk for t in tickets)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="fail if the output file is out of date"
    )
    args = parser.parse_args(argv)
    tickets = generate(args.seed)
    content = to_jsonl(tickets)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != content:
            print(
                f"{args.output} is out of date: run python -m qa_assist.triage.data.generate_tickets"
            )
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(content, encoding="utf-8")
    print(summary(tickets))
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
