"""Parses the downloaded JSONL into samples and splits off the validation data."""

from __future__ import annotations

import json
import math
import random

from trainer.errors import TrainerError
from trainer.render import RenderError, Sample, render_line

UPLOAD_HINT = "fix it and upload the dataset again"


def _invalid(line: int, reason: str) -> TrainerError:
    return TrainerError(
        "invalid_dataset", f"Invalid dataset at line {line}: {reason}; {UPLOAD_HINT}"
    )


def parse_dataset(data: bytes) -> list[Sample]:
    """Every sample of the file, in order. The validator has normally rejected a bad file
    before a job exists; these checks are the worker's own guard, so the first problem stops
    the job with its line number instead of training on half a file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _invalid(line, "the text is not valid UTF-8") from None
    text = text.removeprefix("\ufeff")
    samples: list[Sample] = []
    shape: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _invalid(number, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        if isinstance(obj, dict) and "_meta" in obj:
            if number == 1:
                continue
            raise _invalid(number, "a _meta header is only allowed on line 1")
        try:
            line_shape, rendered = render_line(obj, shape, number)
        except RenderError as exc:
            raise _invalid(number, str(exc)) from None
        if shape is None:
            shape = line_shape
        elif line_shape != shape:
            raise _invalid(number, f"the line is {line_shape} but the file is {shape}")
        samples.extend(rendered)
    if not samples:
        raise TrainerError(
            "no_trainable_samples",
            "The dataset has no training pairs: add lines with an assistant target_response",
        )
    return samples


def wanted_validation_samples(count: int, fraction: float) -> int:
    """count × fraction rounded half up (not Python's half-to-even), at least one: the job's
    estimate counts steps with the same number (common/training/validation-split.ts). The
    product is snapped to 15 significant digits so a decimal split rounds as the decimal does."""
    return max(1, math.floor(float(f"{count * fraction:.15g}") + 0.5))


def split_validation(
    samples: list[Sample], fraction: float, seed: int
) -> tuple[list[Sample], list[Sample]]:
    """Deterministic split by conversation: the same file and seed always give the same split,
    and no conversation lands on both sides. Validation is skipped when there is a single
    conversation, since every sample would leak."""
    if fraction <= 0:
        return samples, []
    groups: dict[str, list[Sample]] = {}
    for i, sample in enumerate(samples):
        groups.setdefault(sample.group or f"#{i}", []).append(sample)
    if len(groups) < 2:
        return samples, []
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    wanted = wanted_validation_samples(len(samples), fraction)
    validation: list[Sample] = []
    chosen: set[str] = set()
    for key in keys[:-1]:  # leave at least one group to train on
        if len(validation) >= wanted:
            break
        validation.extend(groups[key])
        chosen.add(key)
    train = [s for i, s in enumerate(samples) if (s.group or f"#{i}") not in chosen]
    return train, validation
