"""`archon-code solve PROBLEM`: run one architecture on one problem and show the pick."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

from harness.cmd_sandbox import UsageError
from harness.console import err, fail, sandbox_warnings
from archon_code.llm_defaults import DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RETRIES
from harness.options import (
    DEFAULT_CHECKER,
    DEFAULT_LIMITS_POLICY,
    DEFAULT_TIME_SCALE,
    ApiBaseOpt,
    BackendOpt,
    CheckerOpt,
    LimitsOpt,
    MaxConnectionsOpt,
    MaxRetriesOpt,
    MaxSandboxesOpt,
    ModelOpt,
    NoCacheOpt,
    RayAddressOpt,
    TimeoutOpt,
    TimeScaleOpt,
    check_credentials,
    llm_settings,
    make_rules,
    open_pool,
)

out = Console()


def _is_source(source: str) -> bool:
    from problems import HF_SPLITS

    if source in ("bundled", "codecontests"):
        return True
    if source.startswith("codecontests:"):
        return source.partition(":")[2] in HF_SPLITS
    return bool(source) and Path(source).expanduser().exists()


def resolve_problem(ref: str):
    """A problem file or folder holding one problem, or ``SOURCE:ID``. Problem names may
    contain colons, so the longest prefix that is a source wins."""
    from problems import load_problems

    path = Path(ref).expanduser()
    if path.exists():
        problems = load_problems(str(path))
        if len(problems) != 1:
            example = f"{ref}:{problems[0].name}" if problems else f"{ref}:ID"
            raise UsageError(f"{ref} holds {len(problems)} problems; name one as SOURCE:ID, e.g. {example!r}")
        return problems[0]
    cuts = [i for i, ch in enumerate(ref) if ch == ":"]
    for i in reversed(cuts):
        source, problem_id = ref[:i], ref[i + 1:]
        if problem_id and _is_source(source):
            return load_problems(source, problem_ids=[problem_id])[0]
    raise UsageError(
        f"{ref!r} is neither a problem file or folder nor SOURCE:ID "
        "(e.g. 'bundled:Twin Beacons', 'codecontests:valid:NAME', 'problems.jsonl:NAME')"
    )


def _samples(state) -> tuple[int, int]:
    """(LLM samples, of which cached) over every component."""
    return sum(u.samples for u in state.usage.values()), sum(u.cached for u in state.usage.values())


def solve_command(
    problem: Annotated[str, typer.Argument(
        help="A problem file (.json/.jsonl with one problem) or bundled-format folder, or SOURCE:ID "
             "such as 'bundled:Twin Beacons'.", metavar="PROBLEM", show_default=False)],
    arch: Annotated[str, typer.Option("--arch", metavar="ARCH", help="A shipped architecture name or a YAML/JSON file.")] = "single",
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seeds sampling and the tie-breaking pick.")] = 0,
    max_connections: MaxConnectionsOpt = DEFAULT_MAX_CONNECTIONS,
    max_retries: MaxRetriesOpt = DEFAULT_MAX_RETRIES,
    timeout: TimeoutOpt = None,
    max_sandboxes: MaxSandboxesOpt = None,
    backend: BackendOpt = "auto",
    ray_address: RayAddressOpt = None,
    limits: LimitsOpt = DEFAULT_LIMITS_POLICY,
    time_scale: TimeScaleOpt = DEFAULT_TIME_SCALE,
    checker: CheckerOpt = DEFAULT_CHECKER,
    no_cache: NoCacheOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: the solution, trace and program.")] = False,
) -> None:
    """Solve one problem with an architecture and print the chosen program.

    Exit status: 0 when a program was chosen, 1 when none survived, 2 on bad input."""
    from archon_code.architectures import resolve_architecture
    from archon_code.config import ArchitectureError
    from archon_code.context import with_model
    from problems import ProblemError

    rules = make_rules(limits=limits, time_scale=time_scale, checker=checker)
    try:
        architecture = with_model(resolve_architecture(arch), model, api_base)
        task = resolve_problem(problem)
    except (ArchitectureError, ProblemError, UsageError) as e:
        raise fail(str(e))
    check_credentials(architecture)

    from archon_code.context import LLMHub
    from archon_code.pipeline import Pipeline
    from sandbox.image import ImageError
    from sandbox.pool import SandboxUnavailable

    settings = llm_settings(max_connections=max_connections, max_retries=max_retries, timeout=timeout,
                            no_cache=no_cache)
    cache = settings.cache
    hub = LLMHub(settings)
    pool = open_pool(backend, max_sandboxes, ray_address)
    try:
        pipeline = Pipeline(architecture, pool, hub, seed=seed, rules=rules)
    except ValueError as e:
        raise fail(str(e))

    async def go():
        async with pool:
            return await pipeline.solve(task)

    with sandbox_warnings():
        try:
            if as_json:
                solution = asyncio.run(go())
            else:
                with err.status(f"solving {task.id} with {architecture.name}"):
                    solution = asyncio.run(go())
        except (SandboxUnavailable, ImageError) as e:
            raise fail(str(e))
        finally:
            if cache is not None:
                cache.close()

    state = solution.state
    program = solution.program
    if as_json:
        record = solution.to_dict()
        record["architecture"] = architecture.name
        record["program"] = None if program is None else {"language": program.language, "source": program.source}
        print(json.dumps(record))
    else:
        for message in state.errors:
            err.print(Text.assemble(("warning: ", "yellow"), message), soft_wrap=True)
        if program is not None:
            out.print(Syntax(program.source, program.language, line_numbers=False, word_wrap=True))
        out.print(Text(f"{task.id} · {architecture.name} · {solution.why()}"), soft_wrap=True)
        samples, cached = _samples(state)
        out.print(
            f"cost ${state.cost_usd:.4f} · {state.tokens} tokens · {samples} LLM samples ({cached} cached) · "
            f"{solution.executions} executions · {solution.latency_s:.1f} s"
        )
    raise typer.Exit(0 if program is not None else 1)


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
