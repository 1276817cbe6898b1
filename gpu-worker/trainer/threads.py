"""CPU thread settings, applied before torch (and its BLAS) load.

The built-in model is tiny: on a shared CPU, extra threads mostly spin waiting for each other
(measured here: one thread used a third of the CPU time of two on a busy 2-core machine). BLAS
libraries read their thread count from the environment when they load, hence this runs first.
"""

from __future__ import annotations

import os

THREADS_ENV = "BRIGHTRUN_TRAINER_THREADS"


def cpu_threads() -> int:
    configured = os.environ.get(THREADS_ENV, "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else 1


def configure_before_torch() -> None:
    threads = str(cpu_threads())
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, threads)
