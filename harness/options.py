"""Options several commands share (problems, LLM access, where programs run), and the one
place that turns --backend and --ray-address into a pool."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from archon_code.rules import (
    DEFAULT_HIDDEN_TESTS,
    DEFAULT_LIMITS_POLICY,
    DEFAULT_TIME_SCALE,
    HIDDEN_TESTS,
    LIMITS_POLICIES,
)
from archon_code.llm_defaults import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_S,
    TIMEOUT_ENV,
    default_timeout_s,
)
from harness.console import fail
from sandbox.checker import CHECKERS
from sandbox.runner import DEFAULT_CHECKER

if TYPE_CHECKING:
    from archon_code.llm import LLMSettings, RetryNotice

ProblemsOpt = Annotated[
    str, typer.Option("--problems", metavar="SOURCE",
                      help="'bundled', 'codecontests[:SPLIT]', or a file/folder.")
]
SplitOpt = Annotated[Optional[str], typer.Option("--split", metavar="SPLIT", help="CodeContests split.")]
ProblemIdOpt = Annotated[
    Optional[list[str]], typer.Option("--problem-id", metavar="ID", help="Only this problem (repeatable).")
]
ModelOpt = Annotated[
    Optional[str],
    typer.Option("--model", metavar="MODEL",
                 help="litellm model string for every LLM component (overrides the architecture file)."),
]
ApiBaseOpt = Annotated[
    Optional[str],
    typer.Option("--api-base", metavar="URL",
                 help="Base URL of an OpenAI-compatible server (vLLM, ollama, a proxy)."),
]
MaxConnectionsOpt = Annotated[
    int, typer.Option("--max-connections", min=1, metavar="N", help="LLM requests in flight at once.")
]
MaxRetriesOpt = Annotated[
    int,
    typer.Option("--max-retries", min=0, metavar="N",
                 help="Retries of a failed LLM call (rate limits, server errors, timeouts)."),
]
TimeoutOpt = Annotated[
    Optional[float],
    typer.Option("--timeout", metavar="SECONDS", show_default=False,
                 help=f"Seconds an LLM request may take before it counts as failed and is retried "
                      f"(default: ${TIMEOUT_ENV}, else {DEFAULT_TIMEOUT_S:g})."),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the LLM response cache.")]
WaitOpt = Annotated[
    bool,
    typer.Option("--wait", help="If another process is working in the same directory, wait for it "
                                "to finish instead of stopping."),
]


def llm_settings(*, max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 max_retries: int = DEFAULT_MAX_RETRIES, timeout: float | None = None,
                 no_cache: bool = False, cache=None,
                 on_retry: Callable[[RetryNotice], None] | None = None) -> LLMSettings:
    """The run's LLM settings from the command line; bad values and a cache that cannot be
    opened are one-line errors. ``cache`` replaces the default on-disk response cache."""
    import sqlite3

    from archon_code.cache import ResponseCache
    from archon_code.llm import LLMSettings

    if timeout is not None and not timeout > 0:
        raise fail(f"--timeout must be above 0 seconds, not {timeout:g}")
    try:
        seconds = timeout if timeout is not None else default_timeout_s()
    except ValueError as e:
        raise fail(str(e))
    if no_cache:
        cache = None
    elif cache is None:
        try:
            cache = ResponseCache()
        except (OSError, sqlite3.Error) as e:
            raise fail(f"cannot open the LLM response cache: {e} (use --no-cache to run without it)")
    return LLMSettings(max_connections=max_connections, max_retries=max_retries, timeout_s=seconds,
                       cache=cache, use_cache=not no_cache, on_retry=on_retry)


def check_credentials(architecture) -> None:
    """Stop before any work when a model of the architecture lacks its API key."""
    from archon_code.context import missing_keys

    missing = missing_keys(architecture)
    if missing:
        raise fail(missing[0] + (f" (and {len(missing) - 1} more model(s))" if len(missing) > 1 else ""))


# -- the rules that decide a verdict (archon_code.rules): one recorded choice per run


# Built from the rules' own lists, so the command line cannot drift from them.
HiddenTests = Enum("HiddenTests", {n: n for n in HIDDEN_TESTS}, type=str)  # type: ignore[misc]
LimitsPolicy = Enum("LimitsPolicy", {n: n for n in LIMITS_POLICIES}, type=str)  # type: ignore[misc]
Checker = Enum("Checker", {n: n for n in CHECKERS}, type=str)  # type: ignore[misc]

HiddenTestsOpt = Annotated[
    HiddenTests,
    typer.Option("--hidden-tests", help="What a pick is judged on: the private tests (the default), "
                 "also the generated ones, or every test including the public ones (as Archon did)."),
]


LimitsOpt = Annotated[
    LimitsPolicy,
    typer.Option("--limits", help="How a problem's time and memory limits apply: deepmind (its "
                 "CodeContests sandbox: CPU max(1 s, limit), memory + 32 MiB; the default), strict "
                 "(exactly the limits), archon (limit + 10 s, no memory limit of its own)."),
]
TimeScaleOpt = Annotated[
    float,
    typer.Option("--time-scale", metavar="FACTOR", help="Multiply every time limit first (e.g. 3 "
                 "for Python judged on limits meant for C++)."),
]


CheckerOpt = Annotated[
    Checker,
    typer.Option("--checker", help="Output comparison: codecontests (DeepMind's, quirks included; "
                 "the default), codecontests-strict (integer answers exact), exact (the text)."),
]


def make_rules(*, limits: LimitsPolicy | str = DEFAULT_LIMITS_POLICY, time_scale: float = DEFAULT_TIME_SCALE,
               checker: Checker | str = DEFAULT_CHECKER, hidden_tests: HiddenTests | str = DEFAULT_HIDDEN_TESTS):
    """The run's verdict rules from the command line; a bad value is a one-line error."""
    from archon_code.rules import Rules, RulesError

    try:
        return Rules(checker=Checker(checker).value, limits=LimitsPolicy(limits).value,  # type: ignore[arg-type]
                     time_scale=time_scale, hidden_tests=HiddenTests(hidden_tests).value)  # type: ignore[arg-type]
    except RulesError as e:
        raise fail(f"--time-scale: {e}" if "time scale" in str(e) else str(e))


