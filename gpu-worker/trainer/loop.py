"""The training loop every backend shares: epochs of shuffled batches with gradient
accumulation, AdamW on the adapter only, warmup then decay, evaluation and a checkpoint per
epoch, and the events of architecture.md §6."""

from __future__ import annotations

import math
import os
import random
import time
from typing import Any

import torch

from trainer import artifacts
from trainer.backend import ModelBackend
from trainer.cancel import CancelToken
from trainer.dataset import split_validation
from trainer.errors import NAN_MESSAGE, TrainerError
from trainer.events import Emitter, log
from trainer.job import JobSpec
from trainer.render import Sample
from trainer.schedule import learning_rate
from trainer.tokenizer import Encoded

MAX_GRAD_NORM = 1.0
# Enough points for a smooth curve in the monitor without flooding the database on long runs.
MAX_LOGGED_POINTS = 200


def _round(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


class TrainingRun:
    def __init__(
        self, spec: JobSpec, backend: ModelBackend, emitter: Emitter, cancel: CancelToken
    ) -> None:
        self.spec = spec
        self.hp = spec.hyperparameters
        self.backend = backend
        self.emitter = emitter
        self.cancel = cancel
        self.points: list[dict[str, Any]] = []
        self.checkpoints: dict[str, str] = {}

    def _encode(self, samples: list[Sample]) -> list[Encoded]:
        encoded = [self.backend.encode(s) for s in samples]
        return [e for e in encoded if e.trainable > 0]

    def run(self, samples: list[Sample]) -> None:
        started = time.perf_counter()
        train_samples, validation_samples = split_validation(
            samples, self.hp.validation_split, self.spec.seed
        )
        train = self._encode(train_samples)
        validation = self._encode(validation_samples)
        if not train:
            raise TrainerError(
                "no_trainable_samples",
                "No sample has an assistant target left to train on after rendering: check that "
                "target_response (or an assistant message) is present and that max_seq_length is "
                "not too small",
            )
        per_step = self.hp.batch_size * self.hp.gradient_accumulation_steps
        steps_per_epoch = math.ceil(len(train) / per_step)
        total_steps = steps_per_epoch * self.hp.epochs
        log_every = max(1, math.ceil(total_steps / MAX_LOGGED_POINTS))
        log(
            f"{len(train)} training / {len(validation)} validation samples, "
            f"{steps_per_epoch} steps per epoch, {total_steps} steps"
        )
        if self.hp.validation_split > 0 and not validation:
            log("no validation data: the dataset has too few conversations to hold one out")
        parameters = self.backend.trainable_parameters()
        optimizer = torch.optim.AdamW(parameters, lr=self.hp.learning_rate, weight_decay=0.0)
        self._progress(0, 0, total_steps)
        self.emitter.stage("training")
        order_rng = random.Random(self.spec.seed)
        step = 0
        for epoch in range(1, self.hp.epochs + 1):
            order = list(range(len(train)))
            order_rng.shuffle(order)
            self.backend.set_training(True)
            for index in range(steps_per_epoch):
                self.cancel.check()
                chunk = [train[i] for i in order[index * per_step : (index + 1) * per_step]]
                point = self._step(optimizer, parameters, chunk, step, total_steps)
                step += 1
                point["epoch"] = _round(epoch - 1 + (index + 1) / steps_per_epoch, 4)
                point["step"] = step
                last_of_epoch = index == steps_per_epoch - 1
                if last_of_epoch:
                    self.emitter.stage("evaluating")
                    if validation:
                        point["validation_loss"] = _round(self._evaluate(validation))
                if last_of_epoch or step % log_every == 0:
                    self.points.append(point)
                    self.emitter.emit({"type": "metric", **point})
                self._progress(epoch, step, total_steps)
                self._after_step_hooks(step)
            self._checkpoint(epoch, step)
            if epoch < self.hp.epochs:
                self.emitter.stage("training")
        self.cancel.check()
        self._finish(started, len(train), len(validation), total_steps)

    def _step(
        self,
        optimizer: torch.optim.Optimizer,
        parameters: list[torch.nn.Parameter],
        chunk: list[Encoded],
        step: int,
        total_steps: int,
    ) -> dict[str, Any]:
        """One optimizer step over up to ``gradient_accumulation_steps`` micro-batches; the loss
        is the mean over every labelled token of the step, whatever the batch sizes."""
        began = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        total_tokens = sum(e.trainable for e in chunk)
        loss_total = 0.0
        seen = 0
        for start in range(0, len(chunk), self.hp.batch_size):
            loss, _, tokens_in = self.backend.batch_loss(chunk[start : start + self.hp.batch_size])
            if self.spec.debug.oom_at_step == step + 1:
                raise RuntimeError("CUDA out of memory (injected by the debug hook)")
            (loss / total_tokens).backward()
            loss_total += float(loss.detach())
            seen += tokens_in
        training_loss = loss_total / total_tokens
        if self.spec.debug.inject_nan_at_step == step + 1:
            training_loss = float("nan")
        if not math.isfinite(training_loss):
            raise TrainerError("nan_loss", NAN_MESSAGE)
        gradient_norm = float(torch.nn.utils.clip_grad_norm_(parameters, MAX_GRAD_NORM))
        if not math.isfinite(gradient_norm):
            # A finite loss with infinite gradients diverges on the next step; stop before the
            # optimizer writes non-finite values into the adapter.
            raise TrainerError("nan_loss", NAN_MESSAGE)
        rate = learning_rate(step, total_steps, self.hp.learning_rate, self.hp.warmup_ratio)
        for group in optimizer.param_groups:
            group["lr"] = rate * self.backend.learning_rate_scale
        optimizer.step()
        elapsed = max(time.perf_counter() - began, 1e-9)
        return {
            "training_loss": _round(training_loss),
            "learning_rate": _round(rate),
            "gradient_norm": _round(gradient_norm),
            "throughput": round(seen / elapsed, 1),
        }

    def _after_step_hooks(self, step: int) -> None:
        debug = self.spec.debug
        if debug.step_delay_ms:
            self.cancel.sleep(debug.step_delay_ms / 1000)
        if debug.exit_at_step == step:
            log("exiting abruptly (debug exit_at_step)")
            os._exit(70)
        if debug.stall_after_step is not None and step >= debug.stall_after_step:
            log("stalling until cancelled (debug stall_after_step)")
            while True:
                self.cancel.sleep(3600)

    @torch.no_grad()
    def _evaluate(self, validation: list[Encoded]) -> float:
        self.backend.set_training(False)
        loss_sum = 0.0
        tokens = 0
        for start in range(0, len(validation), self.hp.batch_size):
            self.cancel.check()
            loss, count, _ = self.backend.batch_loss(validation[start : start + self.hp.batch_size])
            loss_sum += float(loss)
            tokens += count
        self.backend.set_training(True)
        value = loss_sum / max(tokens, 1)
        if not math.isfinite(value):
            raise TrainerError("nan_loss", NAN_MESSAGE)
        return value

    def _progress(self, epoch: int, step: int, total_steps: int) -> None:
        # 100 is kept for "completed", after the files are saved.
        progress = min(99.0, round(100 * step / total_steps, 1)) if total_steps else 0.0
        self.emitter.emit(
            {
                "type": "progress",
                "progress": progress,
                "current_epoch": epoch,
                "current_step": step,
                "total_steps": total_steps,
            }
        )

    def _metadata(self, epoch: int, step: int) -> dict[str, str]:
        return {
            "format": "pt",
            "base_model": self.backend.base_model,
            "job_id": self.spec.job_id,
            "epoch": str(epoch),
            "step": str(step),
        }

    def _checkpoint(self, epoch: int, step: int) -> None:
        self.cancel.check()
        directory = os.path.join(self.spec.output_dir, "checkpoints", f"epoch-{epoch}")
        files = self.backend.save(directory, self._metadata(epoch, step))
        path = files[artifacts.ADAPTER_FILE]
        self.checkpoints[f"checkpoints/epoch-{epoch}/{artifacts.ADAPTER_FILE}"] = path
        self.emitter.emit({"type": "checkpoint", "epoch": epoch, "step": step, "path": path})

    def _finish(self, started: float, n_train: int, n_validation: int, total_steps: int) -> None:
        self.emitter.stage("saving")
        out = self.spec.output_dir
        files = self.backend.save(out, self._metadata(self.hp.epochs, total_steps))
        files[artifacts.LOG_FILE] = artifacts.write_training_log(out, self.points)
        files.update(self.checkpoints)
        last = self.points[-1]
        first = self.points[0]
        metadata: dict[str, Any] = {
            "base_model": self.backend.base_model,
            "job_id": self.spec.job_id,
            "lora_rank": self.hp.lora_rank,
            "lora_alpha": self.hp.lora_alpha,
            "lora_dropout": self.hp.lora_dropout,
            "epochs": self.hp.epochs,
            "total_steps": total_steps,
            "train_samples": n_train,
            "validation_samples": n_validation,
            "initial_training_loss": first["training_loss"],
            "final_training_loss": last["training_loss"],
            "final_validation_loss": last.get("validation_loss"),
            "training_seconds": round(time.perf_counter() - started, 3),
            "files": artifacts.describe_files(files),
            **self.backend.describe(),
        }
        self.emitter.emit({"type": "artifact", "files": files, "metadata": metadata})
        self.emitter.emit(
            {
                "type": "progress",
                "progress": 100,
                "current_epoch": self.hp.epochs,
                "current_step": total_steps,
                "total_steps": total_steps,
            }
        )
        self.emitter.stage("completed")
