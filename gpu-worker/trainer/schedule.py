"""Learning-rate schedule: linear warmup over ``warmup_ratio`` of the steps, then linear decay
to zero at the last step (the schedule HF's Trainer calls "linear")."""

from __future__ import annotations

import math


def warmup_steps(total_steps: int, warmup_ratio: float) -> int:
    return math.ceil(total_steps * warmup_ratio)


def learning_rate(step: int, total_steps: int, peak: float, warmup_ratio: float) -> float:
    """The rate for optimizer step ``step`` (0-based). Warmup's first step already moves (HF
    starts at 0, a wasted step) and ends at the peak; the last step still gets a small
    positive rate, so no step is wasted."""
    warmup = warmup_steps(total_steps, warmup_ratio)
    if step < warmup:
        return peak * (step + 1) / warmup
    # After a warmup (which ended at the peak) decay starts one notch below it; without one
    # the first step runs at the peak. Either way the last step keeps a positive rate.
    span = total_steps - warmup + (1 if warmup else 0)
    return peak * (total_steps - step) / span
