"""`archon-code search`: optuna over a space of architectures, each trial a real bench run on
the search problems, the finalists judged once on held-out problems."""

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
)
from rich.table import Table

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


def search_command(
    space: Annotated[str, typer.Option("--space", help="A search space YAML/JSON file (a template architecture with "
                                                       "choice points, or an Archon ITAS search config), or a "
                                                       "shipped one: offline, llm.")],
    problems: ProblemsOpt = "bundled",
    split: SplitOpt = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help="At most N problems (before the split).")] = None,
    problem_id: ProblemIdOpt = None,
    trials: Annotated[Optional[int], typer.Option("--trials", min=1, help="Trials the study should hold when done, pruned ones "
                                                                           "included (default: the space's, else 20).")] = None,
    budget_usd: Annotated[Optional[float], typer.Option("--budget-usd", min=0, help="Money the search trials may spend; a trial "
                                                                                  "projected to cost more than is left is skipped.")] = None,
    objectives: Annotated[str, typer.Option("--objectives", help="pass@1, optionally with cost and/or latency "
                                                                 "(Pareto front by NSGA-II).")] = "pass@1",
    holdout: Annotated[float, typer.Option("--holdout", help="Share of problems held out for the final evaluation.")] = 0.8,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split, the sampler and every pipeline.")] = 0,
    study_dir: Annotated[Optional[Path], typer.Option("--study-dir", help="Where the study lives (default: "
                                                                          "runs/search-<space>-<config hash>).")] = None,
    sampler: Annotated[Optional[str], typer.Option("--sampler", help="auto (TPE, or NSGA-II for several objectives), tpe, "
                                                                     "gp, random, grid, nsga2 (default: the space's).")] = None,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    max_connections: MaxConnectionsOpt = 8,
    max_retries: MaxRetriesOpt = 4,
    max_sandboxes: MaxSandboxesOpt = None,
    hidden_tests: HiddenTestsOpt = "private",
    backend: BackendOpt = "auto",
    ray_address: RayAddressOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary (results.json) to stdout at the end.")] = False,
) -> None:
    """Search a space of architectures with optuna; report the best (or the Pareto front) on held-out problems."""
    from harness.search_space import SAMPLERS, SpaceError, resolve_space

    hidden_tests = HiddenTests(hidden_tests).value
    if sampler is not None and sampler not in SAMPLERS:
        raise fail(f"--sampler must be one of {', '.join(SAMPLERS)}, not {sampler!r}")
    try:  # before the heavy imports: a mistake in the space file is reported at once
        search_space = resolve_space(space)
    except SpaceError as e:
        raise fail(str(e))
    if sampler == "grid" and search_space.continuous_points():
        raise fail(f"--sampler grid needs a step on every float point "
                    f"({', '.join(search_space.continuous_points())} has none)")

    from archon_code.context import LLMHub, LLMSettings
    from harness.runstore import RunDirConflict
    from harness.search import (
        MeteredCache,
        Search,
        SearchError,
        SearchOptions,
        default_study_dir,
        parse_objectives,
        split_problems,
        study_config,
    )
    from problems import ProblemError, load_problems
    from sandbox.image import ImageError
    from sandbox.pool import SandboxUnavailable

    try:
        goals = parse_objectives(objectives)
    except SearchError as e:
        raise fail(str(e))
    try:
        problem_list = load_problems(problems, split=split, limit=limit, problem_ids=problem_id or None)
    except ProblemError as e:
        raise fail(str(e))
    if not problem_list:
        raise fail(f"no problems selected from {problems}")

    options = SearchOptions(
        objectives=goals, trials=trials or search_space.search.trials or 20, budget_usd=budget_usd,
        holdout=holdout, seed=seed, sampler=sampler or search_space.search.sampler, hidden=hidden_tests,
        model=model, api_base=api_base)
    try:
        part, held = split_problems(problem_list, holdout, seed)
    except SearchError as e:
        raise fail(str(e))
    root = Path(os.environ.get("ARCHON_CODE_RUNS", "runs"))
    path = study_dir or default_study_dir(root, search_space, study_config(search_space, options, part, held))
    err.print(f"study dir: {path}  ({len(part)} search problems, {len(held)} held out; "
              f"objectives {', '.join(goals)})", soft_wrap=True, highlight=False)

    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("Pass@1 {task.fields[p1]}"), TextColumn("${task.fields[cost]}"),
                        TimeElapsedColumn(), console=err, transient=True)
    tasks: dict[str, int] = {}

    def on_event(kind: str, data: dict) -> None:
        if kind == "evaluate-start":
            tasks[data["label"]] = progress.add_task(data["label"], total=data["problems"],
                                                     completed=data["done"], p1="-", cost="0.0000")
        elif kind == "problem":
            s = data["summary"]
            progress.update(tasks[data["label"]], advance=1, p1=f"{s['pass_at_1']:.3f}", cost=f"{s['cost_usd']:.4f}")
        elif kind == "trial-end":
            progress.remove_task(tasks.pop(f"trial {data['number']}"))
            values = "  ".join(f"{k} {v:.4g}" for k, v in data["values"].items())
            err.print(f"trial {data['number']}: {values}  spent ${data['spent_usd']:.4f} "
                      f"(search total ${data['total_spent_usd']:.4f})", highlight=False)
        elif kind == "trial-pruned":
            err.print(f"trial {data['number']}: pruned: {data['reason']}", highlight=False, soft_wrap=True)

    pool = open_pool(backend, max_sandboxes, ray_address)

    async def go() -> dict:
        settings = LLMSettings(api_base=api_base, max_connections=max_connections, max_retries=max_retries,
                               cache=MeteredCache(), use_cache=True)
        async with pool:
            err.print(f"sandbox: {pool.description}", highlight=False)
            search = Search(search_space, problem_list, options, path, pool, LLMHub(settings),
                            on_event=on_event, command=sys.argv[1:])
            with progress:
                return await search.run()

    with sandbox_warnings():
        try:
            summary = asyncio.run(go())
        except (SearchError, RunDirConflict, SandboxUnavailable, ImageError) as e:
            raise fail(str(e))
        except KeyboardInterrupt:
            err.print(f"[yellow]interrupted[/yellow]: the study and finished problems are saved in {path}; "
                      "run the same command again to resume")
            raise typer.Exit(130)
    if as_json:
        sys.stdout.write(json.dumps(summary, default=str) + "\n")
    else:
        print_summary(summary)


