"""Shared resources a component may use: the sandbox pool, LLM clients, a seeded RNG, and
the problem's Executor (shared execution)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sandbox.pool import SandboxPool

from archon_code.cache import ResponseCache
from archon_code.executor import Executor
from archon_code.llm import LLMClient


@dataclass
class LLMSettings:
    """What a user says about LLM access, on the command line or in code."""

    model: str | None = None  # overrides every component's model (`--model`)
    api_base: str | None = None  # `--api-base`, e.g. a vLLM or ollama server
    api_key: str | None = None
    max_connections: int = 8
    timeout_s: float = 120.0
    max_retries: int = 4
    cache: ResponseCache | None = None
    use_cache: bool = True
    backoff_base_s: float = 1.0


class LLMHub:
    """One client per (model, api base), all sharing one connection limit and one cache."""

    def __init__(self, settings: LLMSettings | None = None) -> None:
        self.settings = settings or LLMSettings()
        self._clients: dict[tuple[str, str | None], LLMClient] = {}

    def client(self, model: str, api_base: str | None = None) -> LLMClient:
        s = self.settings
        model = s.model or model
        api_base = s.api_base or api_base
        key = (model, api_base)
        if key not in self._clients:
            if self._clients:
                # Every further client shares the first one's connection limit and cache.
                root = next(iter(self._clients.values()))
                self._clients[key] = root.derive(model, api_base=api_base, api_key=s.api_key)
            else:
                self._clients[key] = LLMClient(
                    model,
                    api_base=api_base,
                    api_key=s.api_key,
                    max_connections=s.max_connections,
                    timeout_s=s.timeout_s,
                    max_retries=s.max_retries,
                    cache=s.cache,
                    use_cache=s.use_cache,
                    backoff_base_s=s.backoff_base_s,
                )
        return self._clients[key]


@dataclass
class Context:
    """Per-problem context handed to every component."""

    pool: SandboxPool
    llm: LLMHub
    executor: Executor
    seed: int = 0
    rng: random.Random = field(default_factory=random.Random)
