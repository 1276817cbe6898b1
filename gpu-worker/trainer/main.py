"""Entry point: read the job spec, train, report. Exit 0 completed, 1 failed (an ``error``
event says why), 2 unusable command line, 3 cancelled."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

import torch

from trainer.cancel import CancelToken
from trainer.dataset import parse_dataset
from trainer.download import download
from trainer.errors import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Cancelled,
    TrainerError,
    classify,
)
from trainer.events import Emitter, log
from trainer.job import JobSpec, parse_job
from trainer.loop import TrainingRun
from trainer.threads import cpu_threads


def _read_spec(path: str | None) -> Any:
    try:
        text = sys.stdin.read() if path in (None, "-") else open(path, encoding="utf-8").read()
    except OSError as exc:
        raise TrainerError("invalid_job", f"Could not read the job spec: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrainerError("invalid_job", f"The job spec is not valid JSON: {exc}") from None


def _backend(spec: JobSpec) -> Any:
    hp = spec.hyperparameters
    if hp.base_model.startswith("builtin/"):
        from trainer.builtin_backend import BuiltinBackend

        return BuiltinBackend(hp, spec.seed)
    from trainer.hf_backend import HuggingFaceBackend

    return HuggingFaceBackend(hp, spec.seed)


def run(spec: JobSpec, emitter: Emitter, cancel: CancelToken) -> None:
    emitter.stage("initializing")
    os.makedirs(spec.output_dir, exist_ok=True)
    torch.set_num_threads(cpu_threads())
    log(f"job {spec.job_id}: downloading the dataset")
    data = download(spec.dataset_url)
    cancel.check()
    samples = parse_dataset(data)
    log(f"{len(samples)} samples rendered")
    backend = _backend(spec)
    cancel.check()
    TrainingRun(spec, backend, emitter, cancel).run(samples)


def main(argv: list[str], cancel: CancelToken | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer", description="BrightRun LoRA trainer")
    parser.add_argument("--job", help="job spec JSON file (default: read stdin)")
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        return EXIT_USAGE
    emitter = Emitter()
    cancel = cancel or CancelToken().install()
    try:
        run(parse_job(_read_spec(args.job)), emitter, cancel)
        return EXIT_OK
    except Cancelled:
        log("cancelled: stopped before the next step")
        emitter.stage("cancelled")
        return EXIT_CANCELLED
    except Exception as exc:  # every failure becomes one error event the user can act on
        error = classify(exc)
        if error.code == "internal":
            traceback.print_exc(file=sys.stderr)
        log(f"failed: {error.message}")
        emitter.error(error.code, error.message)
        return EXIT_FAILED
