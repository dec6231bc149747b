"""The component interface: every component is `State -> State`."""

from __future__ import annotations

import abc
from typing import ClassVar, Generic, TypeVar

from archon_code.config import ComponentConfig
from archon_code.context import Context
from archon_code.state import State

C = TypeVar("C", bound=ComponentConfig)

REGISTRY: dict[str, type["Component"]] = {}


class Component(abc.ABC, Generic[C]):
    """Subclasses set `type` (the config's `type`) and implement `__call__`.

    `produces = True` marks components that only add candidates or tests (generators, test
    writers): the pipeline runs those of one layer concurrently; others run in order."""

    type: ClassVar[str]
    produces: ClassVar[bool] = False

    def __init__(self, config: C, label: str) -> None:
        self.config = config
        self.label = label  # e.g. "L2.ranker[0]": names it in traces and usage

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not getattr(cls, "__abstractmethods__", None) and hasattr(cls, "type"):
            REGISTRY[cls.type] = cls

    @abc.abstractmethod
    async def __call__(self, state: State, ctx: Context) -> State: ...


def build(config: ComponentConfig, label: str) -> Component:
    from archon_code import components  # noqa: F401  (registers every component)

    kind = getattr(config, "type")
    if kind not in REGISTRY:
        raise ValueError(f"{label}: no implementation for component type {kind!r}")
    return REGISTRY[kind](config, label)
