"""Scripts for the local OpenAI-compatible server that answer per LLM role.

The server sees what a real provider sees: the model name (litellm strips the ``openai/``
prefix) and the messages. The role is told apart by its system prompt, the programs shown
by their ``Program [k]`` / ``Solution [k]`` fences.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from archon_code import prompts

ROLE_BY_SYSTEM = {text: role for role, text in prompts.SYSTEM.items()}

Handler = Callable[[dict[str, Any]], Any]

_PROGRAM = re.compile(r"(?:Program|Solution) \[(\d+)\]:\n(`{3,})[a-z]*\n(.*?)\n\2", re.DOTALL)


def role_of(body: dict[str, Any]) -> str:
    return ROLE_BY_SYSTEM.get(body["messages"][0]["content"], "unknown")


def user_text(body: dict[str, Any]) -> str:
    return body["messages"][-1]["content"]


def programs_in(text: str) -> dict[int, str]:
    """The programs a prompt shows, by their number."""
    return {int(m.group(1)): m.group(3) for m in _PROGRAM.finditer(text)}


def fenced(code: str, tag: str = "python") -> str:
    return f"Here is my solution.\n\n```{tag}\n{code.rstrip()}\n```\n"


class RoleScript:
    """``script(request, call_index)`` for the server: one handler per role, and per model
    when ``(role, model)`` is given. A handler returns a server spec; a single text is
    repeated to fill ``n`` choices. Counts the requests per role."""

    def __init__(self, handlers: dict[Any, Handler]) -> None:
        self.handlers = handlers
        self.calls: Counter[str] = Counter()
        self.unscripted: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any], call_index: int) -> Any:
        role, model = role_of(body), body.get("model", "")
        with self._lock:
            self.calls[role] += 1
        handler = self.handlers.get((role, model)) or self.handlers.get(role)
        if handler is None:
            self.unscripted.append(f"{role} ({model})")
            return f"UNSCRIPTED {role}"
        spec = handler(body)
        if isinstance(spec, str):
            return [spec] * int(body.get("n") or 1)
        return spec
