"""The one home of each LLM access default. Light on purpose (no litellm): the command line
reads these to show them in --help without paying litellm's import."""

from __future__ import annotations

import os

DEFAULT_MAX_CONNECTIONS = 8
DEFAULT_MAX_RETRIES = 4
DEFAULT_TIMEOUT_S = 120.0
TIMEOUT_ENV = "ARCHON_CODE_LLM_TIMEOUT"


def default_timeout_s() -> float:
    """Seconds per LLM request: ``$ARCHON_CODE_LLM_TIMEOUT`` when set, else 120."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
    if not value > 0:
        raise ValueError(f"{TIMEOUT_ENV}={raw!r} must be above 0 seconds")
    return value
