"""Options several commands share (problems, LLM access, where programs run), and the one
place that turns --backend and --ray-address into a pool."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from harness.console import fail

ProblemsOpt = Annotated[
    str, typer.Option("--problems", help="'bundled', 'codecontests[:SPLIT]', or a file/folder.")
]
SplitOpt = Annotated[Optional[str], typer.Option("--split", help="CodeContests split.")]
ProblemIdOpt = Annotated[
    Optional[list[str]], typer.Option("--problem-id", help="Only this problem (repeatable).")
]
ModelOpt = Annotated[
    Optional[str],
    typer.Option("--model", help="litellm model string for every LLM component (overrides the "
                 "architecture file)."),
]
ApiBaseOpt = Annotated[
    Optional[str],
    typer.Option("--api-base", help="Base URL of an OpenAI-compatible server (vLLM, ollama, a proxy)."),
]
MaxConnectionsOpt = Annotated[
    int, typer.Option("--max-connections", min=1, help="LLM requests in flight at once.")
]
MaxRetriesOpt = Annotated[
    int,
    typer.Option("--max-retries", min=0,
                 help="Retries of a failed LLM call (rate limits, server errors, timeouts)."),
]


class HiddenTests(str, Enum):
    private = "private"
    private_generated = "private+generated"


HiddenTestsOpt = Annotated[
    HiddenTests,
    typer.Option("--hidden-tests", help="What a pick is judged on: the private tests, or also "
                 "the generated ones."),
]


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
        "--max-sandboxes", min=1,
        help="Sandbox containers (default: one per core; per node with --backend ray).",
    ),
]
RayAddressOpt = Annotated[
    Optional[str],
    typer.Option(
        "--ray-address",
        help="Ray cluster to run programs on (host:port, auto or ray://host:port); implies "
        "--backend ray. Default: RAY_ADDRESS, else Ray started on this machine.",
    ),
]


def open_pool(backend: Backend | str, size: int | None = None, ray_address: str | None = None):
    """A SandboxPool, or a RaySandboxPool for the ray backend (not started yet). Raises
    typer.Exit with a one-line error when the options do not fit together."""
    backend = Backend(backend)
    if ray_address is not None and backend is Backend.auto:
        backend = Backend.ray
    if backend is Backend.ray:
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            raise fail("the ray backend needs Ray: pip install 'archon-code[ray]'")
        from sandbox.ray_pool import RaySandboxPool

        return RaySandboxPool(ray_address, size=size)
    if ray_address is not None:
        raise fail(f"--ray-address needs --backend ray, not --backend {backend.value}")
    from sandbox.pool import SandboxPool

    return SandboxPool(backend.value, size=size)
