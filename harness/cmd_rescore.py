"""`archon-code rescore`: a finished run's candidates judged under other verdict rules, into
a new run dir; no LLM call, no generation, the same picks."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from harness.console import err, fail, quiet_when_cancelled, sandbox_warnings
from harness.options import (
    BackendOpt,
    CheckerOpt,
    HiddenTestsOpt,
    LimitsOpt,
    MaxSandboxesOpt,
    RayAddressOpt,
    TimeScaleOpt,
    make_rules,
    open_pool,
)


def rescore_command(
    source_dir: Annotated[Path, typer.Argument(
        metavar="RUN_DIR", show_default=False,
        help="A bench run (finished or not) whose candidates are judged again.")],
    limits: LimitsOpt = "deepmind",
    time_scale: TimeScaleOpt = 1.0,
    checker: CheckerOpt = "codecontests",
    hidden_tests: HiddenTestsOpt = "private",
    run_dir: Annotated[Optional[Path], typer.Option(
        "--run-dir", metavar="DIR",
        help="Where the rescored run goes (default: RUN_DIR-rescore-<limits>-<checker>..., "
             "beside RUN_DIR); an existing non-empty directory is refused.")] = None,
    rerun: Annotated[bool, typer.Option(
        "--rerun", help="Run the sandbox even where the rules cannot change a verdict (to see "
                        "that verdicts reproduce).")] = False,
    backend: BackendOpt = "auto",
    max_sandboxes: MaxSandboxesOpt = None,
    ray_address: RayAddressOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results.json to stdout at the end.")] = False,
) -> None:
    """Judge a run's candidates again under other verdict rules, into a new run dir: the
    same picks (selection is not re-run), no LLM call."""
    from harness.cmd_bench import print_summary
    from harness.metrics import summarize
    from harness.rescore import RescoreError, default_target, load_source, new_meta, plan
    from harness.runstore import RunStore, RunStoreError
    from problems import ProblemError, load_problems

    rules = make_rules(limits=limits, time_scale=time_scale, checker=checker, hidden_tests=hidden_tests)
    if not source_dir.is_dir():
        raise fail(f"{source_dir}: no such run directory")
    try:
        source = load_source(source_dir)
    except RescoreError as e:
        raise fail(str(e))
    target = run_dir if run_dir is not None else default_target(source_dir, rules)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise fail(f"{target}: already exists and is not empty; choose another --run-dir")
    if target.resolve() == source_dir.resolve():
        raise fail(f"{target}: is the source run; choose another --run-dir")

    config = source.meta.get("config") if isinstance(source.meta.get("config"), dict) else {}
    where = config.get("problems")
    if not isinstance(where, str):
        raise fail(f"{source_dir / 'run.json'}: field 'config.problems' is missing")
    try:
        problems = load_problems(where, split=config.get("split"),
                                 problem_ids=[r["problem"] for r in source.records])
    except ProblemError as e:
        raise fail(f"{source_dir / 'run.json'}: its problems ({where}) cannot be loaded: {e}")
    plans = [plan(p, r, source.rules, rules, rerun=rerun) for p, r in zip(problems, source.records)]

    store = RunStore(target)
    meta = new_meta(source, rules, sys.argv[1:])
    try:
        store.open(meta)
    except RunStoreError as e:
        raise fail(str(e))
    seed = config.get("seed") if isinstance(config.get("seed"), int) else 0
    err.print(f"rescoring {source_dir} ({len(plans)} problems, picks made under "
              f"{source.rules.describe()}) under {rules.describe()}: "
              f"{sum(p.runs for p in plans)} problem(s) to judge again", soft_wrap=True,
              highlight=False)
    try:
        store.begin_session()
        try:
            records, run_info = _rescore(plans, source.programs, rules, store, backend,
                                         max_sandboxes, ray_address)
        finally:
            store.end_session()
        summary = summarize(records, seed=seed)
        summary.update(store.timing())
        arch = config.get("architecture") if isinstance(config.get("architecture"), dict) else {}
        results = {**summary, "complete": len(records) == len(config.get("problem_ids") or records),
                   **run_info, "architecture": arch.get("name", "?"),
                   "config_hash": meta["config_hash"], "seed": seed, "rules": rules.to_dict(),
                   "rescored_from": meta["rescored_from"], "versions": meta["versions"],
                   "run_dir": str(target)}
        store.write_results(results)
    except RunStoreError as e:
        raise fail(str(e))
    finally:
        store.close()
    _write_report(source_dir, target)
    if as_json:
        sys.stdout.write(json.dumps(results) + "\n")
    else:
        print_summary(results)
        err.print(Text(f"rescored from {source_dir}: the same candidates and picks, judged under "
                       f"{rules.describe()}; {results['executions']} test run(s)"),
                  soft_wrap=True, highlight=False)


def _rescore(plans, programs, rules, store, backend, max_sandboxes, ray_address):
    """The rescored records, and where programs ran (no sandbox starts when nothing runs)."""
    from harness.rescore import RunMemo, rescore_plans
    from sandbox.image import ImageError
    from sandbox.pool import SandboxUnavailable

    if not any(p.runs for p in plans):
        records = asyncio.run(rescore_plans(plans, programs, rules, None, store))
        return records, {"backend": None, "executions": 0}
    pool = open_pool(backend, max_sandboxes, ray_address)

    async def go():
        async with pool:
            err.print(f"sandbox: {pool.description}", highlight=False)
            memo = RunMemo(pool)
            with quiet_when_cancelled():
                records = await rescore_plans(plans, programs, rules, memo, store,
                                              concurrency=2 * pool.size)
            return records, {"backend": pool.backend, "sandbox": pool.description,
                             "isolation": getattr(pool, "isolation", {}),
                             "executions": memo.executions}

    with sandbox_warnings():
        try:
            return asyncio.run(go())
        except (SandboxUnavailable, ImageError) as e:
            raise fail(str(e))
        except KeyboardInterrupt:
            err.print(Text("interrupted: the rescored run is incomplete", style="yellow"))
            raise typer.Exit(130)


def _write_report(source: Path, target: Path) -> None:
    """report.html in the new run dir: the source run and the rescored one side by side."""
    from harness.html_report import write_report
    from harness.report import ReportError, build_report

    try:
        path = write_report(build_report([source, target]), target / "report.html")
    except (ReportError, OSError) as e:
        raise fail(f"cannot write the report: {e}")
    err.print(Text(f"report: {path}"), soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("rescore")(rescore_command)
