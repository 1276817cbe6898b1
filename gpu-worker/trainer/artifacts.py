"""The files a job leaves in output_dir (training.md §5), each written atomically."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import torch

from trainer import safetensors

ADAPTER_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"
LOG_FILE = "training_log.jsonl"


def write_text(path: str, text: str) -> None:
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temporary, path)


def adapter_config(
    base_model: str,
    rank: int,
    alpha: float,
    dropout: float,
    target_modules: list[str],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """PEFT's adapter_config.json fields, so PEFT-aware tools can read the adapter; what PEFT
    has no field for goes under ``brightrun``."""
    config: dict[str, Any] = {
        "base_model_name_or_path": base_model,
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "r": rank,
        "lora_alpha": alpha,
        "lora_dropout": dropout,
        "target_modules": target_modules,
        "bias": "none",
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "modules_to_save": None,
        "revision": None,
    }
    if extra:
        config["brightrun"] = extra
    return config


def save_adapter(directory: str, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> str:
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, ADAPTER_FILE)
    safetensors.write_file(
        path, {k: v.detach().float().cpu() for k, v in tensors.items()}, metadata
    )
    return path


def write_training_log(directory: str, points: list[dict[str, Any]]) -> str:
    path = os.path.join(directory, LOG_FILE)
    write_text(path, "".join(json.dumps(p, allow_nan=False) + "\n" for p in points))
    return path


def write_config(directory: str, config: dict[str, Any]) -> str:
    path = os.path.join(directory, CONFIG_FILE)
    write_text(path, json.dumps(config, indent=2) + "\n")
    return path


def describe_files(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Size and sha256 per file, so the backend can verify the copies it makes."""
    out: dict[str, dict[str, Any]] = {}
    for name, path in files.items():
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        out[name] = {"size": os.path.getsize(path), "sha256": digest.hexdigest()}
    return out
