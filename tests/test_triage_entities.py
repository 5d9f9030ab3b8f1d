"""Entity extraction on hand-written ticket snippets."""

from __future__ import annotations

import unicodedata

import pytest

from qa_assist.triage import extract_entities
from qa_assist.triage.vin import check_digit, check_digit_required, has_vin_shape, is_valid_vin

# An independent check-digit implementation for the tests: in this string a character's
# index modulo 10 is its transliteration value (A=1 ... H=8, J=1 ... N=5, P=7, R=9, S=2 ... Z=9).
_VALUES = "0123456789.ABCDEFGH..JKLMN.P.R..STUVWXYZ"
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def reference_check_digit(vin: str) -> str:
    remainder = (
        sum(_VALUES.index(char) % 10 * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
        % 11
    )
    return "X" if remainder == 10 else str(remainder)


def with_reference_check_digit(vin: str) -> str:
    return vin[:8] + reference_check_digit(vin) + vin[9:]


CHINESE_VIN = with_reference_check_digit("LSVAU2180N2183294")  # SAIC Volkswagen WMI
TESLA_SHANGHAI_VIN = with_reference_check_digit("LRW3E7EK0PC812345")


def wrong_check_digit(vin: str) -> str:
    wrong = "1" if vin[8] != "1" else "2"
    return vin[:8] + wrong + vin[9:]


def test_reference_vins_have_the_published_check_digits():
    # 1M8GDM9AXKP042788 is the worked example of 49 CFR 565 (check digit X).
    assert reference_check_digit("1M8GDM9AXKP042788") == "X"
    assert check_digit("1M8GDM9AXKP042788") == "X"
    assert is_valid_vin("1M8GDM9AXKP042788")
    assert CHINESE_VIN == "LSVAU218XN2183294"
    assert check_digit(CHINESE_VIN) == CHINESE_VIN[8]
    assert check_digit(TESLA_SHANGHAI_VIN) == reference_check_digit(TESLA_SHANGHAI_VIN)


@pytest.mark.parametrize("vin", [CHINESE_VIN, TESLA_SHANGHAI_VIN, "1M8GDM9AXKP042788"])
def test_valid_vin_is_extracted_as_valid(vin):
    text = f"您好，车架号{vin}，麻烦查一下保修"
    (found,) = extract_entities(text).vins
    assert found.value == vin
    assert found.valid
    assert text[found.start : found.end] == vin


def test_chinese_vin_with_a_typo_is_extracted_but_invalid():
    typo = wrong_check_digit(CHINESE_VIN)
    (found,) = extract_entities(f"VIN:{typo}").vins
    assert found.value == typo
    assert not found.valid
    assert found.check_digit_required  # GB 16735 makes the check digit mandatory for L... VINs


def test_european_vin_does_not_require_the_check_digit():
    vin = wrong_check_digit(with_reference_check_digit("WBA8E1105KA123456"))
    (found,) = extract_entities(f"vin {vin}").vins
    assert not found.valid
    assert not check_digit_required(vin)


@pytest.mark.parametrize(
    "text",
    [
        "订单号11111111111111111请核对",  # 17 digits; its check digit even fits, but a VIN has letters
        "订单号12345678901234567",
        "身份证440301199001011234",  # 18 digits: no 17-character run inside a longer one
        "编号LSVAU218XN218329Q",  # Q is never used in a VIN
        "编号LSVAU218XN21832AB",  # the last four characters of a VIN are digits
        "编号LSVAU218XN21832945",  # 18 characters
    ],
)
def test_no_vin_in_runs_that_break_the_rules(text):
    assert extract_entities(text).vins == []


def test_vin_shape_rules():
    assert has_vin_shape(CHINESE_VIN)
    assert has_vin_shape(CHINESE_VIN.lower())
    assert not has_vin_shape("11111111111111111")
    assert not has_vin_shape("LSVAU218XN218329")


def test_full_width_and_lower_case_vin_keeps_original_offsets():
    full_width = (
        unicodedata.normalize("NFKC", CHINESE_VIN)
        .lower()
        .translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})
    )
    text = f"车架号：{full_width}。"
    (found,) = extract_entities(text).vins
    assert found.value == CHINESE_VIN
    assert found.valid
    assert text[found.start : found.end] == full_width


