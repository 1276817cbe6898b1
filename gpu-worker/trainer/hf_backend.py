"""A Hugging Face causal LM with PEFT LoRA adapters: the production path on GPU workers.

transformers and peft are imported lazily, so the built-in path runs on machines without them;
when they are missing the job fails at once with a message saying where it can run. This path
cannot be exercised on the project's machines (no PyPI, no model downloads); it follows the
same ModelBackend contract the built-in model is tested through.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import torch

from trainer.errors import TrainerError
from trainer.job import Hyperparameters
from trainer.render import Sample
from trainer.tokenizer import IGNORE, Encoded

# Attention projections LoRA adapts, by the names the common architectures use.
TARGET_MODULES = ["q_proj", "v_proj"]


def _missing_message(base_model: str) -> str:
    return (
        f"base model {base_model} needs transformers and peft on the worker; "
        "use builtin/tiny-gpt locally"
    )


class HuggingFaceBackend:
    def __init__(self, hp: Hyperparameters, seed: int) -> None:
        try:
            import peft  # type: ignore[import-not-found]
            import transformers  # type: ignore[import-not-found]
        except ImportError:
            raise TrainerError("unsupported_model", _missing_message(hp.base_model)) from None
        self.hp = hp
        self.base_model = hp.base_model
        self.learning_rate_scale = 1.0
        torch.manual_seed(seed)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if self.device == "cuda" else torch.float32
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(hp.base_model)
            model = transformers.AutoModelForCausalLM.from_pretrained(
                hp.base_model, torch_dtype=dtype
            )
        except OSError as exc:
            raise TrainerError(
                "model_unavailable",
                f"Could not load base model {hp.base_model}: {exc}; check the model id",
            ) from None
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        limit = getattr(model.config, "max_position_embeddings", hp.max_seq_length)
        self.context_length = min(hp.max_seq_length, int(limit))
        lora = peft.LoraConfig(
            r=hp.lora_rank,
            lora_alpha=hp.lora_alpha,
            lora_dropout=hp.lora_dropout,
            target_modules=TARGET_MODULES,
            bias="none",
            task_type="CAUSAL_LM",
        )
        self.model: Any = peft.get_peft_model(model, lora).to(self.device)

    def _message_ids(self, messages: list[dict[str, str]]) -> list[int]:
        """The model's own chat template when it has one, so the adapter learns the format the
        model is served with; a plain role-prefixed layout otherwise."""
        if getattr(self.tokenizer, "chat_template", None):
            return list(self.tokenizer.apply_chat_template(messages, tokenize=True))
        text = "".join(f"<|{m['role']}|>\n{m['content']}\n" for m in messages)
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode(self, sample: Sample) -> Encoded:
        """Labels cover each target message's tokens: the tokens the prefix ending with that
        message adds over the prefix before it."""
        ids: list[int] = []
        labels: list[int] = []
        targets = set(sample.targets)
        for index in range(len(sample.messages)):
            prefix = self._message_ids(sample.messages[: index + 1])
            added = prefix[len(ids) :]
            ids = prefix
            labels.extend(added if index in targets else [IGNORE] * len(added))
        labels = labels[: len(ids)]
        if len(ids) > self.context_length:
            first = next((i for i, label in enumerate(labels) if label != IGNORE), len(ids))
            start = max(0, min(first - self.context_length // 2, len(ids) - self.context_length))
            ids = ids[start : start + self.context_length]
            labels = labels[start : start + self.context_length]
        return Encoded(ids, labels)

    def batch_loss(self, batch: list[Encoded]) -> tuple[torch.Tensor, int, int]:
        width = max(len(e.input_ids) for e in batch)
        pad = self.tokenizer.pad_token_id
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, e in enumerate(batch):
            n = len(e.input_ids)
            ids[row, :n] = torch.tensor(e.input_ids)
            labels[row, :n] = torch.tensor(e.labels)
            attention[row, :n] = 1
        ids, labels, attention = (
            ids.to(self.device),
            labels.to(self.device),
            attention.to(self.device),
        )
        logits = self.model(input_ids=ids, attention_mask=attention).logits[:, :-1].float()
        targets = labels[:, 1:]
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            targets.reshape(-1),
            ignore_index=IGNORE,
            reduction="sum",
        )
        return loss, int((targets != IGNORE).sum()), int(attention.sum())

    def trainable_parameters(self) -> list[torch.nn.Parameter]:
        return [p for p in self.model.parameters() if p.requires_grad]

    def set_training(self, training: bool) -> None:
        self.model.train(training)

    def save(self, directory: str, metadata: dict[str, str]) -> dict[str, str]:
        # PEFT writes adapter_model.safetensors and adapter_config.json itself; it writes in
        # place, so it saves to a sibling folder first and swaps files in by rename.
        staging = f"{directory}.saving-{os.getpid()}"
        os.makedirs(staging, exist_ok=True)
        self.model.save_pretrained(staging, safe_serialization=True)
        os.makedirs(directory, exist_ok=True)
        files: dict[str, str] = {}
        for name in ("adapter_model.safetensors", "adapter_config.json"):
            os.replace(os.path.join(staging, name), os.path.join(directory, name))
            files[name] = os.path.join(directory, name)
        shutil.rmtree(staging, ignore_errors=True)
        return files

    def describe(self) -> dict[str, object]:
        trainable = sum(p.numel() for p in self.trainable_parameters())
        total = sum(p.numel() for p in self.model.parameters())
        return {
            "target_modules": TARGET_MODULES,
            "trainable_parameters": trainable,
            "total_parameters": total,
            "context_length": self.context_length,
        }
