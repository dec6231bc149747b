"""Shared resources a component may use: the sandbox pool, LLM clients, a seeded RNG, and
the problem's Executor (shared execution)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from sandbox.pool import SandboxPool

from archon_code.config import Architecture, LLMComponentConfig, parse_architecture
from archon_code.executor import Executor
from archon_code.llm import LLMClient, LLMSettings, missing_credentials

__all__ = ["Context", "LLMHub", "LLMSettings", "architecture_models", "missing_keys", "with_model"]


class LLMHub:
    """One client per (model, api base), all sharing one connection limit, one cache and one
    retry policy (the settings). Models are used as the architecture names them: a
    ``--model`` override is written into the architecture first (:func:`with_model`), so
    that what a run records is what it ran."""

    def __init__(self, settings: LLMSettings | None = None) -> None:
        self.settings = settings or LLMSettings()
        self._limiter: asyncio.Semaphore | None = None
        self._clients: dict[tuple[str, str | None], LLMClient] = {}

    def client(self, model: str, api_base: str | None = None) -> LLMClient:
        key = (model, api_base)
        if key not in self._clients:
            if self._limiter is None:
                self._limiter = asyncio.Semaphore(self.settings.max_connections)
            self._clients[key] = LLMClient(model, api_base, settings=self.settings, limiter=self._limiter)
        return self._clients[key]


def with_model(arch: Architecture, model: str | None, api_base: str | None = None) -> Architecture:
    """``--model`` / ``--api-base`` written into every LLM component (a judge model too), so
    that the architecture recorded (and reported, and written to best.yaml) is the one that
    ran. ``model`` is a whole litellm string: the component's ``model_type`` prefix goes."""
    if model is None and api_base is None:
        return arch
    data = arch.model_dump(mode="json")
    for layer in data["layers"]:
        for comp in layer:
            if "model" not in comp:
                continue
            if model is not None:
                comp["model"] = model
                comp["model_type"] = None
                if comp.get("judge_model"):
                    comp["judge_model"] = model
            if api_base is not None:
                comp["api_base"] = api_base
    return parse_architecture(data)


def architecture_models(arch: Architecture) -> dict[tuple[str, str | None], list[str]]:
    """(litellm model, api base) -> labels of the components that call it."""
    out: dict[tuple[str, str | None], list[str]] = {}
    for i, layer in enumerate(arch.layers):
        for j, cfg in enumerate(layer):
            if not isinstance(cfg, LLMComponentConfig):
                continue
            label = f"L{i + 1}.{cfg.type}[{j}]"
            models = [cfg.litellm_model]
            judge = getattr(cfg, "judge_model", None)
            if judge:
                models.append(judge)
            for m in models:
                out.setdefault((m, cfg.api_base), []).append(label)
    return out


def missing_keys(arch: Architecture, settings: LLMSettings | None = None) -> list[str]:
    """One line per model whose API key is not set: which variable, and who needs it."""
    api_key = settings.api_key if settings is not None else None
    lines = []
    for (model, api_base), labels in architecture_models(arch).items():
        missing = missing_credentials(model, api_base, api_key)
        if missing:
            lines.append(f"{model} needs {' or '.join(missing)} in the environment "
                         f"(used by {', '.join(labels)})")
    return lines


@dataclass
class Context:
    """Per-problem context handed to every component."""

    pool: SandboxPool
    llm: LLMHub
    executor: Executor
    seed: int = 0
    rng: random.Random = field(default_factory=random.Random)
