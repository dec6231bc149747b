"""Every component type, registered by importing its module here."""

from archon_code.components.base import REGISTRY, Component, build

__all__ = ["REGISTRY", "Component", "build"]
