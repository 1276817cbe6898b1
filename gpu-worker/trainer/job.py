"""The job spec the trainer reads, checked once up front so a bad value fails in seconds with a
message that names the field, instead of minutes later inside torch."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from trainer.errors import TrainerError

DEBUG_ENV = "BRIGHTRUN_TRAINER_DEBUG"

# training.md §1 defaults; the backend normally sends every value, the trainer still has them
# so a hand-written job spec works.
DEFAULTS: dict[str, Any] = {
    "base_model": "builtin/tiny-gpt",
    "learning_rate": 0.0002,
    "batch_size": 8,
    "epochs": 5,
    "lora_rank": 16,
    "lora_alpha": None,  # 2 × rank when not given
    "lora_dropout": 0.1,
    "warmup_ratio": 0.1,
    "max_seq_length": 2048,
    "gradient_accumulation_steps": 1,
    "validation_split": 0.1,
}

ALIASES = {
    "num_epochs": "epochs",
    "rank": "lora_rank",
    "alpha": "lora_alpha",
    "dropout": "lora_dropout",
}


@dataclass(frozen=True)
class Hyperparameters:
    base_model: str
    learning_rate: float
    batch_size: int
    epochs: int
    lora_rank: int
    lora_alpha: float
    lora_dropout: float
    warmup_ratio: float
    max_seq_length: int
    gradient_accumulation_steps: int
    validation_split: float


@dataclass(frozen=True)
class DebugHooks:
    """Failure injection for tests. Only read when BRIGHTRUN_TRAINER_DEBUG=1, so a production
    worker ignores a ``debug`` block even if one reaches it."""

    inject_nan_at_step: int | None = None
    stall_after_step: int | None = None
    step_delay_ms: int = 0
    oom_at_step: int | None = None
    exit_at_step: int | None = None


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    dataset_url: str
    hyperparameters: Hyperparameters
    output_dir: str
    seed: int = 42
    debug: DebugHooks = field(default_factory=DebugHooks)


def _invalid(message: str) -> TrainerError:
    return TrainerError("invalid_job", message)


def _number(hp: dict[str, Any], name: str, low: float, high: float, integer: bool) -> Any:
    value = hp[name]
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value):
        raise _invalid(f"hyperparameters.{name} must be a number (got {value!r})")
    if integer and value != int(value):
        raise _invalid(f"hyperparameters.{name} must be an integer (got {value!r})")
    if not low <= value <= high:
        raise _invalid(
            f"hyperparameters.{name} must be between {low:g} and {high:g} (got {value!r})"
        )
    return int(value) if integer else float(value)


def parse_hyperparameters(raw: Any) -> Hyperparameters:
    """Normalises aliases, fills defaults and checks ranges. The ranges are wider than the API's
    (training.md §1) on purpose: the API enforces the product limits, the trainer only refuses
    values it cannot run."""
    if not isinstance(raw, dict):
        raise _invalid("hyperparameters must be an object")
    hp = dict(DEFAULTS)
    for key, value in raw.items():
        name = ALIASES.get(key, key)
        if name not in DEFAULTS:
            raise _invalid(f"hyperparameters.{key} is not a known hyperparameter")
        if value is not None:
            hp[name] = value
    if not isinstance(hp["base_model"], str) or not hp["base_model"].strip():
        raise _invalid("hyperparameters.base_model must be a non-empty string")
    rank = _number(hp, "lora_rank", 1, 1024, True)
    if hp["lora_alpha"] is None:
        hp["lora_alpha"] = 2 * rank
    return Hyperparameters(
        base_model=hp["base_model"].strip(),
        learning_rate=_number(hp, "learning_rate", 1e-8, 1.0, False),
        batch_size=_number(hp, "batch_size", 1, 4096, True),
        epochs=_number(hp, "epochs", 1, 1000, True),
        lora_rank=rank,
        lora_alpha=_number(hp, "lora_alpha", 1e-6, 1e6, False),
        lora_dropout=_number(hp, "lora_dropout", 0, 0.9, False),
        warmup_ratio=_number(hp, "warmup_ratio", 0, 1, False),
        max_seq_length=_number(hp, "max_seq_length", 8, 1_000_000, True),
        gradient_accumulation_steps=_number(hp, "gradient_accumulation_steps", 1, 4096, True),
        validation_split=_number(hp, "validation_split", 0, 0.9, False),
    )


def _optional_int(raw: dict[str, Any], name: str) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _invalid(f"debug.{name} must be a non-negative integer")
    return value


def parse_debug(raw: Any, env: dict[str, str] | None = None) -> DebugHooks:
    """Reads the test hooks, or returns none of them unless the environment allows it."""
    environ = os.environ if env is None else env
    if raw is None or environ.get(DEBUG_ENV) != "1":
        return DebugHooks()
    if not isinstance(raw, dict):
        raise _invalid("debug must be an object")
    return DebugHooks(
        inject_nan_at_step=_optional_int(raw, "inject_nan_at_step"),
        stall_after_step=_optional_int(raw, "stall_after_step"),
        step_delay_ms=_optional_int(raw, "step_delay_ms") or 0,
        oom_at_step=_optional_int(raw, "oom_at_step"),
        exit_at_step=_optional_int(raw, "exit_at_step"),
    )


def parse_job(raw: Any, env: dict[str, str] | None = None) -> JobSpec:
    if not isinstance(raw, dict):
        raise _invalid("The job spec must be a JSON object")
    for name in ("job_id", "dataset_url", "output_dir"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise _invalid(f"{name} must be a non-empty string")
    url = raw["dataset_url"].strip()
    if not url.startswith(("http://", "https://", "file://")):
        raise _invalid("dataset_url must be an http(s):// or file:// URL")
    seed = raw.get("seed", 42)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise _invalid("seed must be an integer")
    return JobSpec(
        job_id=raw["job_id"],
        dataset_url=url,
        hyperparameters=parse_hyperparameters(raw.get("hyperparameters", {})),
        output_dir=raw["output_dir"],
        seed=seed,
        debug=parse_debug(raw.get("debug"), env),
    )
