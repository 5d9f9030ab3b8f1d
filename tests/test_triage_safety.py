"""Safety flags and escalation signals on hand-written snippets (the data set is checked in
test_triage_data.py)."""

from __future__ import annotations

import pytest

from qa_assist.triage import escalation_signals, is_safety_critical, safety_flags


def rules_of(text: str) -> set[str]:
    return {flag.rule_id for flag in safety_flags(text)}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("车子着火了，人已经下来了", "fire"),
        ("发动机舱冒烟了！！", "smoke"),
        ("my car is on fire", "fire"),
        ("仪表报电池温度过高，提示立即停车", "thermal_runaway"),
        ("电池包鼓包了", "thermal_runaway"),
        ("下坡的时候刹车突然失灵了", "brake_failure"),
        ("刹不住车！", "brake_failure"),
        ("the brake pedal went to the floor", "brake_failure"),
        ("开着开着方向盘突然打不动了", "steering_failure"),
        ("在京港澳高速上，车突然熄火了", "motorway_or_tunnel_stranding"),
        ("G15沈海高速K1234+500爆胎了", "motorway_or_tunnel_stranding"),
        ("车在秦岭终南山隧道里趴窝了", "motorway_or_tunnel_stranding"),
        ("a flat tyre on the Wuhan ring expressway", "motorway_or_tunnel_stranding"),
        ("孩子被锁在车里了", "person_locked_in"),
        ("我妈被困在车里出不来", "person_locked_in"),
        ("baby locked in the car", "person_locked_in"),
        ("在高速上被后车追尾了", "accident"),
        ("气囊都弹出来了", "accident"),
        ("we were rear-ended at a light", "accident"),
        ("对方人受伤了", "injury"),
        ("车子自己突然加速往前冲", "unintended_acceleration"),
        ("水已经淹到车门了", "flood_trapped"),
        ("拔枪的时候被电了一下", "electric_shock"),
    ],
)
def test_rules_fire(text, rule):
    assert rule in rules_of(text)
    assert is_safety_critical(text)


@pytest.mark.parametrize(
    "text",
    [
        "发动机故障灯亮了，没有冒烟也没有异味",  # negation
        "看了一下没冒烟，就是有点抖",
        "冒烟倒是没有，就是有点焦味",
        "no smoke, just a warning light",
        "it didn't catch fire, thankfully",
        "车打不着火了，一直咔咔响",  # 着火 inside 打不着火 means "will not start"
        "点不着火，电瓶可能亏电",
        "排气管冒白烟，冷却液也少了",  # exhaust smoke is an engine fault
        "空调出风口冒白雾",
        "电动车会不会自燃？",  # hypothetical
        "充电的时候会着火吗",
        "万一刹车失灵了怎么办",
        "What should I do if the brakes fail?",
        "I'm worried it could catch fire",
        "后车差点追尾",  # near miss
        "前碰撞预警一直误报",  # a feature name, not a collision
        "停车的时候撞到马路牙子了",  # kerb strike
        "在小区地库爆胎了",  # flat tyre in a city car park: P1, not P0
        "车在梅州服务区趴窝了",  # a service area is a safe place to wait
        "钥匙锁车里了，车门打不开",  # nobody inside
        "方向盘锁死了，钥匙拧不动",  # the steering lock of a parked car
        "高速上开到120方向盘抖",  # motorway, but not stranded
        "没有人受伤，只是车门凹了",
        "刹车有点异响，刹车片快磨没了",
    ],
)
def test_rules_do_not_fire(text):
    assert safety_flags(text) == [], safety_flags(text)


def test_a_negated_clause_does_not_hide_the_next_one():
    assert rules_of("没有人受伤，但是车头在冒烟") == {"smoke"}


def test_flag_span_and_context():
    text = "喂，我在G4京港澳高速K1234+500，车子熄火了"
    (flag,) = safety_flags(text)
    assert flag.rule_id == "motorway_or_tunnel_stranding"
    assert text[flag.start : flag.end] == flag.phrase == "熄火"
    assert flag.context in {"G4", "高速"}  # the companion phrase that puts the car on a motorway


def test_full_width_text_keeps_original_spans():
    text = "ＴＨＥ ＣＡＲ ＩＳ ＯＮ ＦＩＲＥ"
    (flag,) = safety_flags(text)
    assert flag.rule_id == "fire"
    assert text[flag.start : flag.end] == "ＯＮ ＦＩＲＥ"


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("再不解决我就去网上曝光", "media"),
        ("我要发抖音", "media"),
        ("I'll post everything on Weibo", "media"),
        ("我已经打了12315", "regulator"),
        ("去消协投诉你们", "regulator"),
        ("我已经找了律师", "legal"),
        ("不然就起诉", "legal"),
        ("I will take legal action", "legal"),
        ("投诉了好几次了", "repeat"),
        ("第三次进店了", "repeat"),
        ("This is the third time I call", "repeat"),
        ("我要求退车", "refund"),
        ("必须退款", "refund"),
        ("I want a refund", "refund"),
        ("我也不想闹到12315", "regulator"),  # a veiled threat still counts: no negation guard
    ],
)
def test_escalation_signals(text, signal):
    signals = escalation_signals(text)
    assert signal in {found.signal for found in signals}
    for found in signals:
        assert text[found.start : found.end] == found.phrase


@pytest.mark.parametrize("text", ["车牌粤B12345", "置换新车有补贴吗", "空调不太凉，麻烦看看"])
def test_no_escalation_signals(text):
    assert escalation_signals(text) == []
