"""`archon-code exec` and the `archon-code sandbox` group (build, status, prune)."""

from __future__ import annotations

import asyncio
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console
from rich.table import Table
from rich.text import Text

from harness.console import fail, sandbox_warnings
from harness.options import (
    DEFAULT_CHECKER,
    DEFAULT_LIMITS_POLICY,
    DEFAULT_TIME_SCALE,
    BackendOpt,
    CheckerOpt,
    LimitsOpt,
    MaxSandboxesOpt,
    RayAddressOpt,
    TimeScaleOpt,
    make_rules,
    open_pool,
)
from sandbox import languages
from sandbox.checker import explain_mismatch
from sandbox.types import JobResult, Program, TestCase, TestResult, Verdict

sandbox_app = typer.Typer(help="Build and inspect the Docker sandbox.", no_args_is_help=True)
out = Console()


class UsageError(Exception):
    """Bad input from the user: printed in one line, exit status 2."""


# From the language table, so that a new language needs no change here.
LanguageChoice = Enum("LanguageChoice", {"auto": "auto", **{n: n for n in languages.NAMES}}, type=str)  # type: ignore[misc]




class _TestLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    input: str
    output: Optional[str] = None


def read_tests(path: Path) -> list[TestCase]:
    """TESTS.jsonl: one {"input": str, "output": str | null} per line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read: {e}") from e
    tests = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = _TestLine.model_validate_json(line)
        except ValidationError as e:
            first = e.errors()[0]
            field = ".".join(str(x) for x in first["loc"]) or "(line)"
            raise UsageError(f"{path}:{lineno}: {field}: {first['msg']}") from None
        tests.append(TestCase(row.input, row.output))
    if not tests:
        raise UsageError(f"{path}: no tests in the file")
    return tests




def detect_language(path: Path, source: str) -> str:
    """By file suffix (the language table's); otherwise by what the source reads as (the
    table's default language when unclear)."""
    from archon_code.extract import detect_language as by_content

    lang = languages.by_suffix(path.name.lower())
    if lang is not None:
        return lang.name
    return by_content(source) or languages.DEFAULT.name


def read_program(path: Path, language: str) -> Program:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read: {e}") from e
    lang = detect_language(path, source) if language == "auto" else language
    return Program(source, lang)  # type: ignore[arg-type]


NOT_CHECKED = "not checked"


def test_status(test: TestResult, case: TestCase) -> str:
    """A test's verdict, or "not checked" for a clean run with no expected output."""
    if case.output is None and test.verdict is Verdict.OK:
        return NOT_CHECKED
    return test.verdict.value


def program_status(result: JobResult, cases: list[TestCase]) -> str:
    """CE, the first failing test's verdict, OK, or "not checked" when every test ran cleanly
    and none had an expected output."""
    if result.verdict is not Verdict.OK:
        return result.verdict.value
    return Verdict.OK.value if any(c.output is not None for c in cases) else NOT_CHECKED


def why_failed(test: TestResult, case: TestCase, checker: str) -> str:
    if test.verdict is Verdict.WA and case.output is not None:
        return explain_mismatch(case.output, test.stdout, checker)
    return test.detail


def exec_record(name: str, result: JobResult, cases: list[TestCase], checker: str) -> dict:
    statuses = [test_status(t, c) for t, c in zip(result.tests, cases)]
    tests = []
    for t, c, status in zip(result.tests, cases, statuses):
        row = {
            "verdict": status,
            "checked": c.output is not None,
            "time_s": round(t.time_s, 4),
            "cpu_s": round(t.cpu_s, 4),
            "memory_bytes": t.memory_bytes,
            "exit_code": t.exit_code,
            "stdout_head": t.stdout_head,
            "stderr_head": t.stderr_head[:512],
        }
        if status not in (Verdict.OK.value, NOT_CHECKED):
            row["why"] = why_failed(t, c, checker)
        tests.append(row)
    return {
        "program": name,
        "verdict": program_status(result, cases),
        "passed": statuses.count(Verdict.OK.value),
        "failed": sum(s not in (Verdict.OK.value, NOT_CHECKED) for s in statuses),
        "not_checked": statuses.count(NOT_CHECKED),
        "why": _first_failure(result, cases, checker),
        "compile_output": result.compile_output,
        "tests": tests,
    }


def _first_failure(result: JobResult, cases: list[TestCase], checker: str) -> str:
    if result.compile_verdict is not None:
        lines = result.compile_output.strip().splitlines()
        return lines[0] if lines else result.compile_verdict.value
    for number, (t, c) in enumerate(zip(result.tests, cases), 1):
        if t.verdict is not Verdict.OK:
            return f"test {number}: {why_failed(t, c, checker) or t.verdict.value}"
    return ""


async def _exec(programs, tests, limits, checker, pool, input_file, output_file) -> list[JobResult]:
    async with pool:
        return await asyncio.gather(
            *(pool.run(p, tests, limits, checker=checker, input_file=input_file,
                       output_file=output_file) for p in programs)
        )


def exec_command(
    programs: Annotated[list[Path], typer.Argument(help="Program files (.py, .cpp, .java).")],
    tests: Annotated[Path, typer.Option("--tests", help="TESTS.jsonl: {input, output} per line; "
                                        "a line without output is run but not checked.")],
    language: Annotated[LanguageChoice, typer.Option(help="auto: by file extension.")] = LanguageChoice.auto,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.01, help="The problem's time limit in "
                                              "seconds (applied as --limits says).")] = 2.0,
    memory_limit: Annotated[int, typer.Option("--memory-limit", min=8, help="The problem's memory limit "
                                              "in MB (applied as --limits says).")] = 256,
    limits_policy: LimitsOpt = DEFAULT_LIMITS_POLICY,
    time_scale: TimeScaleOpt = DEFAULT_TIME_SCALE,
    checker: CheckerOpt = DEFAULT_CHECKER,
    input_file: Annotated[Optional[str], typer.Option("--input-file", help="The program reads its input "
                                                      "from this file (file-I/O problems).")] = None,
    output_file: Annotated[Optional[str], typer.Option("--output-file", help="The program writes its "
                                                       "output to this file.")] = None,
    max_sandboxes: MaxSandboxesOpt = None,
    backend: BackendOpt = "auto",
    ray_address: RayAddressOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per program per line.")] = False,
) -> None:
    """Run programs on tests in the sandbox and judge their output."""
    from sandbox.image import ImageError
    from sandbox.pool import SandboxUnavailable

    try:
        cases = read_tests(tests)
        progs = [read_program(p, language.value) for p in programs]
    except UsageError as e:
        raise fail(str(e))
    rules = make_rules(limits=limits_policy, time_scale=time_scale, checker=checker)
    limits = rules.limits_for(time_limit, memory_limit)
    pool = open_pool(backend, max_sandboxes, ray_address)
    with sandbox_warnings():
        try:
            results = asyncio.run(_exec(progs, cases, limits, rules.checker, pool, input_file, output_file))
        except (SandboxUnavailable, ImageError, ValueError) as e:
            raise fail(str(e))
    records = [exec_record(str(path), r, cases, rules.checker) for path, r in zip(programs, results)]
    if as_json:
        for record in records:
            sys.stdout.write(json.dumps(record) + "\n")
    else:
        _print_table(records, results, cases)
    failed = [r for r in records if r["verdict"] not in (Verdict.OK.value, NOT_CHECKED)]
    raise typer.Exit(1 if failed else 0)


