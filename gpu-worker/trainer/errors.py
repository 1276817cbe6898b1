"""Failures the trainer reports, each with a code the backend can act on and a message that
tells the user what to change (training.md §4, architecture.md §6)."""

from __future__ import annotations

# Exit codes: the cluster tells a cancelled run from a failed one without parsing stderr.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 3

NAN_MESSAGE = "Training diverged (NaN loss): lower the learning rate"
OOM_MESSAGE = "Out of memory: lower batch_size or lora_rank"


class TrainerError(Exception):
    """A failure with a stable code and a user-facing message (never a stack trace)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Cancelled(Exception):
    """Raised at a step boundary once SIGTERM arrived, so no file is left half-written."""


def is_out_of_memory(exc: BaseException) -> bool:
    """True for CPU and CUDA allocation failures; torch raises RuntimeError with this text
    for both (``torch.cuda.OutOfMemoryError`` subclasses RuntimeError)."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text or "not enough memory" in text
    )


def classify(exc: BaseException) -> TrainerError:
    """Maps any exception to the error the user sees; unknown ones keep their text."""
    if isinstance(exc, TrainerError):
        return exc
    if is_out_of_memory(exc):
        return TrainerError("oom", OOM_MESSAGE)
    return TrainerError("internal", f"The trainer failed: {type(exc).__name__}: {exc}")