class Backend(str, Enum):
    auto = "auto"
    docker = "docker"
    local = "local"
    ray = "ray"


BackendOpt = Annotated[
    Backend,
    typer.Option(
        "--backend",
        help="Where programs run: docker (the default when a daemon answers), local (weaker: "
        "no container), ray (every node of a Ray cluster runs its own Docker pool), or auto.",
    ),
]
MaxSandboxesOpt = Annotated[
    Optional[int],
    typer.Option(
        "--max-sandboxes", min=1, metavar="N",
        help="Sandbox containers (default: one per core; per node with --backend ray).",
    ),
]
RayAddressOpt = Annotated[
    Optional[str],
    typer.Option(
        "--ray-address", metavar="ADDRESS",
        help="Ray cluster to run programs on (host:port, auto or ray://host:port); implies "
        "--backend ray. Default: RAY_ADDRESS, else Ray started on this machine.",
    ),
]


def open_pool(backend: Backend | str, size: int | None = None, ray_address: str | None = None):
    """A SandboxPool, or a RaySandboxPool for the ray backend (not started yet). Raises
    typer.Exit with a one-line error when the options do not fit together. Compiled programs
    are kept in the build cache (see :func:`archon_code.cache.default_build_cache_dir`) across
    pools and runs."""
    from archon_code.cache import default_build_cache_dir

    build_cache = str(default_build_cache_dir())
    backend = Backend(backend)
    if ray_address is not None and backend is Backend.auto:
        backend = Backend.ray
    if backend is Backend.ray:
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            raise fail("the ray backend needs Ray: pip install 'archon-code[ray]'")
        from sandbox.ray_pool import RaySandboxPool

        return RaySandboxPool(ray_address, size=size, build_cache=build_cache)
    if ray_address is not None:
        raise fail(f"--ray-address needs --backend ray, not --backend {backend.value}")
    from sandbox.pool import SandboxPool

    return SandboxPool(backend.value, size=size, build_cache=build_cache)