def _print_table(records: list[dict], results: list[JobResult], cases: list[TestCase]) -> None:
    checked = sum(c.output is not None for c in cases)
    table = Table("program", "verdict", "passed", NOT_CHECKED, "max cpu s", "max mem MB", "why")
    for record, r in zip(records, results):
        style = {Verdict.OK.value: "green", NOT_CHECKED: "yellow"}.get(record["verdict"], "red")
        table.add_row(
            Text(record["program"]),
            Text(record["verdict"], style=style),
            f"{record['passed']}/{checked}",
            str(record["not_checked"]),
            f"{max((t.cpu_s for t in r.tests), default=0):.3f}",
            f"{max((t.memory_bytes for t in r.tests), default=0) / 2**20:.1f}",
            Text(record["why"]),
        )
    out.print(table)
    passed = sum(rec["verdict"] == Verdict.OK.value for rec in records)
    failed = sum(rec["verdict"] not in (Verdict.OK.value, NOT_CHECKED) for rec in records)
    summary = f"{len(records)} program(s): {passed} passed, {failed} failed"
    not_checked = sum(rec["not_checked"] for rec in records)
    if not_checked:
        summary += f"; {not_checked} test run(s) not checked (no expected output)"
    out.print(summary, highlight=False)


@sandbox_app.command("build")
def build_command(
    force: Annotated[bool, typer.Option(help="Rebuild even if the image is up to date.")] = False,
) -> None:
    """Build the sandbox image (reused when up to date)."""
    from sandbox.daemon import probe_docker
    from sandbox.image import ImageError, build_image, ensure_image

    probe = probe_docker()
    if probe.client is None:
        raise fail(f"{probe.reason} (start dockerd, or check DOCKER_HOST)")
    try:
        tag = build_image(probe.client) if force else ensure_image(probe.client)
    except ImageError as e:
        raise fail(str(e))
    out.print(f"sandbox image: [bold]{tag}[/bold]")


