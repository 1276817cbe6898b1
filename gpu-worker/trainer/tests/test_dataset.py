"""Parsing, rendering, splitting and tokenising the dataset."""

from __future__ import annotations

import json
import unittest

from trainer.dataset import parse_dataset, split_validation
from trainer.errors import TrainerError
from trainer.render import Sample
from trainer.tokenizer import IGNORE, ROLE_TOKENS, encode

SYSTEM = "You are a patient coach."


def pair(
    conversation: str,
    turn: int,
    history: list[dict[str, str]] | None = None,
    user: str = "Hi?",
    target: str = "Hello.",
) -> str:
    return json.dumps(
        {
            "id": f"{conversation}_{turn}",
            "conversation_id": conversation,
            "turn_number": turn,
            "system_prompt": SYSTEM,
            "conversation_history": history or [],
            "current_user_input": user,
            "target_response": target,
        }
    )


class ParseDatasetTest(unittest.TestCase):
    def test_reads_a_header_and_pairs(self) -> None:
        text = '{"_meta": {"version": "4.0.0"}}\n' + pair("c1", 1) + "\n\n" + pair("c2", 1) + "\n"
        samples = parse_dataset(text.encode())
        self.assertEqual(len(samples), 2)
        self.assertEqual([s.group for s in samples], ["c1", "c2"])

    def test_errors_name_the_line(self) -> None:
        cases = {
            pair("c", 1) + "\n{not json\n": "line 2: not valid JSON",
            pair("c", 1) + '\n{"_meta": {}}\n': "line 2: a _meta header is only allowed on line 1",
            json.dumps(
                {"messages": [{"role": "user", "content": "q"}]}
            ): "line 1: messages has no assistant message",
            pair("c", 1)
            + "\n"
            + json.dumps(
                {
                    "messages": [
                        {"role": "user", "content": "q"},
                        {"role": "assistant", "content": "a"},
                    ]
                }
            ): "line 2: the line is chat_messages but the file is brightrun_lora_v4",
            json.dumps(
                {
                    "id": "x",
                    "current_user_input": "q",
                    "system_prompt": "s",
                    "conversation_history": [],
                }
            ): "line 1: target_response must be a string",
        }
        for text, message in cases.items():
            with self.subTest(message), self.assertRaises(TrainerError) as caught:
                parse_dataset(text.encode())
            self.assertEqual(caught.exception.code, "invalid_dataset")
            self.assertIn(message, caught.exception.message)
            self.assertTrue(
                caught.exception.message.endswith("fix it and upload the dataset again")
            )

    def test_invalid_utf8_names_its_line(self) -> None:
        data = pair("c", 1).encode() + b"\n" + b'{"messages": "\xff"}\n'
        with self.assertRaises(TrainerError) as caught:
            parse_dataset(data)
        self.assertIn("line 2", caught.exception.message)

    def test_empty_dataset_says_what_to_add(self) -> None:
        with self.assertRaises(TrainerError) as caught:
            parse_dataset(b'{"_meta": {"version": "4.0.0"}}\n\n')
        self.assertEqual(caught.exception.code, "no_trainable_samples")


class SplitTest(unittest.TestCase):
    def samples(self) -> list[Sample]:
        return [Sample([{"role": "user", "content": str(i)}], [], f"c{i // 3}") for i in range(30)]

    def test_deterministic_and_by_conversation(self) -> None:
        train, validation = split_validation(self.samples(), 0.2, 42)
        again = split_validation(self.samples(), 0.2, 42)
        self.assertEqual([s.messages for s in validation], [s.messages for s in again[1]])
        self.assertEqual(len(train) + len(validation), 30)
        self.assertEqual(len(validation), 6)
        self.assertFalse({s.group for s in train} & {s.group for s in validation})

    def test_validation_size_rounds_half_up_as_the_estimate_does(self) -> None:
        singles = [Sample([{"role": "user", "content": str(i)}], [], f"c{i}") for i in range(10)]
        self.assertEqual(len(split_validation(singles, 0.25, 7)[1]), 3)  # 2.5 → 3, not 2
        self.assertEqual(len(split_validation(singles, 0.15, 7)[1]), 2)  # 1.5 → 2
        self.assertEqual(len(split_validation(singles, 0.01, 7)[1]), 1)  # at least one

    def test_no_validation_when_it_would_leak_or_is_off(self) -> None:
        one_conversation = [Sample([], [], "c")] * 5
        self.assertEqual(split_validation(one_conversation, 0.5, 1)[1], [])
        self.assertEqual(split_validation(self.samples(), 0, 1)[1], [])


class TokenizerTest(unittest.TestCase):
    def test_only_targets_carry_labels(self) -> None:
        sample = Sample(
            [
                {"role": "system", "content": "S"},
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "ok"},
            ],
            [2],
        )
        encoded = encode(sample, 256)
        labelled = [t for t in encoded.labels if t != IGNORE]
        self.assertEqual(labelled, [ord("o"), ord("k"), 258])
        self.assertIn(ROLE_TOKENS["assistant"], encoded.input_ids)

    def test_a_long_sample_keeps_its_target(self) -> None:
        sample = Sample(
            [{"role": "user", "content": "x" * 1000}, {"role": "assistant", "content": "answer"}],
            [1],
        )
        encoded = encode(sample, 64)
        self.assertEqual(len(encoded.input_ids), 64)
        self.assertEqual(encoded.trainable, len("answer") + 1)


if __name__ == "__main__":
    unittest.main()