@pytest.mark.parametrize(
    ("text", "value", "new_energy"),
    [
        ("车牌粤B12345，在深圳", "粤B12345", False),
        ("车牌沪A3K7L9", "沪A3K7L9", False),
        ("浙A 88888的车", "浙A88888", False),
        ("粤AD12345新能源", "粤AD12345", True),
        ("京A·FA1234", "京AFA1234", True),
        ("川B D12345", "川BD12345", True),
        ("大车牌粤B12345D", "粤B12345D", True),
        ("牌照ｅ苏ｅ", None, False),
    ],
)
def test_plates(text, value, new_energy):
    plates = extract_entities(text).plates
    if value is None:
        assert plates == []
        return
    (plate,) = plates
    assert plate.value == value
    assert plate.new_energy is new_energy
    assert text[plate.start : plate.end].replace(" ", "").replace("·", "") == value


@pytest.mark.parametrize("text", ["粤B1234", "粤BI2345", "粤B1234567"])
def test_not_plates(text):
    assert extract_entities(text).plates == []


def test_plate_digits_are_not_fault_codes():
    entities = extract_entities("粤B12345和粤B1234")
    assert entities.fault_codes == []


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("电话13812345678", "13812345678", "mobile"),
        ("手机 138-1234-5678 谢谢", "13812345678", "mobile"),
        ("+86 199 1234 5678", "19912345678", "mobile"),
        ("座机0755-86001234", "075586001234", "landline"),
        ("(020)87654321-123", "02087654321", "landline"),
        ("服务热线400-820-1234", "4008201234", "hotline"),
        ("800 810 8888", "8008108888", "hotline"),
    ],
)
def test_phones(text, value, kind):
    (phone,) = extract_entities(text).phones
    assert (phone.value, phone.kind) == (value, kind)


@pytest.mark.parametrize(
    "text", ["打12315投诉", "编号13812345678901", "12812345678", "里程135000公里"]
)
def test_not_phones(text):
    assert extract_entities(text).phones == []


def test_motorway_km_marker_service_area_and_tunnel():
    text = (
        "昨天在G4京港澳高速K1234+500附近趴窝，后来拖到了梅州服务区；上周在秦岭终南山隧道里也停过。"
    )
    locations = {(item.kind, item.value) for item in extract_entities(text).locations}
    assert locations == {
        ("road", "G4京港澳高速"),
        ("km_marker", "K1234+500"),
        ("service_area", "梅州服务区"),
        ("tunnel", "秦岭终南山隧道"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("沈海高速往深圳方向", ("road", "沈海高速")),
        ("在G15上爆胎了", ("road", "G15")),
        ("S20外环高速出口", ("road", "S20外环高速")),
        ("杭州绕城高速", ("road", "杭州绕城高速")),
        ("在成都绕城高速上", ("road", "成都绕城高速")),
        ("K88+020处", ("km_marker", "K88+020")),
        ("停在了新桥服务区", ("service_area", "新桥服务区")),
        ("出了南沙收费站", ("toll_station", "南沙收费站")),
        ("stuck in the Qinling Tunnel", ("tunnel", "Qinling Tunnel")),
        ("on the G4 expressway", ("road", "G4 expressway")),
    ],
)
def test_locations(text, expected):
    assert expected in {(item.kind, item.value) for item in extract_entities(text).locations}


def test_model_codes_are_not_roads():
    entities = extract_entities("我的小鹏G9和问界M7")
    assert entities.locations == []
    assert [mention.model for mention in entities.vehicle_models] == ["G9", "M7"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("仪表报P0A80和U0100", ["P0A80", "U0100"]),
        ("ABS灯亮，码C1201", ["C1201"]),
        ("读出来b1318", ["B1318"]),
        ("P0级别的工单", []),
        ("P5000不是标准码", []),
        ("P0A80X", []),
    ],
)
def test_fault_codes(text, codes):
    assert [code.value for code in extract_entities(text).fault_codes] == codes


