"""Every component type, registered by importing its module here."""

from archon_code.components import llm_roles  # noqa: F401
from archon_code.components import rankers, sources, test_generation, tournament  # noqa: F401
from archon_code.components.base import REGISTRY, Component, build

__all__ = ["REGISTRY", "Component", "build"]