@sandbox_app.command("status")
def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Daemon, image, and the live sandbox pools with their owners."""
    from sandbox.daemon import docker_host, probe_docker, sandbox_pools
    from sandbox.image import image_tag

    probe = probe_docker()
    client = probe.client
    tag = image_tag()
    # Without a daemon nothing is known about the image: "missing" would send the user to
    # build an image that may well be there.
    info: dict = {"daemon": client is not None, "docker_host": docker_host(), "image": tag,
                  "image_present": None, "pools": [], "containers": []}
    if client is None:
        info["reason"] = probe.reason
    else:
        info["daemon_version"] = client.version().get("Version")
        info["image_present"] = bool(client.images.list(name=tag))
        for p in sandbox_pools(client):
            info["pools"].append({"pool": p.pool, "owner_pid": p.owner.pid, "owner_host": p.owner.host,
                                  "owner": p.state, "containers": p.containers})
            info["containers"] += [{**c, "pool": p.pool} for c in p.containers]
    if as_json:
        print(json.dumps(info))
        return
    if client is None:
        out.print(Text.assemble("docker daemon: ", ("unreachable", "red"), f": {probe.reason} "
                                "(the local backend would be used)"), soft_wrap=True)
        out.print(Text(f"sandbox image: {tag}: unknown (the daemon is unreachable)"), soft_wrap=True)
        return
    out.print(Text.assemble("docker daemon: ", ("up", "green"), f" {info.get('daemon_version')} at "
                            f"{info['docker_host']}"), soft_wrap=True)
    out.print(Text.assemble(f"sandbox image: {tag} ",
                            ("present", "green") if info["image_present"]
                            else ("missing: run `archon-code sandbox build`", "yellow")), soft_wrap=True)
    out.print(f"sandbox containers: {len(info['containers'])} in {len(info['pools'])} pool(s)")
    for p in info["pools"]:
        owner = f"pid {p['owner_pid']} on {p['owner_host'] or 'this host'}" if p["owner_pid"] else "unknown"
        state = {"alive": "alive", "gone": "gone (prune removes these)",
                 "elsewhere": "on another host (cannot be checked from here)"}[p["owner"]]
        out.print(Text(f"  pool {p['pool']}: {len(p['containers'])} container(s), owner {owner}: {state}"),
                  soft_wrap=True)
        for c in p["containers"]:
            out.print(Text(f"    {c['id']}  {c['status']}"))


@sandbox_app.command("prune")
def prune_command(
    pool: Annotated[Optional[list[str]], typer.Option(
        "--pool", metavar="ID", help="Only this pool (repeatable; `sandbox status` lists them).")] = None,
) -> None:
    """Remove sandbox containers whose owner process is gone (left behind by a crashed run).
    Containers of live runs, of any user of this daemon, are kept."""
    from sandbox.daemon import SandboxUnavailable, prune_containers

    try:
        result = prune_containers(pool or None)
    except SandboxUnavailable as e:
        raise fail(str(e))
    out.print(f"removed {result.removed} container(s) whose owner is gone")
    for p in result.kept:
        why = ("its owner " + p.owner.describe() + " is alive" if p.state == "alive"
               else f"its owner is on another host ({p.owner.host}) and cannot be checked from here")
        out.print(Text(f"kept {len(p.ids)} container(s) of pool {p.pool}: {why}"), soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("exec")(exec_command)
    app.add_typer(sandbox_app, name="sandbox")
