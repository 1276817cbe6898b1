"""The hand-written safetensors writer against the format's rules, byte for byte."""

from __future__ import annotations

import json
import os
import struct
import tempfile
import unittest

import torch

from trainer import safetensors
from trainer.safetensors import SafetensorsError


class SafetensorsFormatTest(unittest.TestCase):
    def test_exact_bytes_of_a_small_file(self) -> None:
        data = safetensors.serialize({"w": torch.tensor([1.0, 2.0])}, {"format": "pt"})
        header = (
            b'{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
        )
        header += b" " * (-(8 + len(header)) % 8)
        expected = struct.pack("<Q", len(header)) + header + struct.pack("<2f", 1.0, 2.0)
        self.assertEqual(data, expected)

    def test_layout_rules(self) -> None:
        tensors = {
            "b.lora_B.weight": torch.randn(5, 3),
            "a.lora_A.weight": torch.randn(3, 7),
            "half": torch.randn(4).half(),
            "bf": torch.randn(3).bfloat16(),
        }
        data = safetensors.serialize(tensors, {"k": "v"})
        (length,) = struct.unpack("<Q", data[:8])
        self.assertEqual((8 + length) % 8, 0, "tensor data starts aligned")
        header = json.loads(data[8 : 8 + length])
        self.assertEqual(header.pop("__metadata__"), {"k": "v"})
        spans = sorted(tuple(info["data_offsets"]) for info in header.values())
        position = 0
        for begin, end in spans:
            self.assertEqual(begin, position, "no gaps, no overlaps")
            position = end
        self.assertEqual(position, len(data) - 8 - length, "the buffer is fully covered")
        self.assertEqual(list(header), sorted(header), "names in order, so files are reproducible")
        self.assertEqual(header["half"]["dtype"], "F16")
        self.assertEqual(header["bf"]["dtype"], "BF16")

    def test_round_trip_through_a_file(self) -> None:
        tensors = {
            "x": torch.randn(4, 6),
            "y": torch.arange(5, dtype=torch.int64),
            "z": torch.randn(2).bfloat16(),
        }
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "adapter_model.safetensors")
            safetensors.write_file(path, tensors, {"base_model": "builtin/tiny-gpt"})
            self.assertEqual(
                os.listdir(tmp), ["adapter_model.safetensors"], "no temporary file left"
            )
            loaded, metadata = safetensors.read_file(path)
        self.assertEqual(metadata, {"base_model": "builtin/tiny-gpt"})
        for name, tensor in tensors.items():
            self.assertEqual(loaded[name].dtype, tensor.dtype)
            self.assertTrue(torch.equal(loaded[name], tensor), name)

    def test_same_tensors_give_identical_bytes(self) -> None:
        tensors = {"a": torch.ones(2, 2), "b": torch.zeros(3)}
        self.assertEqual(
            safetensors.serialize(tensors), safetensors.serialize(dict(reversed(tensors.items())))
        )

    def test_reader_rejects_broken_files(self) -> None:
        good = safetensors.serialize({"w": torch.tensor([1.0, 2.0])})
        (length,) = struct.unpack("<Q", good[:8])
        header = good[8 : 8 + length]
        cases = {
            "short": good[:4],
            "length past the end": struct.pack("<Q", 10_000) + good[8:],
            "missing tensor bytes": good[:-4],
            "trailing bytes": good + b"\0\0\0\0",
            "not an object": struct.pack("<Q", 2) + b"[]",
            "unknown dtype": self._with_header(
                header.replace(b'"F32"', b'"Q99"'), good[8 + length :]
            ),
            "size mismatch": self._with_header(header.replace(b"[2]", b"[3]"), good[8 + length :]),
        }
        for name, data in cases.items():
            with self.subTest(name), self.assertRaises(SafetensorsError):
                safetensors.parse(data)

    def test_metadata_must_be_strings(self) -> None:
        with self.assertRaises(SafetensorsError):
            safetensors.serialize({"w": torch.ones(1)}, {"epoch": 3})  # type: ignore[dict-item]

    @staticmethod
    def _with_header(header: bytes, buffer: bytes) -> bytes:
        return struct.pack("<Q", len(header)) + header + buffer


if __name__ == "__main__":
    unittest.main()
