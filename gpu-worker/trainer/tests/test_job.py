"""The job spec: defaults, aliases, limits and the debug hooks' guard."""

from __future__ import annotations

import unittest

from trainer.errors import TrainerError
from trainer.job import parse_job
from trainer.schedule import learning_rate


def spec(**hyperparameters: object) -> dict[str, object]:
    return {
        "job_id": "j",
        "dataset_url": "file:///d.jsonl",
        "output_dir": "/tmp/o",
        "hyperparameters": hyperparameters,
    }


class JobSpecTest(unittest.TestCase):
    def test_defaults_and_aliases(self) -> None:
        job = parse_job(spec(num_epochs=2, rank=4, dropout=0.0))
        hp = job.hyperparameters
        self.assertEqual((hp.epochs, hp.lora_rank, hp.lora_alpha, hp.lora_dropout), (2, 4, 8, 0.0))
        self.assertEqual(hp.warmup_ratio, 0.1)
        self.assertEqual(hp.base_model, "builtin/tiny-gpt")

    def test_bad_values_name_the_field(self) -> None:
        cases = {
            "learning_rate": spec(learning_rate="fast"),
            "batch_size": spec(batch_size=1.5),
            "epochs": spec(epochs=0),
            "surprise": spec(surprise=1),
        }
        for field, raw in cases.items():
            with self.subTest(field), self.assertRaises(TrainerError) as caught:
                parse_job(raw)
            self.assertIn(field, caught.exception.message)
        with self.assertRaises(TrainerError):
            parse_job({**spec(), "dataset_url": "ftp://x"})

    def test_debug_hooks_need_the_environment(self) -> None:
        raw = {**spec(), "debug": {"inject_nan_at_step": 3}}
        self.assertIsNone(parse_job(raw, env={}).debug.inject_nan_at_step)
        self.assertEqual(
            parse_job(raw, env={"BRIGHTRUN_TRAINER_DEBUG": "1"}).debug.inject_nan_at_step, 3
        )


class ScheduleTest(unittest.TestCase):
    def test_warmup_then_linear_decay(self) -> None:
        rates = [learning_rate(s, 10, 1.0, 0.2) for s in range(10)]
        self.assertEqual(rates[:2], [0.5, 1.0])
        self.assertTrue(all(a > b for a, b in zip(rates[1:], rates[2:])))
        self.assertGreater(rates[-1], 0)

    def test_no_warmup(self) -> None:
        self.assertEqual(learning_rate(0, 4, 2.0, 0.0), 2.0)


if __name__ == "__main__":
    unittest.main()
