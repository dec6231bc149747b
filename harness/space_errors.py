"""The error every search-space loader raises, and its hint for a key no model knows."""

from __future__ import annotations

from pydantic import BaseModel

from archon_code.config_files import ConfigError, did_you_mean


class SpaceError(ConfigError):
    """A space that cannot be loaded or instantiated. ``str()`` gives one line per problem,
    each naming the file and the place in it."""


def unknown_key_hint(key: str, model: type[BaseModel]) -> str:
    """`` (did you mean 'x'?)`` for a key ``model`` does not have, else the keys it has."""
    return did_you_mean(key, [f.alias or n for n, f in model.model_fields.items()], cutoff=0.6, list_known=True)
