"""`archon-code bench`: run an architecture over a problem set, resumably, with live Pass@1."""

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
    NoCacheOpt,
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


def bench_command(
    arch: Annotated[str, typer.Option("--arch", metavar="ARCH", help="A shipped architecture name or a YAML/JSON file.")] = "offline",
    problems: ProblemsOpt = "bundled",
    split: SplitOpt = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, metavar="N", help="At most N problems.")] = None,
    problem_id: ProblemIdOpt = None,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed for sampling and tie-breaking picks.")] = 0,
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
    run_dir: Annotated[Optional[Path], typer.Option("--run-dir", metavar="DIR", help="Where the run lives (default: runs/<arch>-<config hash>).")] = None,
    wait: WaitOpt = False,
    no_cache: NoCacheOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print results.json to stdout at the end.")] = False,
) -> None:
    """Run an architecture over problems: Pass@1 next to oracle and baselines, resumable."""
    from archon_code.architectures import resolve_architecture
    from archon_code.config import ArchitectureError
    from archon_code.context import with_model
    from harness.runstore import RunStore, RunStoreError, config_hash, default_run_dir, runs_root, versions
    from problems import ProblemError, load_problems

    rules = make_rules(limits=limits, time_scale=time_scale, checker=checker, hidden_tests=hidden_tests)
    try:
        architecture = with_model(resolve_architecture(arch), model, api_base)
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
        # Every rule that decides a verdict: a run under other rules is another run.
        "rules": rules.to_dict(),
    }
    chash = config_hash(config)
    path = run_dir or default_run_dir(runs_root(), architecture.name, config)
    store = RunStore(path)
    meta = {"config_hash": chash, "config": config, "rules": rules.to_dict(),
            "versions": versions(), "command": sys.argv[1:]}

    if not (store.meta_path.exists() and _finished(store, problem_list)):
        check_credentials(architecture)  # before anything is written: no run dir for a typo

    def waiting(holder) -> None:
        err.print(f"waiting: {path} is in use by {holder.describe()}", soft_wrap=True, highlight=False)

    try:
        store.open(meta, wait=wait, on_wait=waiting)
    except RunStoreError as e:
        raise fail(str(e))
    try:
        summary = _bench(store, path, architecture, problem_list, seed, rules, max_connections,
                         max_retries, timeout, no_cache, backend, max_sandboxes, ray_address)
        results = {**summary, "architecture": architecture.name, "config_hash": chash,
                   "seed": seed, "rules": rules.to_dict(), "versions": meta["versions"],
                   "run_dir": str(path)}
        store.write_results(results)
    except RunStoreError as e:
        raise fail(str(e))
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps(results) + "\n")
    else:
        print_summary(results)


def _finished(store, problem_list) -> bool:
    """Every problem has an ok record already (read without the lock: only a hint)."""
    from harness.runstore import RunStoreError

    try:
        return {p.id for p in problem_list} <= store.done()
    except RunStoreError:
        return False


