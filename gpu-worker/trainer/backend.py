"""What the training loop needs from a model, so the built-in model and a Hugging Face model
share one loop: the same events, schedule, accumulation, evaluation and failure handling."""

from __future__ import annotations

from typing import Protocol

import torch

from trainer.render import Sample
from trainer.tokenizer import Encoded


class ModelBackend(Protocol):
    base_model: str
    context_length: int
    # What the optimizer's rate is multiplied by; the reported rate is the job's own.
    learning_rate_scale: float

    def encode(self, sample: Sample) -> Encoded:
        """Tokens and labels (only assistant targets labelled), cut to the context length."""
        ...

    def batch_loss(self, batch: list[Encoded]) -> tuple[torch.Tensor, int, int]:
        """Summed token cross-entropy over the batch's labelled tokens, the number of labelled
        tokens, and the number of input tokens (for throughput)."""
        ...

    def trainable_parameters(self) -> list[torch.nn.Parameter]:
        ...

    def set_training(self, training: bool) -> None:
        ...

    def save(self, directory: str, metadata: dict[str, str]) -> dict[str, str]:
        """Writes the adapter (and its config) into ``directory``; returns name → path."""
        ...

    def describe(self) -> dict[str, object]:
        """Facts for the artifact metadata (parameter counts, target modules…)."""
        ...
