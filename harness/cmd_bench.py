"""`archon-code bench`: run an architecture over a problem set, resumably, with live Pass@1."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from harness.console import err, fail, sandbox_warnings
from harness.options import (
    ApiBaseOpt,
    BackendOpt,
    HiddenTests,
    HiddenTestsOpt,
    MaxConnectionsOpt,
    MaxRetriesOpt,
    MaxSandboxesOpt,
    ModelOpt,
    ProblemIdOpt,
    ProblemsOpt,
    RayAddressOpt,
    SplitOpt,
    open_pool,
)


def bench_command(
    arch: Annotated[str, typer.Option("--arch", help="A shipped architecture name or a YAML/JSON file.")] = "offline",
    problems: ProblemsOpt = "bundled",
    split: SplitOpt = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help="At most N problems.")] = None,
    problem_id: ProblemIdOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for sampling and tie-breaking picks.")] = 0,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    max_connections: MaxConnectionsOpt = 8,
    max_retries: MaxRetriesOpt = 4,
    max_sandboxes: MaxSandboxesOpt = None,
    hidden_tests: HiddenTestsOpt = "private",
    backend: BackendOpt = "auto",
    ray_address: RayAddressOpt = None,
    run_dir: Annotated[Optional[Path], typer.Option("--run-dir", help="Where the run lives (default: runs/<arch>-<config hash>).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Bypass the LLM response cache.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print results.json to stdout at the end.")] = False,
) -> None:
    """Run an architecture over problems: Pass@1 next to oracle and baselines, resumable."""
    from archon_code.architectures import resolve_architecture
    from archon_code.cache import ResponseCache
    from archon_code.config import ArchitectureError
    from archon_code.context import LLMHub, LLMSettings
    from archon_code.pipeline import Pipeline
    from harness.bench import BenchOptions, run_bench
    from harness.runstore import (
        RunDirConflict,
        RunStore,
        config_hash,
        default_run_dir,
        versions,
    )
    from problems import ProblemError, load_problems
    from sandbox.image import ImageError
    from sandbox.pool import SandboxUnavailable

    hidden_tests = HiddenTests(hidden_tests).value
    try:
        architecture = resolve_architecture(arch)
    except (ArchitectureError, FileNotFoundError, ValueError) as e:
        raise fail(str(e))
    try:
        problem_list = load_problems(problems, split=split, limit=limit,
                                     problem_ids=problem_id or None)
    except ProblemError as e:
        raise fail(str(e))
    if not problem_list:
        raise fail(f"no problems selected from {problems}")

    config = {
        "architecture": architecture.model_dump(mode="json"),
        "problems": problems,
        "split": split,
        "problem_ids": [p.id for p in problem_list],
        "seed": seed,
        "model": model,
        "api_base": api_base,
        "hidden_tests": hidden_tests,
    }
    chash = config_hash(config)
    runs_root = Path(os.environ.get("ARCHON_CODE_RUNS", "runs"))
    path = run_dir or default_run_dir(runs_root, architecture.name, config)
    store = RunStore(path)
    meta = {"config_hash": chash, "config": config, "versions": versions(),
            "command": sys.argv[1:]}
    try:
        store.open(meta)
    except RunDirConflict as e:
        raise fail(str(e))

    settings = LLMSettings(model=model, api_base=api_base, max_connections=max_connections,
                           max_retries=max_retries,
                           cache=None if no_cache else ResponseCache(), use_cache=not no_cache)
    already = len(store.done() & {p.id for p in problem_list})
    err.print(f"run dir: {path}  ({already} of {len(problem_list)} problems already done)",
              soft_wrap=True, highlight=False)

    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("Pass@1 {task.fields[p1]}"), TextColumn("oracle {task.fields[oracle]}"),
        TextColumn("${task.fields[cost]}"), TimeElapsedColumn(), TimeRemainingColumn(),
        console=err, transient=False,
    )

    pool = open_pool(backend, max_sandboxes, ray_address)

    async def go() -> dict:
        async with pool:
            err.print(f"sandbox: {pool.description}", highlight=False)
            pipeline = Pipeline(architecture, pool, LLMHub(settings), seed=seed)
            from harness.metrics import summarize

            wanted = {p.id for p in problem_list}
            so_far = summarize([r for k, r in store.records().items() if k in wanted])
            task = progress.add_task(
                architecture.name, total=len(problem_list), completed=already,
                p1=f"{so_far['pass_at_1']:.3f}" if already else "-",
                oracle=f"{so_far['oracle']:.3f}" if already else "-",
                cost=f"{so_far['cost_usd']:.4f}")

            def on_record(record: dict, summary: dict) -> None:
                progress.update(task, advance=1, p1=f"{summary['pass_at_1']:.3f}",
                                oracle=f"{summary['oracle']:.3f}",
                                cost=f"{summary['cost_usd']:.4f}")

            options = BenchOptions(seed=seed, hidden=hidden_tests,
                                   max_problems=2 * pool.size)
            with progress:
                return await run_bench(pipeline, problem_list, pool, store, options, on_record)

    with sandbox_warnings():
        try:
            summary = asyncio.run(go())
        except (SandboxUnavailable, ImageError) as e:
            raise fail(str(e))
        except KeyboardInterrupt:
            err.print(f"[yellow]interrupted[/yellow]: finished problems are saved in {path}; "
                      "run the same command again to resume")
            raise typer.Exit(130)
    results = {**summary, "architecture": architecture.name, "config_hash": chash,
               "seed": seed, "versions": meta["versions"], "run_dir": str(path)}
    store.write_results(results)
    if as_json:
        sys.stdout.write(json.dumps(results) + "\n")
    else:
        print_summary(results)


def print_summary(results: dict) -> None:
    out = Console()
    t = Table(title=f"{results['architecture']}: {results['problems']} problems")
    t.add_column("metric")
    t.add_column("value", justify="right")
    lo, hi = results.get("pass_at_1_ci95", [float("nan")] * 2)
    t.add_row("Pass@1 (pipeline)", f"{results['pass_at_1']:.3f}  [{lo:.3f}, {hi:.3f}]")
    t.add_row("oracle (any candidate correct)", f"{results['oracle']:.3f}")
    t.add_row("random pick", f"{results['random_pick']:.3f}")
    t.add_row("public filter, then random", f"{results['public_filter_random']:.3f}")
    for k, v in results.get("pass_at_k", {}).items():
        t.add_row(f"pool {k}", f"{v:.3f}")
    t.add_row("cost (USD)", f"{results['cost_usd']:.4f}")
    t.add_row("tokens", str(results["tokens"]))
    t.add_row("wall (s)", f"{results.get('wall_s', 0):.1f}")
    t.add_row("errors", str(len(results["errors"])))
    out.print(t)
    for e in results["errors"]:
        out.print(Text(f"error: {e['problem']}: {e['error']}", style="red"))
    out.print(f"run dir: {results['run_dir']}")


def register(app: typer.Typer) -> None:
    app.command("bench")(bench_command)