def _bench(store, path: Path, architecture, problem_list, seed: int, rules,
           max_connections: int, max_retries: int, timeout: float | None, no_cache: bool,
           backend, max_sandboxes: int | None, ray_address: str | None) -> dict:
    """The run's summary: solved now for the problems not yet done; read back for a run that
    is finished already (which starts no sandbox)."""
    from archon_code.context import LLMHub
    from archon_code.pipeline import Pipeline
    from harness.bench import BenchOptions, run_bench
    from harness.metrics import summarize
    from harness.progress import RunProgress
    from sandbox.image import ImageError
    from sandbox.pool import SandboxUnavailable

    wanted = {p.id for p in problem_list}
    records = {k: r for k, r in store.records().items() if k in wanted}
    already = sum(1 for r in records.values() if r.get("status") == "ok")
    err.print(f"run dir: {path}  ({already} of {len(problem_list)} problems already done)",
              soft_wrap=True, highlight=False)
    if already == len(problem_list):
        summary = summarize([records[p.id] for p in problem_list], seed=seed)
        return {**summary, **store.timing(), "complete": True}

    progress = RunProgress(architecture.name, len(problem_list), already, len(architecture.layers),
                           console=err)
    progress.summary(summarize(list(records.values()), seed=seed), any_done=already > 0)
    settings = llm_settings(max_connections=max_connections, max_retries=max_retries,
                            timeout=timeout, no_cache=no_cache, on_retry=progress.retry)
    pool = open_pool(backend, max_sandboxes, ray_address)

    async def go() -> dict:
        with progress:
            # The first start of a Docker pool builds its image (about a minute): say so
            # rather than show nothing.
            progress.status("starting the sandbox (its first start builds the image)")
            async with pool:
                err.print(f"sandbox: {pool.description}", highlight=False)
                pipeline = Pipeline(architecture, pool, LLMHub(settings), seed=seed, rules=rules)
                options = BenchOptions(seed=seed, rules=rules, max_problems=2 * pool.size)
                progress.start_clock()
                with quiet_when_cancelled():
                    summary = await run_bench(pipeline, problem_list, pool, store, options,
                                              progress=progress)
                return {**summary, "backend": pool.backend, "sandbox": pool.description,
                        "isolation": getattr(pool, "isolation", {})}

    with sandbox_warnings():
        try:
            return asyncio.run(go())
        except (SandboxUnavailable, ImageError) as e:
            raise fail(str(e))
        except KeyboardInterrupt:
            progress.close()
            err.print(Text.assemble(("interrupted", "yellow"), f": finished problems are saved in {path}; "
                                    "run the same command again to resume"), soft_wrap=True)
            raise typer.Exit(130)
        finally:
            if settings.cache is not None:
                settings.cache.close()


def print_summary(results: dict) -> None:
    from harness.report import component_error_text

    out = Console()
    t = Table(title=f"{results['architecture']}: {results['problems']} problems")
    t.add_column("metric")
    t.add_column("value", justify="right")
    for name, value in summary_rows(results):
        t.add_row(name, value)
    out.print(t)
    for e in results["errors"]:
        out.print(Text(f"error: {e['problem']}: {e['error']}", style="red"), soft_wrap=True)
    for row in results.get("component_errors") or []:
        out.print(Text(f"component {component_error_text(row)}", style="yellow"), soft_wrap=True)
    out.print(Text(f"run dir: {results['run_dir']}"), soft_wrap=True)


def summary_rows(results: dict) -> list[tuple[str, str]]:
    """The terminal summary of a bench run: the headline numbers, then what it cost and took
    (wall time summed over every session of a resumed run), then what went wrong."""
    from harness.report import cost_text, span_text, wall_text

    lo, hi = results.get("pass_at_1_ci95") or [float("nan")] * 2
    rows = [
        ("Pass@1 (pipeline)", f"{results['pass_at_1']:.3f}  [{lo:.3f}, {hi:.3f}]"),
        ("oracle (any candidate correct)", f"{results['oracle']:.3f}"),
        ("random pick", f"{results['random_pick']:.3f}"),
        ("public filter, then random", f"{results['public_filter_random']:.3f}"),
    ]
    # The pool's pass@1 is the random pick again.
    rows += [(f"pool {k}", f"{v:.3f}") for k, v in (results.get("pass_at_k") or {}).items() if k != "pass@1"]
    llm = results.get("llm") or {}
    rows += [
        ("cost (USD)", cost_text(results.get("cost_usd"), llm.get("unpriced"))),
        ("tokens", str(results["tokens"])),
        ("wall (s)", wall_text(results.get("wall_s"), results.get("sessions"))),
        ("ran", span_text(results.get("started_at"), results.get("ended_at"))),
        ("errors", str(len(results["errors"]))),
        ("component errors", str(sum(r["count"] for r in results.get("component_errors") or []))),
        ("sandbox errors (candidates)", str(results.get("sandbox_errors") or 0)),
    ]
    if llm.get("calls"):
        rows.append(("LLM calls (retried, failed)", f"{llm['calls']} ({llm.get('retries', 0)}, {llm.get('failures', 0)})"))
    return rows


def register(app: typer.Typer) -> None:
    app.command("bench")(bench_command)
