"""The JSON-lines event stream on stdout (architecture.md §6).

stdout carries only events, one JSON object per line, flushed at once so the cluster sees a
step the moment it ends; every log line goes to stderr.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, TextIO


def _finite(value: Any) -> Any:
    """JSON has no NaN or Infinity; a non-finite number becomes null rather than breaking
    the reader's parser."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class Emitter:
    """Writes events; tests pass a StringIO to read them back."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout

    def emit(self, event: dict[str, Any]) -> None:
        self._stream.write(json.dumps(_finite(event), allow_nan=False) + "\n")
        self._stream.flush()

    def stage(self, stage: str) -> None:
        self.emit({"type": "stage", "stage": stage})

    def error(self, code: str, message: str) -> None:
        self.emit({"type": "error", "code": code, "message": message})


def log(message: str) -> None:
    """A human-readable line for the operator, kept off the event channel."""
    print(f"[trainer] {message}", file=sys.stderr, flush=True)