@pytest.mark.parametrize(
    ("text", "km", "kind"),
    [
        ("跑了3万公里", 30_000, "odometer"),
        ("两万多公里了", 20_000, "odometer"),
        ("表显2.3w公里", 23_000, "odometer"),
        ("at 35,000 km", 35_000, "odometer"),
        ("八千多公里", 8_000, "unspecified"),
        ("离出口还有5公里", 5, "distance"),
        ("12,000 miles", 12_000 * 1.609344, "unspecified"),
    ],
)
def test_mileage(text, km, kind):
    (mileage,) = extract_entities(text).mileages
    assert mileage.km == pytest.approx(km)
    assert mileage.kind == kind


@pytest.mark.parametrize("text", ["时速120公里的时候方向盘抖", "above 80 km/h it hums"])
def test_speeds_are_not_mileage(text):
    assert extract_entities(text).mileages == []


@pytest.mark.parametrize(
    ("text", "brand", "model"),
    [
        ("我的比亚迪汉冬天续航", "比亚迪", "汉"),
        ("特斯拉 Model Y", "特斯拉", "Model Y"),
        ("model y 充电慢", "特斯拉", "Model Y"),
        ("理想L7的空调", "理想", "L7"),
        ("蔚来ES6换电", "蔚来", "ES6"),
        ("ES6换电", "蔚来", "ES6"),
        ("小鹏G9", "小鹏", "G9"),
        ("大众帕萨特", "大众", "帕萨特"),
        ("帕萨特", "大众", "帕萨特"),
        ("卡罗拉双擎", "丰田", "卡罗拉"),
        ("问界M7", "问界", "M7"),
        ("BYD Seal", "比亚迪", "海豹"),
        ("开的是比亚迪", "比亚迪", None),
    ],
)
def test_vehicle_models(text, brand, model):
    (mention,) = extract_entities(text).vehicle_models
    assert (mention.brand, mention.model) == (brand, model)
    assert text[mention.start : mention.end] == mention.value


@pytest.mark.parametrize(
    "text", ["效果不太理想", "这个汉字", "M7那个号", "a door seal is loose", "I need to focus"]
)
def test_ordinary_words_are_not_vehicle_models(text):
    assert extract_entities(text).vehicle_models == []


@pytest.mark.parametrize(
    ("text", "kind", "iso"),
    [
        ("2024-05-01提的车", "absolute", "2024-05-01"),
        ("2023年11月20日", "absolute", "2023-11-20"),
        ("5月1日那天", "absolute", "--05-01"),
        ("3月12号", "absolute", "--03-12"),
        ("昨天开始", "relative", None),
        ("今天早上", "relative", None),
        ("bought it on May 3rd, 2024", "absolute", "2024-05-03"),
        ("since yesterday", "relative", None),
    ],
)
def test_dates(text, kind, iso):
    (date,) = extract_entities(text).dates
    assert (date.kind, date.iso) == (kind, iso)


def test_software_version_is_not_a_date():
    assert extract_entities("升级到2024.14.3以后").dates == []


def test_every_span_points_into_the_original_text():
    text = (
        "【工单】车型：蔚来ES6 车牌：粤ＡＤ１２３４５ ＶＩＮ："
        + CHINESE_VIN
        + " 电话：１３８ １２３４ ５６７８\n"
        "问题描述：２０２４-０５-０１在G4京港澳高速K１２３４+５００趴窝，跑了３万公里，报P0A80。"
    )
    entities = extract_entities(text)
    kinds = {type(item).__name__ for item in entities.all()}
    assert kinds == {
        "VehicleModelMention",
        "Plate",
        "Vin",
        "Phone",
        "DateMention",
        "Location",
        "Mileage",
        "FaultCode",
    }
    for item in entities.all():
        surface = unicodedata.normalize("NFKC", text[item.start : item.end])
        compact = surface.replace(" ", "").replace("-", "").upper()
        assert compact.startswith(item.value.replace(" ", "").replace("-", "").upper()[:3]), (
            item,
            surface,
        )
    assert entities.plates[0].value == "粤AD12345"
    assert entities.phones[0].value == "13812345678"
