"""`archon-code problems ...`: look at problem sets before running anything on them."""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from harness.console import err, fail, sandbox_warnings
from harness.options import (
    DEFAULT_CHECKER,
    DEFAULT_HIDDEN_TESTS,
    DEFAULT_LIMITS_POLICY,
    DEFAULT_TIME_SCALE,
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
from problems import Problem, ProblemError, Source, load_problems
from problems.bundled import BUNDLED_SOURCE

problems_app = typer.Typer(
    name="problems",
    help="List and inspect problem sets (bundled, CodeContests, or local files).",
    no_args_is_help=True,
)

SourceArg = Annotated[
    str,
    typer.Argument(
        help="'bundled', 'codecontests[:SPLIT]', or a .jsonl/.json/.parquet file or folder.",
        metavar="SOURCE", show_default=False,
    ),
]
SplitOpt = Annotated[
    str | None,
    typer.Option("--split", metavar="SPLIT", help="CodeContests split: train, valid or test (default test)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of the table.")]


def register(app: typer.Typer) -> None:
    app.add_typer(problems_app, name="problems")


def _load(source: str, **kwargs) -> list[Problem]:
    try:
        return load_problems(source, **kwargs)
    except ProblemError as e:
        # User-facing errors: the message already names file, line and field.
        raise fail(str(e)) from None


def source_label(problem: Problem, source: str) -> str:
    """Where a problem comes from: its contest site when the data says so; otherwise the
    set it was loaded from (the bundled problems are the project's own)."""
    if problem.source is not Source.UNKNOWN_SOURCE:
        return problem.source.name
    return BUNDLED_SOURCE if source == "bundled" else "unknown"


def problem_facts(p: Problem, source: str) -> dict:
    """What `list --json` prints per problem (and `show --json`, with the statement)."""
    input_file, output_file = p.io_files
    return {
        "id": p.id,
        "source": source_label(p, source),
        "difficulty": p.difficulty.name,
        "cf_rating": p.cf_rating or None,
        "tags": list(p.cf_tags),
        "time_limit_s": p.time_limit_s,
        "memory_limit_mb": p.memory_limit_mb,
        "input_file": input_file,
        "output_file": output_file,
        "tests": {"public": len(p.public_tests), "private": len(p.private_tests),
                  "generated": len(p.generated_tests)},
        "solutions": dict(sorted(Counter(lang.label for lang in p.solutions.language).items())),
        "incorrect_solutions": len(p.incorrect_solutions),
        "has_image": p.has_image,
    }


def _languages(problem: Problem) -> str:
    counts = Counter(lang.label for lang in problem.solutions.language)
    return ", ".join(f"{name}×{n}" for name, n in sorted(counts.items())) or "-"


@problems_app.command("list")
def list_problems(
    source: SourceArg,
    limit: Annotated[int | None, typer.Option("--limit", min=0, metavar="N", help="Show at most N problems.")] = None,
    split: SplitOpt = None,
    skip_images: Annotated[
        bool, typer.Option("--skip-images", help="Leave out statements that rely on images.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """One row per problem: id, source, difficulty, test counts, limits, solution languages."""
    problems = _load(source, split=split, limit=limit, skip_images=skip_images)
    if as_json:
        print(json.dumps([problem_facts(p, source) for p in problems]))
        return
    table = Table(title=f"{len(problems)} problems from {source}", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("source")
    table.add_column("difficulty")
    table.add_column("public", justify="right")
    table.add_column("private", justify="right")
    table.add_column("generated", justify="right")
    table.add_column("time", justify="right")
    table.add_column("memory", justify="right")
    table.add_column("solutions")
    for p in problems:
        table.add_row(
            Text(p.id),
            source_label(p, source),
            p.difficulty.name,
            str(len(p.public_tests)),
            str(len(p.private_tests)),
            str(len(p.generated_tests)),
            f"{p.time_limit_s:g} s",
            f"{p.memory_limit_mb} MiB",
            _languages(p),
        )
    Console().print(table)


@problems_app.command("show")
def show_problem(
    source: SourceArg,
    problem_id: Annotated[str, typer.Argument(help="The problem's name.", metavar="PROBLEM_ID",
                                              show_default=False)],
    split: SplitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The statement of one problem, with its limits and test counts."""
    (p,) = _load(source, split=split, problem_ids=[problem_id])
    if as_json:
        print(json.dumps({**problem_facts(p, source), "description": p.description}))
        return
    console = Console()
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    input_file, output_file = p.io_files
    rows = [
        ("source", source_label(p, source)),
        ("difficulty", p.difficulty.name + (f" (rating {p.cf_rating})" if p.cf_rating else "")),
        ("tags", ", ".join(p.cf_tags) or "-"),
        ("time limit", f"{p.time_limit_s:g} s"),
        ("memory limit", f"{p.memory_limit_mb} MiB"),
        ("input / output", f"{input_file or 'stdin'} / {output_file or 'stdout'}"),
        (
            "tests",
            f"{len(p.public_tests)} public, {len(p.private_tests)} private, "
            f"{len(p.generated_tests)} generated",
        ),
        (
            "solutions",
            f"{len(p.solutions)} correct ({_languages(p)}), "
            f"{len(p.incorrect_solutions)} incorrect",
        ),
    ]
    if p.has_image:
        rows.append(("note", "the statement refers to images that are not included"))
    for key, value in rows:
        facts.add_row(key, Text(value))
    console.print(Panel(facts, title=Text(p.id), title_align="left"))
    # Statements are full of brackets and backslashes: print them as plain text.
    console.print(Text(p.description))



@problems_app.command("validate")
def validate_problems(
    source: SourceArg,
    limit: Annotated[int | None, typer.Option("--limit", min=0, metavar="N", help="Validate at most N problems.")] = None,
    split: SplitOpt = None,
    problem_id: Annotated[
        list[str] | None, typer.Option("--problem-id", metavar="ID", help="Only this problem (repeatable).")
    ] = None,
    max_sandboxes: MaxSandboxesOpt = None,
    backend: BackendOpt = "auto",
    ray_address: RayAddressOpt = None,
    limits: LimitsOpt = DEFAULT_LIMITS_POLICY,
    time_scale: TimeScaleOpt = DEFAULT_TIME_SCALE,
    checker: CheckerOpt = DEFAULT_CHECKER,
    hidden_tests: HiddenTestsOpt = DEFAULT_HIDDEN_TESTS,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON report.")] = False,
) -> None:
    """Run every stored solution (and incorrect solution) on its tests in the sandbox.

    Reports correct solutions that fail (bad test, tight limit, sandbox false negative)
    and incorrect solutions that pass everything (weak tests). Exit 0 when clean."""
    import asyncio
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from harness.validate import count_jobs, validate
    from sandbox.image import ImageError
    from sandbox.pool import SandboxUnavailable

    rules = make_rules(limits=limits, time_scale=time_scale, checker=checker, hidden_tests=hidden_tests)
    problems = _load(source, split=split, limit=limit, problem_ids=problem_id or None)
    progress = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, transient=as_json,
    )

    pool = open_pool(backend, max_sandboxes, ray_address)

    async def go():
        async with pool:
            task = progress.add_task(f"validating ({pool.description})", total=count_jobs(problems))
            with progress:
                return await validate(problems, pool, rules=rules,
                                      on_done=lambda: progress.advance(task))

    with sandbox_warnings():
        try:
            report = asyncio.run(go())
        except (SandboxUnavailable, ImageError, ValueError) as e:
            raise fail(str(e)) from None
    if as_json:
        print(json.dumps(report.to_dict()))
    else:
        console = Console()
        console.print(
            f"{report.problems} problems, {report.solutions_run} solutions run"
            + (f", {report.skipped_languages} skipped (Python 2 / Java)" if report.skipped_languages else "")
        )
        if report.clean:
            console.print("[green]clean:[/green] every correct solution passes, every incorrect one fails")
        for row in report.correct_failing:
            console.print(
                Text(f"correct solution fails: {row['problem']} #{row['index']}: "
                     f"{row['verdict']} {row['detail']}", style="red")
            )
        for row in report.incorrect_passing:
            console.print(
                Text(f"incorrect solution passes: {row['problem']} #{row['index']}", style="yellow")
            )
    raise typer.Exit(0 if report.clean else 1)
