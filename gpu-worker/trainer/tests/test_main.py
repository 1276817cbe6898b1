"""The trainer as a process: events, exit codes, cancellation and failure messages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest
from typing import Any

import torch

from trainer.tiny_gpt import add_lora, build_base_model

WORKER_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(WORKER_DIR, "..", "test", "fixtures", "gpu", "pairs-20.jsonl")
TINY = {
    "base_model": "builtin/tiny-gpt",
    "learning_rate": 0.001,
    "batch_size": 4,
    "epochs": 2,
    "lora_rank": 4,
    "max_seq_length": 128,
}


class TrainerProcess:
    """Starts ``python -m trainer`` on a job and reads its events line by line."""

    def __init__(
        self,
        tmp: str,
        dataset_url: str,
        hyperparameters: dict[str, Any],
        debug: dict[str, int] | None = None,
    ) -> None:
        self.output_dir = os.path.join(tmp, "out")
        job = {
            "job_id": "t",
            "dataset_url": dataset_url,
            "hyperparameters": hyperparameters,
            "output_dir": self.output_dir,
        }
        if debug:
            job["debug"] = debug
        env = {**os.environ, "PYTHONPATH": WORKER_DIR, "BRIGHTRUN_TRAINER_DEBUG": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "trainer"],
            cwd=WORKER_DIR,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(job))
        self.process.stdin.close()
        self.events: list[dict[str, Any]] = []

    def next_event(self) -> dict[str, Any] | None:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            return None
        event = json.loads(line)  # every stdout line must be one JSON event
        self.events.append(event)
        return event

    def finish(self) -> int:
        while self.next_event() is not None:
            pass
        assert self.process.stdout is not None
        self.process.stdout.close()
        return self.process.wait(timeout=60)


def url(path: str) -> str:
    return "file://" + os.path.abspath(path)


class TrainerProcessTest(unittest.TestCase):
    def test_sigterm_stops_at_the_next_step_and_writes_no_final_files(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            run = TrainerProcess(tmp, url(FIXTURE), TINY, {"stall_after_step": 1})
            while (event := run.next_event()) is not None and event["type"] != "metric":
                pass
            run.process.send_signal(signal.SIGTERM)
            self.assertEqual(run.finish(), 3)
            self.assertEqual(run.events[-1], {"type": "stage", "stage": "cancelled"})
            self.assertFalse(
                os.path.exists(os.path.join(run.output_dir, "adapter_model.safetensors"))
            )
            self.assertFalse([n for n in os.listdir(run.output_dir) if ".tmp" in n])

    def test_an_invalid_line_fails_with_its_number(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.jsonl")
            with open(FIXTURE, encoding="utf-8") as f:
                lines = f.read().splitlines()
            lines[3] = lines[3][:-5]
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            run = TrainerProcess(tmp, url(path), TINY)
            self.assertEqual(run.finish(), 1)
            error = run.events[-1]
            self.assertEqual(error["code"], "invalid_dataset")
            self.assertIn("line 4", error["message"])

    def test_a_hugging_face_model_without_transformers_says_where_to_run(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            run = TrainerProcess(
                tmp, url(FIXTURE), {**TINY, "base_model": "mistralai/Mistral-7B-v0.1"}
            )
            self.assertEqual(run.finish(), 1)
            self.assertEqual(
                run.events[-1]["message"],
                "base model mistralai/Mistral-7B-v0.1 needs transformers and peft on the worker; "
                "use builtin/tiny-gpt locally",
            )

    def test_out_of_memory_says_what_to_lower(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            run = TrainerProcess(tmp, url(FIXTURE), TINY, {"oom_at_step": 1})
            self.assertEqual(run.finish(), 1)
            self.assertEqual(
                run.events[-1],
                {
                    "type": "error",
                    "code": "oom",
                    "message": "Out of memory: lower batch_size or lora_rank",
                },
            )

    def test_download_failure_says_retry(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            run = TrainerProcess(tmp, "http://127.0.0.1:9/nothing.jsonl", TINY)
            self.assertEqual(run.finish(), 1)
            self.assertEqual(run.events[-1]["code"], "download_failed")
            self.assertRegex(
                run.events[-1]["message"], r"^Could not download the dataset: .+; retry the job$"
            )


class TinyModelTest(unittest.TestCase):
    def test_the_base_model_is_the_same_every_time(self) -> None:
        a, b = build_base_model(), build_base_model()
        for (name, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
            self.assertTrue(torch.equal(p, q), name)

    def test_fresh_adapters_leave_the_base_output_unchanged_and_only_they_train(self) -> None:
        ids = torch.randint(0, 263, (2, 16))
        base = build_base_model().eval()
        expected = base(ids)
        model = build_base_model()
        adapters = add_lora(model, 4, 8, 0.0)
        model.eval()
        self.assertTrue(torch.allclose(model(ids), expected))
        trainable = {id(p) for p in model.parameters() if p.requires_grad}
        self.assertEqual(trainable, {id(p) for p in adapters.values()})
        self.assertEqual(len(adapters), 8)


if __name__ == "__main__":
    unittest.main()
