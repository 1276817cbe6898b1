"""builtin/tiny-gpt as a ModelBackend: the path every local run and every test takes."""

from __future__ import annotations

import os

import torch
from torch.nn import functional as F

from trainer.artifacts import adapter_config, save_adapter, write_config
from trainer.errors import TrainerError
from trainer.job import Hyperparameters
from trainer.render import Sample
from trainer.tiny_gpt import (
    LEARNING_RATE_SCALE,
    BASE_SEED,
    MODEL_NAME,
    TARGET_MODULES,
    TinyConfig,
    add_lora,
    build_base_model,
)
from trainer.tokenizer import IGNORE, PAD, Encoded, encode


class BuiltinBackend:
    def __init__(self, hp: Hyperparameters, seed: int) -> None:
        if hp.base_model != MODEL_NAME:
            raise TrainerError(
                "unsupported_model", f"Unknown built-in model {hp.base_model}; use {MODEL_NAME}"
            )
        self.hp = hp
        self.base_model = MODEL_NAME
        self.learning_rate_scale = LEARNING_RATE_SCALE
        self.config = TinyConfig()
        self.context_length = min(hp.max_seq_length, self.config.max_positions)
        self.model = build_base_model(self.config)
        torch.manual_seed(seed)  # adapter initialisation and dropout follow the job's seed
        self.adapters = add_lora(self.model, hp.lora_rank, hp.lora_alpha, hp.lora_dropout)

    def encode(self, sample: Sample) -> Encoded:
        return encode(sample, self.context_length)

    def batch_loss(self, batch: list[Encoded]) -> tuple[torch.Tensor, int, int]:
        width = max(len(e.input_ids) for e in batch)
        ids = torch.full((len(batch), width), PAD, dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
        for row, e in enumerate(batch):
            ids[row, : len(e.input_ids)] = torch.tensor(e.input_ids)
            labels[row, : len(e.labels)] = torch.tensor(e.labels)
        # Position t predicts token t + 1.
        logits = self.model(ids[:, :-1])
        targets = labels[:, 1:]
        loss = F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            targets.reshape(-1),
            ignore_index=IGNORE,
            reduction="sum",
        )
        tokens = int((targets != IGNORE).sum())
        return loss, tokens, sum(len(e.input_ids) for e in batch)

    def trainable_parameters(self) -> list[torch.nn.Parameter]:
        return list(self.adapters.values())

    def set_training(self, training: bool) -> None:
        self.model.train(training)

    def save(self, directory: str, metadata: dict[str, str]) -> dict[str, str]:
        path = save_adapter(directory, dict(self.adapters), metadata)
        config = adapter_config(
            self.base_model,
            self.hp.lora_rank,
            self.hp.lora_alpha,
            self.hp.lora_dropout,
            TARGET_MODULES,
            extra=self.describe(),
        )
        config_path = write_config(directory, config)
        return {os.path.basename(path): path, os.path.basename(config_path): config_path}

    def describe(self) -> dict[str, object]:
        total = sum(p.numel() for p in self.model.parameters())
        return {
            "base_seed": BASE_SEED,
            "tokenizer": "utf-8 bytes + 7 specials",
            "architecture": {
                "d_model": self.config.d_model,
                "n_heads": self.config.n_heads,
                "n_layers": self.config.n_layers,
                "vocab_size": self.config.vocab_size,
                "context_length": self.context_length,
            },
            "target_modules": TARGET_MODULES,
            "learning_rate_scale": LEARNING_RATE_SCALE,
            "trainable_parameters": sum(p.numel() for p in self.adapters.values()),
            "total_parameters": total,
        }
