"""The architectures shipped with archon-code, as YAML files beside this module.

``resolve_architecture`` takes either a shipped name (``single``, ``moa``, ...) or the path
of a YAML/JSON file; ``list_architectures`` names the shipped ones.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from archon_code.config import Architecture, ArchitectureError, load_architecture
from archon_code.config_files import find_config, shipped_configs


def architectures_dir() -> Path:
    return Path(str(importlib.resources.files(__name__)))


def list_architectures() -> list[str]:
    """Names of the shipped architectures, sorted."""
    return sorted(shipped_configs(architectures_dir()))


def resolve_architecture(name_or_path: str | Path) -> Architecture:
    """A shipped architecture by name, or the architecture in a YAML/JSON file.

    An existing file wins over a shipped name. Anything else raises ArchitectureError with
    one line naming what was asked for, the shipped names, and close matches."""
    return load_architecture(find_config(name_or_path, architectures_dir(), "architecture", ArchitectureError))


__all__ = ["architectures_dir", "list_architectures", "resolve_architecture"]
