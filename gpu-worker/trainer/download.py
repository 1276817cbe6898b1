"""Fetches the dataset from the signed URL the backend gives (or a file:// URL locally)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from trainer.errors import TrainerError
from trainer.events import log

ATTEMPTS = 3


def _retryable(exc: Exception) -> bool:
    """A 4xx other than 408/429 will not change on retry (an expired or wrong signed URL);
    network errors and 5xx often do."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code in (408, 429)
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, FileNotFoundError):
        return False
    return not isinstance(exc, FileNotFoundError)


def _describe(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc)


def download(
    url: str, attempts: int = ATTEMPTS, backoff_s: float = 0.5, timeout_s: float = 60
) -> bytes:
    """Returns the body, retrying transient failures with a doubling backoff."""
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
                return response.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = exc
            log(f"download attempt {attempt}/{attempts} failed: {_describe(exc)}")
            if attempt == attempts or not _retryable(exc):
                break
            time.sleep(backoff_s * 2 ** (attempt - 1))
    assert last is not None
    raise TrainerError(
        "download_failed", f"Could not download the dataset: {_describe(last)}; retry the job"
    )
