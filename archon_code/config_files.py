"""Reading YAML/JSON config files, and the errors, hints, warnings and name-or-path lookup
every config loader shares (architectures here, search spaces in the harness)."""

from __future__ import annotations

import difflib
import json
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


class ConfigError(ValueError):
    """A config that cannot be loaded. ``str()`` gives one line per problem, each starting
    with the file (or whatever the config came from) and naming the place in it."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def read_config_file(path: str | Path, error: type[ConfigError] = ConfigError) -> Any:
    """The data in a YAML or JSON file (by suffix: ``.json`` is JSON, anything else YAML).
    Unreadable, empty or malformed files raise ``error`` naming the line and column."""
    source = str(path)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(source, [f"cannot read: {exc}"]) from None
    if not text.strip():
        raise error(source, ["the file is empty"])
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(source, [f"line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(source, [f"{where}invalid YAML: {problem}"]) from None


def did_you_mean(key: str, known: Iterable[str], *, cutoff: float = 0.75, list_known: bool = False) -> str:
    """`` (did you mean 'x'?)`` for the closest known key, or, with ``list_known``, the known
    keys when none is close; else an empty string."""
    known = list(known)
    close = difflib.get_close_matches(key, known, n=1, cutoff=cutoff)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known: {', '.join(known)})" if list_known else ""


def shipped_configs(folder: Path) -> dict[str, Path]:
    """The config files in ``folder`` by name (the file's stem), hidden and private ones left out."""
    if not folder.is_dir():
        return {}
    return {
        p.stem: p
        for p in sorted(folder.iterdir())
        if p.suffix in CONFIG_SUFFIXES and p.is_file() and not p.name.startswith((".", "_"))
    }


def find_config(name_or_path: str | Path, folder: Path, kind: str, error: type[ConfigError]) -> Path:
    """An existing file, else the config shipped in ``folder`` under that name. An existing
    file wins over a shipped name; anything else raises ``error`` with one line naming what
    was asked for, the shipped names and close matches (``kind``: "architecture", ...)."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path
    text = str(name_or_path)
    shipped = shipped_configs(folder)
    if text in shipped:
        return shipped[text]
    if path.suffix.lower() in CONFIG_SUFFIXES or "/" in text or "\\" in text:
        raise error(text, ["no such file"])
    close = difflib.get_close_matches(text, list(shipped), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise error(text, [f"unknown {kind}; {hint}shipped: {', '.join(sorted(shipped))} "
                       "(or give the path of a YAML/JSON file)"])


# warn_explicit's registry: one warning per distinct message, however often a config loads.
_WARNED: dict[Any, Any] = {}


def warn_once(message: str, category: type[Warning], source: str) -> None:
    """Warn about ``source`` once per distinct message. Line 0 has no source text, so the
    default display is this one line."""
    warnings.warn_explicit(message, category, source, 0, registry=_WARNED)
