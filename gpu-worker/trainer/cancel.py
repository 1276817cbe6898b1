"""Cooperative cancellation: SIGTERM only sets a flag, and the loop checks it between steps, so
a cancelled run stops within one step without tearing a file in half."""

from __future__ import annotations

import signal
import time
from types import FrameType

from trainer.errors import Cancelled


class CancelToken:
    def __init__(self) -> None:
        self.requested = False

    def install(self) -> "CancelToken":
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        return self

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.requested = True

    def check(self) -> None:
        if self.requested:
            raise Cancelled()

    def sleep(self, seconds: float) -> None:
        """Waits, but wakes for a cancellation (used by the stall and delay test hooks)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check()
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        self.check()
