"""`archon-code search`: optuna over a space of architectures, each trial a real bench run on
the search problems, the finalists judged once on held-out problems."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from archon_code.llm_defaults import DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RETRIES
from harness.console import err, fail, quiet_when_cancelled, sandbox_warnings
from harness.options import (
    DEFAULT_CHECKER,
    DEFAULT_HIDDEN_TESTS,
    DEFAULT_LIMITS_POLICY,
    DEFAULT_TIME_SCALE,
    ApiBaseOpt,
    BackendOpt,
    CheckerOpt,
    HiddenTestsOpt,
    LimitsOpt,
    MaxConnectionsOpt,
    MaxRetriesOpt,
    MaxSandboxesOpt,
    ModelOpt,
    ProblemIdOpt,
    ProblemsOpt,
    RayAddressOpt,
    SplitOpt,
    TimeoutOpt,
    TimeScaleOpt,
    WaitOpt,
    check_credentials,
    llm_settings,
    make_rules,
    open_pool,
)

# Decimals per kind of number, as in the search's HTML report.
OBJECTIVE_DIGITS = {"pass@1": 3, "cost": 4, "latency": 2}


def search_command(
    space: Annotated[str, typer.Option("--space", metavar="SPACE", help="A search space YAML/JSON file (a template "
                                       "architecture with choice points, or an Archon ITAS search config), or a "
                                       "shipped one: offline, llm.")],
    problems: ProblemsOpt = "bundled",
    split: SplitOpt = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, metavar="N", help="At most N problems (before the split).")] = None,
    problem_id: ProblemIdOpt = None,
    trials: Annotated[Optional[int], typer.Option("--trials", min=1, metavar="N", help="Trials the study should hold when done, "
                                                  "pruned ones included (default: the space's, else 20).")] = None,
    budget_usd: Annotated[Optional[float], typer.Option("--budget-usd", min=0, metavar="USD", help="Money the search trials may "
                                                        "spend; a trial projected to cost more than is left is skipped.")] = None,
    objectives: Annotated[str, typer.Option("--objectives", metavar="LIST", help="pass@1, optionally with cost and/or latency "
                                            "(Pareto front by NSGA-II).")] = "pass@1",
    holdout: Annotated[float, typer.Option("--holdout", metavar="SHARE", help="Share of problems held out for the final "
                                           "evaluation.")] = 0.8,
    baseline: Annotated[Optional[str], typer.Option("--baseline", metavar="ARCH", help="An architecture (shipped name or file) "
                                                    "judged on the held-out problems beside the finalists, so that what the "
                                                    "search gained shows; 'none' to skip (default: the space at its "
                                                    "defaults: first options, optional parts on, ranges at their low end).")] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the split, the sampler and every pipeline.")] = 0,
    study_dir: Annotated[Optional[Path], typer.Option("--study-dir", metavar="DIR", help="Where the study lives (default: "
                                                      "runs/search-<space>-<config hash>).")] = None,
    wait: WaitOpt = False,
    sampler: Annotated[Optional[str], typer.Option("--sampler", metavar="NAME", help="auto (TPE, or NSGA-II for several "
                                                   "objectives), tpe, gp, random, grid, nsga2 (default: the space's).")] = None,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    max_connections: MaxConnectionsOpt = DEFAULT_MAX_CONNECTIONS,
    max_retries: MaxRetriesOpt = DEFAULT_MAX_RETRIES,
    timeout: TimeoutOpt = None,
    max_sandboxes: MaxSandboxesOpt = None,
    limits: LimitsOpt = DEFAULT_LIMITS_POLICY,
    time_scale: TimeScaleOpt = DEFAULT_TIME_SCALE,
    checker: CheckerOpt = DEFAULT_CHECKER,
    hidden_tests: HiddenTestsOpt = DEFAULT_HIDDEN_TESTS,
    backend: BackendOpt = "auto",
    ray_address: RayAddressOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary (results.json) to stdout at the end.")] = False,
) -> None:
    """Search a space of architectures with optuna; report the best (or the Pareto front) on held-out problems."""
    from harness.search_space import SAMPLERS, SpaceError, resolve_space

    rules = make_rules(limits=limits, time_scale=time_scale, checker=checker, hidden_tests=hidden_tests)
    if sampler is not None and sampler not in SAMPLERS:
        raise fail(f"--sampler must be one of {', '.join(SAMPLERS)}, not {sampler!r}")
    try:  # before the heavy imports: a mistake in the space file is reported at once
        search_space = resolve_space(space)
    except SpaceError as e:
        raise fail(str(e))
    if sampler == "grid" and search_space.continuous_points():
        raise fail(f"--sampler grid needs a step on every float point "
                    f"({', '.join(search_space.continuous_points())} has none)")

    from archon_code.architectures import resolve_architecture
    from archon_code.config import ArchitectureError
    from archon_code.context import LLMHub, with_model
    from harness.dirlock import DirError, DirLock
    from harness.metering import MeteredCache
    from harness.progress import RunProgress
    from harness.runstore import runs_root
    from harness.search import (
        DEFAULTS_HOW,
        Baseline,
        Search,
        SearchError,
        SearchOptions,
        default_architecture,
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
        defaults = with_model(default_architecture(search_space), model, api_base)
    except SearchError as e:
        raise fail(str(e))
    base = None
    if baseline is None:
        base = Baseline(defaults, DEFAULTS_HOW)
    elif baseline.lower() != "none":
        try:
            base = Baseline(with_model(resolve_architecture(baseline), model, api_base),
                            f"the architecture {baseline}")
        except (ArchitectureError, FileNotFoundError, ValueError) as e:
            raise fail(f"--baseline: {e}")
    try:
        problem_list = load_problems(problems, split=split, limit=limit, problem_ids=problem_id or None)
    except ProblemError as e:
        raise fail(str(e))
    if not problem_list:
        raise fail(f"no problems selected from {problems}")

    options = SearchOptions(
        objectives=goals, trials=trials or search_space.search.trials or 20, budget_usd=budget_usd,
        holdout=holdout, seed=seed, sampler=sampler or search_space.search.sampler, rules=rules,
        model=model, api_base=api_base)
    try:
        part, held = split_problems(problem_list, holdout, seed)
    except SearchError as e:
        raise fail(str(e))
    path = study_dir or default_study_dir(runs_root(), search_space, study_config(search_space, options, part, held))
    check_credentials(defaults)

    lock = DirLock(path, "study dir")
    try:
        path.mkdir(parents=True, exist_ok=True)
        lock.acquire(wait=wait, on_wait=lambda holder: err.print(
            f"waiting: {path} is in use by {holder.describe()}", soft_wrap=True, highlight=False))
    except OSError as e:
        raise fail(f"{path}: cannot create the study dir ({e.strerror or e})")
    except DirError as e:
        raise fail(str(e))
    err.print(f"study dir: {path}  ({len(part)} search problems, {len(held)} held out; "
              f"objectives {', '.join(goals)})", soft_wrap=True, highlight=False)

    showing: dict[str, RunProgress] = {}

    def progress(label: str, total: int, done: int, layers: int) -> RunProgress:
        showing["now"] = RunProgress(label, total, done, layers, console=err)
        return showing["now"]

    def on_retry(notice) -> None:
        if "now" in showing:
            showing["now"].retry(notice)

    def on_event(kind: str, data: dict) -> None:
        if kind == "trial-end":
            values = "  ".join(f"{k} {v:.{OBJECTIVE_DIGITS.get(k, 3)}f}" for k, v in data["values"].items())
            err.print(f"trial {data['number']}: {values}  spent ${data['spent_usd']:.4f} "
                      f"(search total ${data['total_spent_usd']:.4f})", highlight=False)
        elif kind == "trial-pruned":
            err.print(f"trial {data['number']}: pruned: {data['reason']}", highlight=False, soft_wrap=True)

    settings = llm_settings(max_connections=max_connections, max_retries=max_retries, timeout=timeout,
                            cache=MeteredCache(), on_retry=on_retry)
    pool = open_pool(backend, max_sandboxes, ray_address)

    async def go() -> dict:
        async with pool:
            err.print(f"sandbox: {pool.description}", highlight=False)
            search = Search(search_space, problem_list, options, path, pool, LLMHub(settings),
                            on_event=on_event, command=sys.argv[1:], baseline=base, lock=lock,
                            progress=progress)
            with quiet_when_cancelled():
                return await search.run()

    with sandbox_warnings():
        try:
            summary = asyncio.run(go())
        except (SearchError, DirError, SandboxUnavailable, ImageError) as e:
            raise fail(str(e))
        except KeyboardInterrupt:
            if "now" in showing:
                showing["now"].close()
            err.print(Text.assemble(("interrupted", "yellow"), f": the study and finished problems are saved "
                                    f"in {path}; run the same command again to resume"), soft_wrap=True)
            raise typer.Exit(130)
        finally:
            lock.release()
            if settings.cache is not None:
                settings.cache.close()
    if as_json:
        sys.stdout.write(json.dumps(summary, default=str) + "\n")
    else:
        print_summary(summary)


def print_summary(summary: dict) -> None:
    from harness.search_html import ci_text, diff_text, num

    out = Console()
    multi = len(summary["objectives"]) > 1
    finalists = summary.get("front" if multi else "finalists") or []
    t = Table(title=f"{summary['space']}: {'the Pareto front' if multi else 'the best trial'}"
                    f"{'s' if not multi and len(finalists) > 1 else ''}")
    for name in ("trial", "search Pass@1", "held-out Pass@1 [95% CI]", "Δ vs baseline [95% CI]",
                 "USD / problem", "s / problem"):
        t.add_column(name, justify="right")
    for f in finalists:
        s, h = f["search"], f.get("heldout")
        held = "-" if not h else f"{num(h['pass_at_1'])} {ci_text(h['pass_at_1_ci95'])}"
        t.add_row(str(f["trial"]), num(s["pass_at_1"]), held, diff_text(f.get("vs_baseline")),
                  num(s["cost_per_problem_usd"], 4), num(s["latency_per_problem_s"], 2))
    base = summary.get("baseline")
    if base:
        h = base["heldout"]
        t.add_row("baseline", "-", f"{num(h['pass_at_1'])} {ci_text(h['pass_at_1_ci95'])}", "-",
                  num(h.get("cost_per_problem_usd"), 4), num(h.get("latency_per_problem_s"), 2))
    out.print(t)
    if base:
        out.print(Text(f"baseline: {base['how']}"), soft_wrap=True)
    for f in finalists:
        params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in f["params"].items())
        out.print(Text(f"trial {f['trial']}: {params}"), soft_wrap=True)
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
        out.print(Text(f"best architecture: {summary['best']['yaml']}"), soft_wrap=True)
    out.print(Text(f"report: {summary['report']}"), soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)
