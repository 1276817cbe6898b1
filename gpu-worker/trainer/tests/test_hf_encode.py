"""Label masking of the Hugging Face path, with a stand-in tokenizer (transformers is not
installed here, and the masking logic is the part most easily got wrong)."""

from __future__ import annotations

import unittest

from trainer.hf_backend import HuggingFaceBackend
from trainer.render import Sample
from trainer.tokenizer import IGNORE


class CharTemplateTokenizer:
    """A chat template of ``[role]content|`` with one token per character."""

    chat_template = "stand-in"

    def apply_chat_template(self, messages: list[dict[str, str]], tokenize: bool) -> list[int]:
        return [ord(c) for m in messages for c in f"[{m['role'][0]}]{m['content']}|"]


def backend(context_length: int) -> HuggingFaceBackend:
    instance = HuggingFaceBackend.__new__(HuggingFaceBackend)
    instance.tokenizer = CharTemplateTokenizer()
    instance.context_length = context_length
    return instance


class HuggingFaceEncodeTest(unittest.TestCase):
    def test_only_target_messages_are_labelled(self) -> None:
        sample = Sample(
            [
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": "ab"},
                {"role": "user", "content": "r"},
                {"role": "assistant", "content": "cd"},
            ],
            [3],
        )
        encoded = backend(1000).encode(sample)
        text = "".join(chr(t) for t in encoded.input_ids)
        self.assertEqual(text, "[u]q|[a]ab|[u]r|[a]cd|")
        labelled = "".join(chr(t) for t in encoded.labels if t != IGNORE)
        self.assertEqual(labelled, "[a]cd|")

    def test_a_long_sample_is_cut_around_its_target(self) -> None:
        sample = Sample(
            [{"role": "user", "content": "x" * 100}, {"role": "assistant", "content": "ok"}], [1]
        )
        encoded = backend(20).encode(sample)
        self.assertEqual(len(encoded.input_ids), 20)
        self.assertEqual("".join(chr(t) for t in encoded.labels if t != IGNORE), "[a]ok|")


if __name__ == "__main__":
    unittest.main()
