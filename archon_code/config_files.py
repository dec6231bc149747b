"""Reading YAML/JSON config files, and the errors and hints every config loader shares
(architectures here, search spaces in the harness)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml


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
