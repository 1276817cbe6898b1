"""The safetensors file format, written and read by hand (the `safetensors` package cannot be
installed on these machines, yet the backend and users expect the real format).

Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON mapping each
tensor name to ``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets relative to the
byte buffer that follows) plus an optional ``__metadata__`` object of string → string; then the
byte buffer, every tensor little-endian and C-contiguous, with no gaps and no overlaps.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

import numpy as np
import torch

_DTYPES: dict[torch.dtype, tuple[str, int]] = {
    torch.float32: ("F32", 4),
    torch.float16: ("F16", 2),
    torch.bfloat16: ("BF16", 2),
    torch.float64: ("F64", 8),
    torch.int64: ("I64", 8),
    torch.int32: ("I32", 4),
}
_BY_NAME = {name: (dtype, size) for dtype, (name, size) in _DTYPES.items()}
# numpy has no bfloat16: BF16 travels through its 16-bit integer view.
_NUMPY = {"F32": "<f4", "F16": "<f2", "BF16": "<i2", "F64": "<f8", "I64": "<i8", "I32": "<i4"}
_ALIGN = 8


class SafetensorsError(ValueError):
    """The bytes break a rule of the format."""


def _tensor_bytes(tensor: torch.Tensor, dtype_name: str) -> bytes:
    t = tensor.detach().cpu().contiguous()
    if dtype_name == "BF16":
        t = t.view(torch.int16)
    return t.numpy().astype(_NUMPY[dtype_name], copy=False).tobytes(order="C")


def serialize(tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> bytes:
    """Tensors in name order, so equal inputs give byte-identical files; the header is padded
    with spaces to 8 bytes so every tensor starts aligned, as the reference writer does."""
    header: dict[str, Any] = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsError("__metadata__ keys and values must be strings")
        header["__metadata__"] = dict(metadata)
    chunks: list[bytes] = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise SafetensorsError("a tensor cannot be named __metadata__")
        tensor = tensors[name]
        if tensor.dtype not in _DTYPES:
            raise SafetensorsError(f"{name}: unsupported dtype {tensor.dtype}")
        dtype_name = _DTYPES[tensor.dtype][0]
        data = _tensor_bytes(tensor, dtype_name)
        header[name] = {
            "dtype": dtype_name,
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-(8 + len(text)) % _ALIGN)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write_file(
    path: str, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None
) -> None:
    """Writes through a temporary file and a rename, so a reader (or a cancelled run) never
    sees half a file."""
    data = serialize(tensors, metadata)
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def parse(data: bytes) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Reads and checks every rule the writer follows; returns the tensors and metadata."""
    if len(data) < 8:
        raise SafetensorsError("file shorter than the 8-byte header length")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise SafetensorsError(f"header length {length} runs past the end of the file")
    raw = data[8 : 8 + length]
    if not raw.startswith(b"{"):
        raise SafetensorsError("header must start with '{'")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SafetensorsError(f"header is not UTF-8 JSON: {exc}") from None
    if not isinstance(header, dict):
        raise SafetensorsError("header must be a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise SafetensorsError("__metadata__ must map strings to strings")
    buffer = data[8 + length :]
    tensors: dict[str, torch.Tensor] = {}
    spans = []
    for name, info in header.items():
        dtype_name, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype_name not in _BY_NAME:
            raise SafetensorsError(f"{name}: unknown dtype {dtype_name!r}")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise SafetensorsError(f"{name}: shape must be a list of non-negative integers")
        if not (isinstance(offsets, list) and len(offsets) == 2 and 0 <= offsets[0] <= offsets[1]):
            raise SafetensorsError(f"{name}: data_offsets must be [begin, end] with begin <= end")
        if offsets[1] > len(buffer):
            raise SafetensorsError(f"{name}: data_offsets run past the end of the file")
        dtype, size = _BY_NAME[dtype_name]
        count = 1
        for dim in shape:
            count *= dim
        if offsets[1] - offsets[0] != count * size:
            raise SafetensorsError(
                f"{name}: {offsets[1] - offsets[0]} bytes for shape {shape} {dtype_name}"
            )
        spans.append((offsets[0], offsets[1], name))
        array = np.frombuffer(buffer[offsets[0] : offsets[1]], dtype=_NUMPY[dtype_name]).copy()
        tensor = torch.from_numpy(array)
        if dtype_name == "BF16":
            tensor = tensor.view(torch.bfloat16)
        tensors[name] = tensor.to(dtype).reshape(shape)
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            raise SafetensorsError(f"{name}: gap or overlap at byte {begin} (expected {position})")
        position = end
    if position != len(buffer):
        raise SafetensorsError(f"byte buffer is {len(buffer)} bytes but tensors cover {position}")
    return tensors, metadata


def read_file(path: str) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    with open(path, "rb") as f:
        return parse(f.read())
