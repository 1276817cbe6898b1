"""builtin/tiny-gpt: a small causal transformer whose frozen weights come from a fixed seed.

There are no pretrained weights to download here, so "the base model" is whatever this seed
produces: every worker builds the same one, and an adapter trained on one machine applies to the
base on another. The sizes are part of that identity; changing them changes the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from trainer.lora import LoRALinear
from trainer.tokenizer import VOCAB_SIZE

MODEL_NAME = "builtin/tiny-gpt"
BASE_SEED = 20251125
TARGET_MODULES = ["q_proj", "v_proj"]

# The job's learning rate is tuned for 7B-class models (width 4096, like the default
# mistralai/Mistral-7B-v0.1). Under Adam the rate that moves a hidden layer's output by a given
# amount scales as 1 / width (muP, Yang et al. 2022), so at width 64 the same rate barely moves
# the adapter: the balanced preset's loss fell 0.5% over 5 epochs on 50 pairs. The tiny model
# therefore multiplies the optimizer's rate by 4096 / d_model, so a preset behaves here roughly
# as it would on the real model (the same run then fell 22%). Metrics report the job's own rate.
REFERENCE_WIDTH = 4096


@dataclass(frozen=True)
class TinyConfig:
    vocab_size: int = VOCAB_SIZE
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    max_positions: int = 256  # the model's own limit; jobs use min(max_seq_length, this)


class Attention(nn.Module):
    def __init__(self, config: TinyConfig) -> None:
        super().__init__()
        d = config.d_model
        self.n_heads = config.n_heads
        self.q_proj: nn.Module = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj: nn.Module = nn.Linear(d, d)
        self.o_proj = nn.Linear(d, d)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        h = self.n_heads

        def heads(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, h, d // h).transpose(1, 2)

        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        scores = (q @ k.transpose(-2, -1)) / (d // h) ** 0.5
        scores = scores.masked_fill(mask[:t, :t], float("-inf"))
        out = F.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, config: TinyConfig) -> None:
        super().__init__()
        d = config.d_model
        self.ln1 = nn.LayerNorm(d)
        self.attn = Attention(config)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), mask)
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, config: TinyConfig) -> None:
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.d_model)
        self.pos_emb = nn.Embedding(config.max_positions, config.d_model)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.ln_f = nn.LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        causal = torch.ones(config.max_positions, config.max_positions).triu(1).bool()
        self.register_buffer("causal_mask", causal, persistent=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.tok_emb(ids) + self.pos_emb(positions)
        for block in self.blocks:
            x = block(x, self.causal_mask)
        return self.lm_head(self.ln_f(x))


LEARNING_RATE_SCALE = REFERENCE_WIDTH / TinyConfig().d_model


def build_base_model(config: TinyConfig | None = None) -> TinyGPT:
    """The frozen base: same seed, same weights, on every machine and every run."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(BASE_SEED)
    model = TinyGPT(config or TinyConfig())
    torch.random.set_rng_state(generator_state)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def add_lora(model: TinyGPT, rank: int, alpha: float, dropout: float) -> dict[str, nn.Parameter]:
    """Wraps q/v projections with adapters and returns them under PEFT's tensor names, the
    names written to adapter_model.safetensors."""
    adapters: dict[str, nn.Parameter] = {}
    for index, block in enumerate(model.blocks):
        attention = block.attn
        for name in TARGET_MODULES:
            wrapped = LoRALinear(getattr(attention, name), rank, alpha, dropout)
            setattr(attention, name, wrapped)
            prefix = f"base_model.model.blocks.{index}.attn.{name}"
            adapters[f"{prefix}.lora_A.weight"] = wrapped.lora_A
            adapters[f"{prefix}.lora_B.weight"] = wrapped.lora_B
    return adapters