def print_summary(summary: dict) -> None:
    out = Console()
    multi = len(summary["objectives"]) > 1
    finalists = summary.get("front" if multi else "finalists") or []
    t = Table(title=f"{summary['space']}: {'the Pareto front' if multi else 'the best trial'}"
                    f"{'s' if not multi and len(finalists) > 1 else ''}")
    for name in ("trial", "search Pass@1", "held-out Pass@1 [95% CI]", "USD / problem", "s / problem"):
        t.add_column(name, justify="right")
    for f in finalists:
        s, h = f["search"], f.get("heldout")
        held = "-" if not h else f"{h['pass_at_1']:.3f} [{h['pass_at_1_ci95'][0]:.3f}, {h['pass_at_1_ci95'][1]:.3f}]"
        t.add_row(str(f["trial"]), f"{s['pass_at_1']:.3f}", held, f"{s['cost_per_problem_usd']:.4f}",
                  f"{s['latency_per_problem_s']:.2f}")
    out.print(t)
    for f in finalists:
        params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in f["params"].items())
        out.print(f"trial {f['trial']}: {params}", highlight=False, soft_wrap=True)
    n = summary["trials"]
    spent = summary["spent_usd"]
    out.print(f"trials: {n['complete']} complete, {n['pruned']} pruned, {n['fail']} failed"
              + (f" (stopped: {summary['stopped']})" if summary.get("stopped") else ""), highlight=False)
    budget = f" of ${summary['budget_usd']:.4f}" if summary.get("budget_usd") is not None else ""
    out.print(f"spent: ${spent['search']:.4f}{budget} on the search, ${spent['heldout']:.4f} on the held-out part",
              highlight=False)
    if not summary["problems"]["heldout"]:
        out.print("[yellow]no held-out problems (--holdout 0): search Pass@1 flatters the architecture[/yellow]")
    if summary.get("best"):
        out.print(f"best architecture: {summary['best']['yaml']}", highlight=False, soft_wrap=True)
    out.print(f"report: {summary['report']}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)
