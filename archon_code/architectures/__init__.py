"""The architectures shipped with archon-code, as YAML files beside this module.

``resolve_architecture`` takes either a shipped name (``single``, ``moa``, ...) or the path
of a YAML/JSON file; ``list_architectures`` names the shipped ones.
"""

from __future__ import annotations

import difflib
import importlib.resources
from pathlib import Path

from archon_code.config import Architecture, ArchitectureError, load_architecture

SUFFIXES = (".yaml", ".yml", ".json")


def architectures_dir() -> Path:
    return Path(str(importlib.resources.files(__name__)))


def _shipped() -> dict[str, Path]:
    return {
        p.stem: p
        for p in sorted(architectures_dir().iterdir())
        if p.suffix in SUFFIXES and p.is_file() and not p.name.startswith((".", "_"))
    }


def list_architectures() -> list[str]:
    """Names of the shipped architectures, sorted."""
    return sorted(_shipped())


def resolve_architecture(name_or_path: str | Path) -> Architecture:
    """A shipped architecture by name, or the architecture in a YAML/JSON file.

    An existing file wins over a shipped name. Anything else raises ArchitectureError with
    one line naming what was asked for, the shipped names, and close matches."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return load_architecture(path)
    text = str(name_or_path)
    shipped = _shipped()
    if text in shipped:
        return load_architecture(shipped[text])
    if path.suffix.lower() in SUFFIXES or "/" in text or "\\" in text:
        raise ArchitectureError(text, ["no such file"])
    close = difflib.get_close_matches(text, list(shipped), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise ArchitectureError(
        text,
        [f"unknown architecture; {hint}shipped: {', '.join(sorted(shipped))} "
         "(or give the path of a YAML/JSON file)"],
    )


__all__ = ["architectures_dir", "list_architectures", "resolve_architecture"]
