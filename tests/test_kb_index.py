"""Index mechanics on a deterministic stand-in embedder (retrieval quality is tested on e5 in
test_kb_search.py): persistence, atomic writes, upsert and delete, version checks, the
automatic switch to IVF, filters, fusion and highlights."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from qa_assist.kb import (
    Filters,
    KbEntry,
    KbIndexError,
    KbIndexMissing,
    KnowledgeBase,
    Preference,
)
from qa_assist.kb import store as kb_store
from qa_assist.kb.bm25 import Bm25Index
from qa_assist.kb.fusion import reciprocal_rank_fusion
from qa_assist.settings import Settings


class HashEmbedder:
    """Sum of hash-seeded random vectors of a text's character bigrams: texts sharing words
    land near each other, and the same text always gets the same vector."""

    def __init__(self, version: str = "hash-v1", dimension: int = 48) -> None:
        self.version = version
        self.dimension = dimension
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for start in range(max(len(text) - 1, 1)):
            seed = zlib.crc32(text[start : start + 2].encode())
            vector += np.random.default_rng(seed).standard_normal(self.dimension)
        return vector / max(float(np.linalg.norm(vector)), 1e-9)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        vectors = [self._vector(text) for text in texts]
        return np.stack(vectors) if vectors else np.zeros((0, self.dimension), np.float32)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        return self.queries(texts)


_TOPICS = [
    "空调不制冷",
    "刹车异响",
    "充电桩充不进电",
    "车机黑屏",
    "胎压报警",
    "天窗漏水",
    "方向盘抖动",
]
_MODELS = ["Model Y", "汉EV", "ES6", "P7", "朗逸"]


def _entries(count: int, prefix: str = "e") -> list[KbEntry]:
    entries = []
    for number in range(count):
        topic = _TOPICS[number % len(_TOPICS)]
        model = _MODELS[number % len(_MODELS)]
        if number % 2:
            entries.append(
                KbEntry(
                    f"{prefix}{number}",
                    "case",
                    f"{model} {topic} {prefix}第{number}例",
                    f"客户反映{topic}。检查后处理第{number}号问题，故障码P{number:04d}。",
                    {
                        "vehicle_model": model,
                        "subsystem": f"sub{number % 3}",
                        "dtcs": [f"P{number:04d}"],
                    },
                )
            )
        else:
            entries.append(
                KbEntry(
                    f"{prefix}{number}",
                    "answer",
                    f"{topic}的标准答复{prefix}{number}",
                    f"您好，关于{topic}，请您按第{number}条说明操作。",
                    {"category": f"cat{number % 3}", "scenario": "fault", "vehicle_models": []},
                )
            )
    return entries


def _kb(root: Path, embedder: HashEmbedder | None = None, **settings: object) -> KnowledgeBase:
    return KnowledgeBase(
        root, embedder or HashEmbedder(), Settings(data_dir=root.parent, **settings)
    )


@pytest.fixture
def built(tmp_path: Path) -> KnowledgeBase:
    kb = _kb(tmp_path / "kb")
    kb.build(_entries(30))
    return kb


def test_a_built_index_reloads_with_the_same_answers(built: KnowledgeBase) -> None:
    fresh = _kb(built.root)
    for query in ["刹车异响", "P0013", "汉EV 天窗漏水"]:
        assert [h.id for h in fresh.search(query, 5)] == [h.id for h in built.search(query, 5)]
    manifest = json.loads((kb_store.live_generation(built.root) / "manifest.json").read_text())
    assert manifest["entries"] == 30 and manifest["dense_kind"] == "flat"
    assert manifest["encoder_version"] == "hash-v1"


def test_missing_index_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(KbIndexMissing, match="qa-assist kb build"):
        _kb(tmp_path / "nothing").search("刹车", 3)


def test_upsert_adds_and_replaces_and_only_embeds_the_new(built: KnowledgeBase) -> None:
    embedder = built.embedder
    before = embedder.calls
    replaced = KbEntry("e1", "case", "全新标题", "电机控制器烧蚀，更换控制器总成。", {})
    added = KbEntry("new-1", "answer", "ETC 设备激活", "请携带行驶证到服务网点激活ETC。", {})
    outcome = built.upsert([replaced, added])
    assert outcome.added == ("new-1",) and outcome.replaced == ("e1",)
    assert embedder.calls - before == 2
    fresh = _kb(built.root)
    assert fresh.index().size == 31
    assert fresh.get("e1").title == "全新标题"
    assert fresh.search("ETC 激活", 1)[0].id == "new-1"
    assert fresh.search("电机控制器烧蚀", 1, mode="bm25")[0].id == "e1"


def test_delete_removes_and_unknown_ids_change_nothing(built: KnowledgeBase) -> None:
    built.delete(["e3", "e4"])
    fresh = _kb(built.root)
    assert fresh.index().size == 28 and fresh.get("e3") is None
    assert all(hit.id not in ("e3", "e4") for hit in fresh.search("P0003 刹车异响", 10))
    with pytest.raises(KeyError, match="nope"):
        fresh.delete(["e5", "nope"])
    assert _kb(built.root).get("e5") is not None


def test_a_crash_at_the_swap_leaves_the_old_index(
    built: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_generation = kb_store.live_generation(built.root).name

    def crash(staged: Path, pointer: Path) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(kb_store, "_swap", crash)
    with pytest.raises(OSError, match="power cut"):
        built.upsert([KbEntry("ghost", "answer", "幽灵", "不应出现", {})])
    with pytest.raises(OSError, match="power cut"):
        built.delete(["e2"])
    monkeypatch.undo()
    for kb in (built, _kb(built.root)):
        assert kb.index().size == 30 and kb.get("ghost") is None and kb.get("e2") is not None
        assert kb.search("刹车异响", 3)
    assert kb_store.live_generation(built.root).name == old_generation
    # The next write succeeds and sweeps what the crash left behind.
    built.upsert([KbEntry("real", "answer", "真的", "出现", {})])
    assert _kb(built.root).get("real") is not None
    assert not [p for p in built.root.iterdir() if p.name.startswith((".staging", ".CURRENT."))]


def test_a_crash_while_writing_files_leaves_the_old_index(
    built: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: Bm25Index, folder: Path) -> None:
        (folder / "bm25_tf.npz").write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(Bm25Index, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        built.build(_entries(5, prefix="x"))
    monkeypatch.undo()
    fresh = _kb(built.root)
    assert fresh.index().size == 30 and fresh.get("x0") is None
    assert not [p for p in built.root.iterdir() if p.name.startswith(".staging")]


def test_another_encoder_or_format_is_refused(built: KnowledgeBase) -> None:
    with pytest.raises(KbIndexError, match="encoder hash-v1.*hash-v2.*qa-assist kb build"):
        _kb(built.root, HashEmbedder("hash-v2")).search("刹车", 3)
    manifest = kb_store.live_generation(built.root) / "manifest.json"
    payload = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**payload, "format_version": 0}))
    with pytest.raises(KbIndexError, match="format 0.*qa-assist kb build"):
        _kb(built.root).search("刹车", 3)


def test_dense_index_turns_ivf_above_the_threshold_and_back(tmp_path: Path) -> None:
    kb = _kb(tmp_path / "kb", kb_flat_max=200, kb_ivf_nprobe=64, kb_candidates=10)
    entries = _entries(150)
    kb.build(entries)
    assert kb.index().dense.kind == "flat"
    kb.upsert(_entries(200, prefix="more"))
    index = _kb(kb.root, kb_flat_max=200, kb_ivf_nprobe=64).index()
    assert index.dense.kind == "ivf" and index.size == 350
    assert type(index.dense.index).__name__ == "IndexIVFFlat"
    # Each entry's own text finds it first, through the IVF lists alone.
    for entry in entries[:20]:
        assert kb.search(entry.searchable_text(), 1, mode="dense")[0].id == entry.id
        # A filter too wide for the exact path goes through FAISS with an id selector.
        cases = kb.search(entry.searchable_text(), 5, Filters(collection="case"), mode="dense")
        assert {hit.collection for hit in cases} == {"case"}
        assert (cases[0].id == entry.id) == (entry.collection == "case")
    kb.delete([f"more{n}" for n in range(200)])
    assert kb.index().dense.kind == "flat" and kb.index().size == 150


def test_filters_apply_before_ranking(built: KnowledgeBase) -> None:
    cases = built.search("空调不制冷", 10, Filters(collection="case"))
    assert cases and {hit.collection for hit in cases} == {"case"}
    by_category = built.search("空调不制冷", 30, Filters(category="cat1"))
    assert by_category and {hit.metadata["category"] for hit in by_category} == {"cat1"}
    # 特斯拉MY is Model Y; answers for every model come along, other models' cases do not.
    tesla = built.search("刹车异响", 30, Filters(vehicle_model="特斯拉MY"))
    models = {hit.metadata.get("vehicle_model") for hit in tesla if hit.collection == "case"}
    assert models == {"Model Y"}
    assert any(hit.collection == "answer" for hit in tesla)
    assert built.search("刹车异响", 5, Filters(collection="case", category="cat1")) == []


def test_validity_dates_filter_standard_answers(tmp_path: Path) -> None:
    kb = _kb(tmp_path / "kb")
    promotion = {"valid_from": "2025-06-01", "valid_to": "2025-08-31"}
    kb.build(
        [
            KbEntry("summer", "answer", "夏季空调免费检测", "六到八月空调免费检测。", promotion),
            KbEntry("always", "answer", "空调检测收费标准", "空调检测收费八十元。", {}),
            KbEntry(
                "later",
                "answer",
                "新版空调检测",
                "明年起空调检测免费。",
                {"valid_from": "2026-01-01"},
            ),
        ]
    )

    def valid(day: str) -> set[str]:
        return {
            hit.id for hit in kb.search("空调检测", 5, Filters(valid_on=date.fromisoformat(day)))
        }

    assert valid("2025-07-15") == {"summer", "always"}
    assert valid("2025-08-31") == {"summer", "always"}
    assert valid("2025-09-01") == {"always"}
    assert valid("2026-03-01") == {"always", "later"}
    assert {hit.id for hit in kb.search("空调检测", 5)} == {"summer", "always", "later"}


def test_modes_and_preference(built: KnowledgeBase) -> None:
    bm25 = built.search("P0013", 3, mode="bm25")
    assert bm25[0].id == "e13" and bm25[0].ranks == {"bm25": 1}
    dense = built.search("P0013", 3, mode="dense")
    assert all(-1 <= hit.score <= 1 for hit in dense) and "bm25" not in dense[0].ranks
    plain = built.search("天窗漏水", 10)
    favoured = built.search(
        "天窗漏水", 10, prefer=Preference(scenario="fault", subsystem=None, bonus=5.0)
    )
    assert {hit.collection for hit in favoured[:3]} == {"answer"}
    assert [h.id for h in plain] != [h.id for h in favoured]


def test_highlights_mark_query_words_in_the_best_sentence(tmp_path: Path) -> None:
    kb = _kb(tmp_path / "kb")
    text = "您好，请先确认车辆停稳。<b>若</b>仪表报P0A80，请勿继续行驶。其他情况请联系门店。"
    kb.build([KbEntry("a", "answer", "高压电池故障", text, {}), *_entries(3)])
    hit = kb.search("仪表报P0A80怎么办", 1)[0]
    assert hit.id == "a"
    assert hit.passage == "<b>若</b>仪表报P0A80，请勿继续行驶。"
    assert text[hit.passage_span.start : hit.passage_span.end] == hit.passage
    # 报 is a query word too, but single characters are not marked.
    assert [text[s.start : s.end] for s in hit.highlights] == ["仪表", "P0A80"]
    assert (
        hit.passage_html
        == "&lt;b&gt;若&lt;/b&gt;<mark>仪表</mark>报<mark>P0A80</mark>，请勿继续行驶。"
    )
    other = kb.search("停稳 行驶", 1, mode="bm25")[0]
    assert [other.text[s.start : s.end] for s in other.highlights] == ["停稳", "行驶"]


def test_reciprocal_rank_fusion() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], k=60)
    assert [item for item, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_bm25_prefers_rare_words_and_short_documents() -> None:
    index = Bm25Index.from_documents(
        [["刹车", "异响"], ["刹车", "异响", "更换", "刹车片", "后", "正常"], ["空调"]]
    )
    scores = index.scores({"异响": 1.0})
    assert scores[0] > scores[1] > scores[2] == 0
    smaller = index.without([0])
    assert smaller.size == 2 and smaller.scores({"空调": 1.0})[1] > 0
