"""Renders every accepted line shape to the chat the model trains on, with the engine's rules
(dataset-format.md §1–§2; common/engine/line/render-pair.ts and chat-facts.ts). A test renders
the same fixture lines here and in the TypeScript engine and compares them, because a sample
rendered differently here would train the model on text the validator never saw.

Run ``python -m trainer.render FILE`` to print each line's samples as one JSON array per line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

CHAT_ROLES = ("system", "user", "assistant", "tool")
HISTORY_ROLES = ("user", "assistant")


class RenderError(ValueError):
    """The line cannot be rendered; the message says which field and what to do."""


@dataclass
class Sample:
    """A chat and the indexes of the assistant messages trained on (the engine's Sample)."""

    messages: list[dict[str, str]]
    targets: list[int]
    # Samples sharing a group come from one conversation and go to the same split, so the
    # validation loss is not measured on a conversation the model trained on.
    group: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"messages": self.messages, "targets": self.targets}


def detect_shape(obj: dict[str, Any]) -> str | None:
    """The shape a line declares by its keys; v4 markers win because a pair also carries
    ``conversation_id`` (same order as detect-shape.ts)."""
    if "target_response" in obj or "current_user_input" in obj:
        return "brightrun_lora_v4"
    if "messages" in obj:
        return "chat_messages"
    if "conversations" in obj:
        return "conversations"
    if "turns" in obj:
        return "turns"
    return None


def _text(obj: dict[str, Any], name: str, path: str = "", allow_empty: bool = False) -> str:
    value = obj.get(name)
    where = f"{path}{name}"
    if not isinstance(value, str):
        raise RenderError(f"{where} must be a string")
    if not allow_empty and not value.strip():
        raise RenderError(f"{where} must not be empty")
    return value


def render_pair(obj: dict[str, Any]) -> Sample:
    """A v4 pair: system prompt, history, the user input unless the history already ends with
    it (real v4 files repeat it; training on it twice would teach a doubled user turn), then
    the target response as the only target."""
    system = _text(obj, "system_prompt", allow_empty=True)
    user_input = _text(obj, "current_user_input")
    target = _text(obj, "target_response")
    history = obj.get("conversation_history")
    if not isinstance(history, list):
        raise RenderError("conversation_history must be an array (empty for the first turn)")
    messages: list[dict[str, str]] = []
    if system != "":
        messages.append({"role": "system", "content": system})
    for i, turn in enumerate(history):
        path = f"conversation_history[{i}]."
        if not isinstance(turn, dict):
            raise RenderError(f"conversation_history[{i}] must be an object")
        role = turn.get("role")
        if role not in HISTORY_ROLES:
            raise RenderError(f'{path}role must be "user" or "assistant"')
        messages.append({"role": role, "content": _text(turn, "content", path)})
    last = messages[-1] if history else None
    if not (last and last["role"] == "user" and last["content"] == user_input):
        messages.append({"role": "user", "content": user_input})
    messages.append({"role": "assistant", "content": target})
    group = obj.get("conversation_id")
    return Sample(messages, [len(messages) - 1], group if isinstance(group, str) else "")


def _messages(items: Any, path: str) -> list[dict[str, str]]:
    if not isinstance(items, list) or not items:
        raise RenderError(f"{path} must be a non-empty array of messages")
    out: list[dict[str, str]] = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]."
        if not isinstance(item, dict):
            raise RenderError(f"{path}[{i}] must be an object")
        role = item.get("role")
        if role not in CHAT_ROLES:
            raise RenderError(f"{where}role must be one of {', '.join(CHAT_ROLES)}")
        out.append({"role": role, "content": _text(item, "content", where)})
    if not any(m["role"] == "assistant" for m in out):
        raise RenderError(f"{path} has no assistant message, so there is nothing to train on")
    return out


def _chat_sample(messages: list[dict[str, str]], group: str) -> Sample:
    """Every assistant message of a chat is a training target."""
    targets = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
    return Sample(messages, targets, group)


def render_chat(obj: dict[str, Any], shape: str, group: str) -> list[Sample]:
    if shape == "chat_messages":
        return [_chat_sample(_messages(obj.get("messages"), "messages"), group)]
    if shape == "conversations":
        items = obj.get("conversations")
        if not isinstance(items, list) or not items:
            raise RenderError("conversations must be a non-empty array")
        first = items[0]
        if not (isinstance(first, dict) and "messages" in first):
            # A flat list of messages is one conversation.
            return [_chat_sample(_messages(items, "conversations"), group)]
        samples = []
        for i, item in enumerate(items):
            if not isinstance(item, dict) or "messages" not in item:
                raise RenderError(
                    f'conversations[{i}] must be a conversation {{"messages": [...]}}'
                )
            path = f"conversations[{i}].messages"
            samples.append(_chat_sample(_messages(item["messages"], path), f"{group}#{i}"))
        return samples
    if shape == "turns":
        conversation_id = obj.get("conversation_id")
        if not isinstance(conversation_id, str) or not conversation_id.strip():
            raise RenderError("conversation_id must be a non-empty string")
        messages = _messages(obj.get("turns"), "turns")
        prompt = obj.get("system_prompt")
        # A legacy line may carry its system prompt beside the turns instead of in them.
        if isinstance(prompt, str) and prompt != "" and messages[0]["role"] != "system":
            messages = [{"role": "system", "content": prompt}, *messages]
        return [_chat_sample(messages, conversation_id)]
    raise RenderError(f"unknown line shape {shape}")


def render_line(obj: Any, expected_shape: str | None, line_number: int) -> tuple[str, list[Sample]]:
    """Returns the line's shape and samples; a line with no shape markers takes the file's shape
    so far (v4 when none), as the engine does."""
    if not isinstance(obj, dict):
        raise RenderError("the line is not a JSON object")
    shape = detect_shape(obj) or expected_shape or "brightrun_lora_v4"
    if shape == "brightrun_lora_v4":
        return shape, [render_pair(obj)]
    return shape, render_chat(obj, shape, f"line{line_number}")


def _main(argv: list[str]) -> int:
    """Prints each line's samples (or null for a line that does not render): the Python half of
    the render parity test."""
    with open(argv[0], encoding="utf-8") as f:
        for number, text in enumerate(f.read().split("\n"), start=1):
            if not text.strip():
                continue
            try:
                _, samples = render_line(json.loads(text), None, number)
                print(json.dumps([s.to_json() for s in samples], ensure_ascii=False))
            except (RenderError, json.JSONDecodeError):
                print("null")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
