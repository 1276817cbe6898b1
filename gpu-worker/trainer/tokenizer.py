"""Byte-level tokenizer of builtin/tiny-gpt: every UTF-8 byte is a token, plus a few specials
that mark message boundaries. It needs no vocabulary file, so the local path works with no
downloads."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.render import Sample

PAD = 256
BOS = 257
END = 258  # end of a message; trained on after a target so the model learns to stop
ROLE_TOKENS = {"system": 259, "user": 260, "assistant": 261, "tool": 262}
VOCAB_SIZE = 263
IGNORE = -100  # the label torch's cross-entropy skips


@dataclass
class Encoded:
    input_ids: list[int]
    labels: list[int]  # IGNORE except on assistant target tokens

    @property
    def trainable(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE)


def encode(sample: Sample, max_len: int) -> Encoded:
    """``<bos> (<role> bytes <end>)*``; only target content and its ``<end>`` carry labels, so
    the loss teaches the replies, never the prompts."""
    ids = [BOS]
    labels = [IGNORE]
    targets = set(sample.targets)
    for index, message in enumerate(sample.messages):
        ids.append(ROLE_TOKENS[message["role"]])
        labels.append(IGNORE)
        body = list(message["content"].encode("utf-8")) + [END]
        ids.extend(body)
        labels.extend(body if index in targets else [IGNORE] * len(body))
    return _window(Encoded(ids, labels), max_len)


def _window(encoded: Encoded, max_len: int) -> Encoded:
    """Cuts a long sample to ``max_len`` tokens around its first target: half the window of
    context before it, so a long history never squeezes the reply out entirely."""
    n = len(encoded.input_ids)
    if n <= max_len:
        return encoded
    first = next((i for i, label in enumerate(encoded.labels) if label != IGNORE), n)
    start = max(0, min(first - max_len // 2, n - max_len))
    end = start + max_len
    return Encoded(encoded.input_ids[start:end], encoded.labels[start:end])


def _main(argv: list[str]) -> int:
    """Prints, per non-blank line, the token count of each of its samples (null when the line
    does not render): the Python half of the token-count parity test with the engine's
    tiny-gpt counter (common/tokenizers/tiny-gpt.ts), which estimates and prices jobs."""
    import json

    from trainer.render import RenderError, render_line

    with open(argv[0], encoding="utf-8") as f:
        for number, text in enumerate(f.read().split("\n"), start=1):
            if not text.strip():
                continue
            try:
                _, samples = render_line(json.loads(text), None, number)
                print(json.dumps([len(encode(s, 1 << 30).input_ids) for s in samples]))
            except (RenderError, json.JSONDecodeError):
                print("null")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(_main(sys.argv[1:]))
