"""A site's own rubrics: installed by administrators (CLI-free, over the real server), checked
before anything is stored, versioned with their history, and used by scoring."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from qa_assist.score import RubricError, RubricLibrary, RubricVersionClash, load_rubric
from qa_assist.score.library import _shipped_text

from .conftest import bearer

SHIPPED_GENERAL = _shipped_text("general")


def _general(version: str, greeting_points: str = "16") -> str:
    """The shipped general rubric under another version, the greeting worth other points."""
    own = load_rubric("general").version
    text = SHIPPED_GENERAL.replace(f'version: "{own}"', f'version: "{version}"')
    changed = text.replace("points: 15", f"points: {greeting_points}", 1)  # the greeting
    assert changed != SHIPPED_GENERAL
    return changed


def test_a_site_rubric_replaces_the_shipped_one_and_feeds_its_extensions(tmp_path: Path) -> None:
    library = RubricLibrary(tmp_path)
    assert library.source("general") == "shipped"
    installed = library.install(_general("site-1", "17"), "admin")
    assert installed.version == "site-1" and library.source("general") == "site"
    assert library.load("general").items[0].points == 17
    # Rescue extends general: the site's general, so its version names the site's.
    assert library.for_scenario("rescue").version.endswith("+general.site-1")
    assert library.for_scenario("consultation").id == "general"  # no rubric of its own
    kept = tmp_path / "history" / "general" / "site-1.yaml"
    assert kept.read_text(encoding="utf-8").startswith("# installed by admin at ")
    # The same version with other content would make old scores untraceable.
    with pytest.raises(RubricVersionClash, match="new version"):
        library.install(_general("site-1", "20"), "admin")
    with pytest.raises(RubricVersionClash, match="shipped one's"):
        library.install(_general(load_rubric("general").version, "20"), "admin")
    library.install(_general("site-1", "17"), "admin")  # the same text again is fine
    library.remove("general")
    assert library.load("general").version == load_rubric("general").version
    with pytest.raises(RubricError, match="no site rubric"):
        library.remove("general")


def test_a_bad_rubric_is_refused_naming_item_and_field(tmp_path: Path) -> None:
    library = RubricLibrary(tmp_path)
    broken = _general("site-2").replace("min_hits: 2", "min_hits: -1", 1)
    with pytest.raises(RubricError, match="item 'greeting' field checks.0"):
        library.install(broken, "admin")
    with pytest.raises(RubricError, match="not valid YAML"):
        library.install("id: [", "admin")
    assert not list(tmp_path.glob("*.yaml")) and library.source("general") == "shipped"


def test_rubrics_over_http(api: httpx.Client, server: str, accounts, settings) -> None:
    listing = api.get("/api/v1/rubrics").json()
    assert {"general", "rescue", "complaint", "fault"} <= {r["id"] for r in listing["data"]}
    assert "三角警示牌" in api.get("/api/v1/rubrics/rescue/yaml").text
    assert api.get("/api/v1/rubrics/nope").status_code == 404

    text = _general("http-1", "12").replace("id: general", "id: site-general")
    headers = {"Content-Type": "application/yaml"}
    qa = httpx.put(
        f"{server}/api/v1/rubrics/site-general",
        content=text.encode(),
        headers={**headers, **bearer(accounts["qa"])},
    )
    assert qa.status_code == 403 and "rubrics:admin" in qa.json()["detail"]
    wrong_id = api.put("/api/v1/rubrics/other", content=text.encode(), headers=headers)
    assert wrong_id.status_code == 422 and "not 'other'" in wrong_id.json()["detail"]
    bad = api.put(
        "/api/v1/rubrics/site-general",
        content=text.replace("points: 12", "points: many", 1).encode(),
        headers=headers,
    )
    assert bad.status_code == 422 and "field points: Input should be a valid number" in bad.text
    assert "item 'greeting'" in bad.json()["detail"]
    made = api.put("/api/v1/rubrics/site-general", content=text.encode(), headers=headers)
    assert made.status_code == 200, made.text
    assert made.json() | {"items": 0} == {
        "id": "site-general",
        "version": "http-1",
        "title_zh": "通用服务质检",
        "title_en": "General service call",
        "source": "site",
        "items": 0,
    }
    clash = api.put(
        "/api/v1/rubrics/site-general",
        content=text.replace("12", "13", 1).encode(),
        headers=headers,
    )
    assert clash.status_code == 409
    assert RubricLibrary(settings.resolved_rubrics_dir).load("site-general").items[0].points == 12
    assert api.delete("/api/v1/rubrics/site-general").status_code == 204
    assert api.delete("/api/v1/rubrics/site-general").status_code == 404
