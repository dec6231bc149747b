"""The error every search-space loader raises, and how a validation error reads in it."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from archon_code.config_files import ConfigError, did_you_mean


class SpaceError(ConfigError):
    """A space that cannot be loaded or instantiated. ``str()`` gives one line per problem,
    each naming the file and the place in it."""


def unknown_key_hint(key: str, model: type[BaseModel]) -> str:
    """`` (did you mean 'x'?)`` for a key ``model`` does not have, else the keys it has."""
    return did_you_mean(key, [f.alias or n for n, f in model.model_fields.items()], cutoff=0.6, list_known=True)


def validation_problems(exc: ValidationError, model: type[BaseModel], unknown: str) -> list[tuple[str, str]]:
    """(field, message) for each error of validating ``model``: pydantic's message without its
    "Value error, " prefix, or for a top-level key ``model`` does not have, ``unknown`` with
    a did-you-mean hint."""
    out = []
    for e in exc.errors(include_url=False):
        field = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden" and len(e["loc"]) == 1:
            msg = unknown + unknown_key_hint(field, model)
        out.append((field, msg))
    return out
